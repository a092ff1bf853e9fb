"""Calibration: case files, the seeded sampler, predictive checks, posterior draws, the CLI."""

from __future__ import annotations

import copy

import numpy as np
import pandas as pd
import pyabc
import pytest

from conftest import calibration_case
from csei_sim.calibration import abc, cases, pipeline, posterior, validate
from csei_sim.calibration.cases import Observation, case_names, load_case, parse_case
from csei_sim.calibration.cli import main as calibrate_main
from csei_sim.calibration.simulate import apply, distance, members_at, stat_name
from csei_sim.calibration.synthetic import synthetic_case
from csei_sim.params import ParameterError, Params

TINY = calibration_case(
    "tiny",
    observations=[
        {"date": "2025-02", "members": [4, 5], "source": "test"},
        {"date": "2025-03", "members": 6, "source": "test"},
    ],
    priors={
        "region.threshold_mean": {"lo": 0.1, "hi": 0.45, "why": "test"},
        "behaviour.join_rate": {"lo": 0.1, "hi": 0.6, "why": "test"},
    },
    abc={"populations": 2, "population_size": 6},
)


def tiny(**changes):
    data = copy.deepcopy(TINY)
    for key, value in changes.items():
        data[key] = value
    return parse_case(data)


# -- case files ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["vasterbotten", "torino", "hamburg"])
def test_shipped_cases_load_with_sources_and_reasons(name):
    assert name in case_names()
    case = load_case(name)
    assert all(o.source for o in case.observations) and all(p.why for p in case.priors)
    assert case.steps >= 1
    Params.from_dict(apply(case, {p.key: p.lo for p in case.priors}))


def test_hamburg_member_counts_are_never_fitted():
    # public counts of a seed region check the model; they must not tune its preset
    assert not load_case("hamburg").fitted


def test_a_prior_without_a_range_takes_the_preset_range():
    case = load_case("vasterbotten")
    pool = next(p for p in case.priors if p.key == "region.n_organisations")
    assert (pool.lo, pool.hi) == (20, 80) and pool.integer


@pytest.mark.parametrize(
    ("change", "key"),
    [
        ({"colour": 1}, "colour"),
        (
            {"priors": {"region.threshold": {"lo": 0, "hi": 1, "why": "x"}}},
            "priors.region.threshold",
        ),
        ({"priors": {"threshold_mean": {"lo": 0, "hi": 1, "why": "x"}}}, "priors.threshold_mean"),
        (
            {"priors": {"region.threshold_mean": {"lo": 0.1, "hi": 2, "why": "x"}}},
            "priors.region.threshold_mean",
        ),
        (
            {"priors": {"region.threshold_mean": {"lo": 0.1, "hi": 0.2}}},
            "priors.region.threshold_mean.why",
        ),
        ({"priors": {"region.name": {"lo": 0.1, "hi": 0.2, "why": "x"}}}, "priors.region.name"),
        (
            {"observations": [{"date": "2025-13", "members": 3, "source": "x"}]},
            "observations[0].date",
        ),
        ({"observations": [{"date": "2025-03", "members": 3}]}, "observations[0].source"),
        (
            {"observations": [{"date": "2025-03", "members": [5, 2], "source": "x"}]},
            "observations[0].members",
        ),
        (
            {"observations": [{"date": "2024-03", "members": 3, "source": "x"}]},
            "observations[0].date",
        ),
        ({"base": {"region": "atlantis"}}, "base.region"),
        ({"base": {"overrides": {"region.core_size": 99}}}, "base.region.core_size"),
        ({"abc": {"populations": 0}}, "abc.populations"),
        ({"distance": {"statistic": "trust"}}, "distance.statistic"),
    ],
)
def test_a_bad_case_names_the_key(change, key):
    with pytest.raises(ParameterError) as err:
        tiny(**change)
    assert err.value.key == key


def test_cli_stops_on_a_bad_case_with_one_line_and_writes_nothing(tmp_path, capsys):
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: bad\npriors: {}\nobservations: []\n")
    out = tmp_path / "out"
    assert calibrate_main([str(bad), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("csei-sim-calibrate: error: observations")
    assert calibrate_main(["nowhere", "--out", str(out)]) == 2
    assert "unknown case" in capsys.readouterr().err
    assert calibrate_main(["hamburg", "--out", str(out)]) == 2  # nothing to fit
    assert "--validate" in capsys.readouterr().err
    assert not out.exists()


# -- simulation and distance ------------------------------------------------------------------


def test_free_shares_keep_their_group_summing_to_one_and_integers_round():
    data = copy.deepcopy(TINY)
    data["priors"] = {
        "region.share_ngo": {"lo": 0.2, "hi": 0.7, "why": "x"},
        "region.core_size": {"lo": 2, "hi": 5, "why": "x"},
    }
    case = parse_case(data)
    nested = apply(case, {"region.share_ngo": 0.7, "region.core_size": 3.6})
    params = Params.from_dict(nested)
    r = params.region
    shares = [r.share_municipality, r.share_ngo, r.share_firm, r.share_university]
    assert sum(shares) == pytest.approx(1) and r.share_ngo == pytest.approx(0.7)
    assert r.core_size == 4 and params.steps == case.steps == 3


def test_distance_is_zero_inside_the_observed_range_and_grows_outside():
    case = tiny()
    inside = {"members_2025-02": 4.5, "members_2025-03": 6.0}
    assert distance(case, inside) == 0
    near = distance(case, {**inside, "members_2025-03": 7.0})
    far = distance(case, {**inside, "members_2025-03": 10.0})
    assert 0 < near < far
    assert distance(case, {**inside, "members_2025-02": float("nan")}) == float("inf")


def test_a_run_at_parameters_outside_the_schema_is_rejected_not_raised():
    case = tiny()
    stats = members_at(case, {"region.threshold_mean": 0.3, "behaviour.join_rate": 5.0}, 1)
    assert np.isnan(list(stats.values())).all()


# -- the sampler ------------------------------------------------------------------------------


def _fit(tmp_path, name, seed, workers, case=None, **settings):
    case = case or tiny()
    abc.run(case, tmp_path / name, abc.Settings(seed=seed, workers=workers, **settings))
    return pd.read_parquet(tmp_path / name / abc.POSTERIOR)


def test_same_seed_same_posterior_on_one_or_two_workers_and_after_a_resume(tmp_path):
    straight = _fit(tmp_path, "a", 11, 1)
    # two workers, stopped after the first generation and resumed: still the same posterior
    _fit(tmp_path, "b", 11, 2, populations=1)
    assert len(pd.read_csv(tmp_path / "b" / abc.DIAGNOSTICS)) == 1
    abc.run(tiny(), tmp_path / "b", abc.Settings(seed=11, workers=2), resume=True)
    resumed = pd.read_parquet(tmp_path / "b" / abc.POSTERIOR)
    pd.testing.assert_frame_equal(straight, resumed)
    diag = pd.read_csv(tmp_path / "a" / abc.DIAGNOSTICS)
    pd.testing.assert_frame_equal(diag, pd.read_csv(tmp_path / "b" / abc.DIAGNOSTICS))
    assert list(diag.columns) == ["t", "epsilon", "samples", "particles", "acceptance_rate", "ess"]
    assert (diag["acceptance_rate"] <= 1).all() and (diag["ess"] <= diag["particles"] + 1e-9).all()
    assert len(straight) == 6 and straight["weight"].sum() == pytest.approx(1)
    other = _fit(tmp_path, "c", 12, 1, populations=1)
    first, _ = pyabc.History(f"sqlite:///{tmp_path / 'a' / abc.DB_NAME}").get_distribution(t=0)
    assert not np.allclose(
        np.sort(other["behaviour.join_rate"]), np.sort(first["behaviour.join_rate"])
    )


def test_fitting_a_synthetic_data_set_brings_runs_closer_to_it_than_the_prior(tmp_path):
    # months 4 and 6: long enough for the two parameters to leave their mark on the counts
    later = [{"date": d, "members": 6, "source": "test"} for d in ("2025-04", "2025-06")]
    case = tiny(abc={"populations": 3, "population_size": 10}, observations=later)
    truth = {"region.threshold_mean": 0.2, "behaviour.join_rate": 0.5}
    data = synthetic_case(case, truth, seed=3)
    post = _fit(tmp_path, "syn", 4, 2, case=data)
    # paired: the same run seeds for posterior and prior draws
    runs = posterior.predictive(data, posterior.draws(post, 30, 1), seed=2, workers=2)
    prior_runs = posterior.predictive(data, pipeline.prior_table(data, 30, 1), seed=2, workers=2)
    cols = [stat_name(o) for o in data.observations]
    mids = np.array([o.mid for o in data.observations])
    miss = (runs[cols] - mids).abs().to_numpy().mean()
    prior_miss = (prior_runs[cols] - mids).abs().to_numpy().mean()
    assert miss < prior_miss


# -- predictive checks, draws, spread ---------------------------------------------------------


def test_bands_cover_and_score_a_known_ensemble():
    case = tiny()
    runs = pd.DataFrame(
        {"members_2025-02": np.arange(100.0), "members_2025-03": np.full(100, 50.0)}
    )
    table = validate.bands(case, runs)
    first, second = table.iloc[0], table.iloc[1]
    assert first["lo90"] == pytest.approx(4.95) and first["hi90"] == pytest.approx(94.05)
    assert not first["covered50"]  # [24.75, 74.25] misses 4-5
    assert first["covered90"] and not second["covered90"]
    assert second["crps"] == pytest.approx(44.0)  # a sure forecast of 50 for 6 misses by 44
    scores = validate.scores(table)
    assert scores["coverage90"] == 0.5 and scores["observations"] == 2


def test_posterior_draws_are_seeded_and_follow_the_weights():
    post = pd.DataFrame({"a": [1.0, 2.0, 3.0], "weight": [0.0, 0.25, 0.75]})
    one, again = posterior.draws(post, 400, seed=1), posterior.draws(post, 400, seed=1)
    pd.testing.assert_frame_equal(one, again)
    assert 1.0 not in set(one["a"])
    share = (one["a"] == 3.0).mean()
    assert abs(share - 0.75) < 3 * np.sqrt(0.75 * 0.25 / 400)


def test_spread_shares_recover_known_variance_components():
    rng = np.random.default_rng(0)
    draws, runs = 400, 4
    mean = rng.normal(0, 2.0, draws)  # parameter variance 4
    values = mean[:, None] + rng.normal(0, 1.0, (draws, runs))  # noise variance 1
    frame = pd.DataFrame({"draw": np.repeat(np.arange(draws), runs), "x": values.ravel()})
    shares = posterior.spread_shares(frame, "x")
    assert shares["parameters"] == pytest.approx(0.8, abs=0.05)
    assert shares["parameters"] + shares["noise"] == pytest.approx(1)
    with pytest.raises(ValueError, match="two runs"):
        posterior.spread_shares(frame[frame["draw"] != 0].drop_duplicates("draw"), "x")


def test_whole_calibration_writes_its_folder_and_report(tmp_path):
    out = tmp_path / "tiny"
    result = pipeline.calibrate(
        tiny(), out, abc.Settings(seed=2), validate_prior=True, checks=pipeline.Checks(10, 2)
    )
    for name in (
        "abc.db",
        "posterior.parquet",
        "diagnostics.csv",
        "predictive.csv",
        "marginals.png",
        "pairwise.png",
        "predictive.png",
        "validation.png",
        "report.md",
    ):
        assert (out / name).is_file(), name
    text = (out / "report.md").read_text()
    for heading in (
        "## Observations",
        "## Priors and posterior",
        "## Diagnostics per generation",
        "## Posterior predictive check",
        "## Validation: prior predictive",
    ):
        assert heading in text
    assert 0 <= result["validation"]["coverage90"] <= 1
    assert result["spread"]["parameters"] + result["spread"]["noise"] == pytest.approx(1)


def test_a_check_only_case_validates_without_fitting(tmp_path):
    data = copy.deepcopy(TINY)
    for obs in data["observations"]:
        obs["use"] = "check"
    case = parse_case(data)
    out = tmp_path / "check"
    result = pipeline.calibrate(
        case, out, abc.Settings(seed=2), validate_prior=True, checks=pipeline.Checks(8, 1)
    )
    assert set(result) == {"validation"} and not (out / "abc.db").exists()
    assert "not fitted" in (out / "report.md").read_text()


def test_observation_midpoint():
    assert Observation("2025-01", 12, 60, "x").mid == 36
    assert cases.USES == ("fit", "check")


def test_csei_sim_routes_calibrate_to_the_calibration_command(capsys):
    from csei_sim.cli import main

    assert main(["calibrate", "nowhere"]) == 2
    assert capsys.readouterr().err.startswith("csei-sim-calibrate: error: case: unknown case")
