"""Replicates: tidy tables of many runs, bands of single runs, confidence intervals of means."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from csei_sim import replicates
from csei_sim.run import simulate

SMALL = {"n_organisations": 20, "steps": 12}


@pytest.fixture(scope="module")
def two_scenarios() -> pd.DataFrame:
    scenarios = {
        "informal": {"governance_mode": "informal"},
        "formal": {"governance_mode": "formal"},
    }
    return replicates.run_scenarios(scenarios, seeds=range(4), **SMALL)


def test_tidy_table_has_one_row_per_scenario_seed_and_month(two_scenarios):
    df = two_scenarios
    assert list(df.columns[:3]) == ["scenario", "seed", "step"]
    assert len(df) == 2 * 4 * (SMALL["steps"] + 1)
    assert set(df["scenario"]) == {"informal", "formal"}
    counts = df.groupby(["scenario", "seed"]).size()
    assert (counts == SMALL["steps"] + 1).all()
    assert {"members", "date", "mean_member_trust", "balance"} <= set(df.columns)


def test_each_replicate_is_the_run_of_its_seed():
    df = replicates.run_replicates({"governance_mode": "gradual"}, seeds=[3, 11], **SMALL)
    for seed in (3, 11):
        alone = simulate({"governance_mode": "gradual"}, seed=seed, **SMALL).timeseries
        mine = df[df["seed"] == seed].set_index("step")
        pd.testing.assert_series_equal(mine["members"], alone["members"], check_names=False)
    first, second = (df[df["seed"] == s]["members"].to_numpy() for s in (3, 11))
    assert not np.array_equal(first, second)  # different seeds, different histories


def test_the_same_seeds_give_the_same_runs_in_every_scenario():
    same = {"a": {"facilitation_hours": 40.0}, "b": {"facilitation_hours": 40.0}}
    df = replicates.run_scenarios(same, seeds=range(3), **SMALL)
    a = df[df["scenario"] == "a"].drop(columns="scenario").reset_index(drop=True)
    b = df[df["scenario"] == "b"].drop(columns="scenario").reset_index(drop=True)
    pd.testing.assert_frame_equal(a, b)


@pytest.mark.parametrize("seeds", [[], [1, 2, 1]])
def test_empty_or_repeated_seeds_are_refused(seeds):
    with pytest.raises(ValueError, match="seeds"):
        replicates.run_replicates(None, seeds=seeds, **SMALL)


def test_mean_ci_is_the_t_interval():
    mean, lower, upper, n = replicates.mean_ci([1.0, 2.0, 3.0, np.nan])
    half = stats.t.ppf(0.975, 2) * 1.0 / np.sqrt(3)
    assert (mean, n) == (2.0, 3)
    assert lower == pytest.approx(2.0 - half) and upper == pytest.approx(2.0 + half)
    assert np.isnan(replicates.mean_ci([5.0])[1])  # one run says nothing about spread
    assert replicates.mean_ci([])[3] == 0


def test_mean_ci_covers_the_true_mean_about_95_times_in_100():
    rng = np.random.default_rng(2025)
    trials = 2000
    hits = 0
    for _ in range(trials):
        _, lower, upper, _ = replicates.mean_ci(rng.normal(10.0, 3.0, size=8))
        hits += lower <= 10.0 <= upper
    tolerance = 4 * np.sqrt(0.95 * 0.05 / trials)  # four binomial standard errors
    assert abs(hits / trials - 0.95) < tolerance


def _synthetic(n_runs: int, rng: np.random.Generator) -> pd.DataFrame:
    """Runs of one scenario over two steps: value ~ Normal(step * 10, 2)."""
    rows = [
        {"scenario": "s", "seed": seed, "step": step, "value": rng.normal(step * 10, 2.0)}
        for seed in range(n_runs)
        for step in (1, 2)
    ]
    return pd.DataFrame(rows)


def test_band_holds_the_middle_of_the_runs_and_the_ci_narrows_with_more_runs():
    rng = np.random.default_rng(7)
    few, many = _synthetic(25, rng), _synthetic(400, rng)
    b_few, b_many = replicates.band(few, "value"), replicates.band(many, "value")
    at2 = many[many["step"] == 2]["value"]
    row = b_many.set_index("step").loc[2]
    inside = ((at2 >= row["lower"]) & (at2 <= row["upper"])).mean()
    assert 0.93 <= inside <= 0.97
    assert row["mean"] == pytest.approx(20.0, abs=0.5)
    assert row["ci_upper"] - row["mean"] == pytest.approx(row["mean"] - row["ci_lower"])
    width = lambda b: (b["ci_upper"] - b["ci_lower"]).mean()  # noqa: E731
    spread = lambda b: (b["upper"] - b["lower"]).mean()  # noqa: E731
    # 16 times the runs: the CI of the mean shrinks about 4-fold, the band of runs does not
    assert 2.5 < width(b_few) / width(b_many) < 6.5
    assert 0.7 < spread(b_few) / spread(b_many) < 1.3
    assert (b_many["ci_upper"] - b_many["ci_lower"] < b_many["upper"] - b_many["lower"]).all()


def test_band_keeps_scenario_step_and_date(two_scenarios):
    b = replicates.band(two_scenarios, "members")
    assert list(b.columns[:2]) == ["scenario", "step"]
    assert len(b) == 2 * (SMALL["steps"] + 1)
    assert (b["n"] == 4).all()
    assert (b["lower"] <= b["mean"]).all() and (b["mean"] <= b["upper"]).all()
    assert b.loc[b["step"] == 12, "date"].unique().tolist() == ["2025-12"]


def test_compare_at_a_date_matches_mean_ci_of_those_rows(two_scenarios):
    table = replicates.compare(two_scenarios, "members", "2025-06")
    rows = two_scenarios[(two_scenarios["date"] == "2025-06")]
    for scenario in ("informal", "formal"):
        values = rows.loc[rows["scenario"] == scenario, "members"]
        mean, lower, upper, n = replicates.mean_ci(values)
        got = table.loc[scenario]
        assert (got["mean"], got["ci_lower"], got["ci_upper"], got["n"]) == pytest.approx(
            (mean, lower, upper, n)
        )
    last = replicates.compare(two_scenarios, "members")  # default: the last month
    assert last.loc["formal", "mean"] == pytest.approx(
        two_scenarios.query("step == 12 and scenario == 'formal'")["members"].mean()
    )


def test_compare_accepts_one_row_per_run():
    per_run = pd.DataFrame({"scenario": ["a"] * 3 + ["b"] * 3, "survival": [1, 2, 3, 4, 5, 6]})
    table = replicates.compare(per_run, "survival")
    assert table["mean"].tolist() == [2.0, 5.0] and table["n"].tolist() == [3, 3]
    with pytest.raises(ValueError, match="when"):
        replicates.compare(per_run, "survival", "2030-12")


def test_bad_input_names_the_problem(two_scenarios):
    with pytest.raises(KeyError, match="membrs.*allowed:.*members"):
        replicates.band(two_scenarios, "membrs")
    with pytest.raises(TypeError, match="archetype"):
        replicates.band(two_scenarios, "archetype")
    with pytest.raises(ValueError, match="level"):
        replicates.band(two_scenarios, "members", level=95)
    with pytest.raises(ValueError, match="2031-01.*2024-12.*2025-12"):
        replicates.compare(two_scenarios, "members", "2031-01")
    with pytest.raises(ValueError, match="scenarios"):
        replicates.run_scenarios({}, seeds=[1])
