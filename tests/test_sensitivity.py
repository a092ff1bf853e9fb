"""Sensitivity analysis and scenario discovery: the factor space, the SALib and PRIM pipelines on
toy cases with known answers, and the three commands end to end on a tiny design."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from SALib.test_functions import Ishigami

from csei_sim.params import ParameterError, Params, field_specs
from csei_sim.sensitivity import discovery, morris, sobol
from csei_sim.sensitivity.cli import main
from csei_sim.sensitivity.factors import (
    EXCLUDED,
    GROUPS,
    RANGES,
    REGION_SHARES,
    Factor,
    FactorSpace,
    base_params,
)
from csei_sim.sensitivity.outcomes import NAMES, outcome_row

# -- factor space ---------------------------------------------------------------------------------


def test_every_numeric_parameter_is_a_factor_or_excluded_with_a_reason():
    names = set(FactorSpace.full().names)
    for group in GROUPS:
        for name, (kind, _meta) in field_specs(type(getattr(Params(), group))).items():
            if kind in (int, float):
                assert (name in names) != (name in EXCLUDED), name
    assert names == set(RANGES)  # no range for a parameter that no longer exists
    for f in FactorSpace.full().factors:  # sub-ranges lie inside the allowed ranges
        if f.name != "outreach_fraction":
            meta = field_specs(type(getattr(Params(), f.group)))[f.name][1]
            assert meta["lo"] <= f.lo < f.hi <= meta["hi"], f.name


def test_shares_are_renormalised_and_integers_rounded():
    base = base_params(
        overrides={
            "region.share_municipality": 0.2,
            "region.share_ngo": 0.4,
            "region.share_firm": 0.3,
            "region.share_university": 0.1,
        }
    )
    space = FactorSpace.of(["share_ngo", "share_mission", "outreach_fraction", "core_size"])
    p = space.apply(
        base, {"share_ngo": 0.5, "share_mission": 0.3, "outreach_fraction": 0.25, "core_size": 6.6}
    )
    shares = [getattr(p.region, s) for s in REGION_SHARES]
    assert sum(shares) == pytest.approx(1.0) and p.region.share_ngo == 0.5
    # the other sectors keep their 2 : 3 : 1 proportions
    assert p.region.share_firm / p.region.share_municipality == pytest.approx(1.5)
    assert p.region.share_university / p.region.share_municipality == pytest.approx(0.5)
    fa = p.facilitation
    assert (fa.share_mission, fa.share_outreach, fa.share_dialogue) == pytest.approx(
        (0.3, 0.175, 0.525)
    )
    assert p.region.core_size == 7


def test_bad_factor_or_preset_names_the_allowed_values():
    with pytest.raises(ParameterError, match="allowed: .*n_organisations"):
        FactorSpace.of(["n_organisation"])
    with pytest.raises(ParameterError, match="allowed: .*hamburg"):
        base_params({"region": "atlantis"})


def test_never_reaching_critical_mass_counts_as_horizon_plus_one():
    row = outcome_row({"time_to_critical_mass": None, "members_end_2035": 3.0}, steps=132)
    assert row["time_to_critical_mass"] == 133 and row["never_critical"] == 1.0


# -- the pipelines on toy models with known answers ------------------------------------------------


def _toy_space(names, lo=0.0, hi=1.0) -> FactorSpace:
    return FactorSpace(tuple(Factor(n, "toy", lo, hi) for n in names))


def test_morris_recovers_the_coefficients_of_a_linear_model():
    space = _toy_space(["a", "b", "c"])

    def linear(design: pd.DataFrame) -> pd.DataFrame:
        return pd.DataFrame({"y": 10 * design["a"] - 3 * design["b"]}, index=design.index)

    _, _, idx = morris.run(space, linear, trajectories=6, seed=4)
    idx = idx.set_index("factor")
    assert idx.loc[["a", "b", "c"], "mu_star"].to_numpy() == pytest.approx([10, 3, 0])
    assert idx.loc["b", "mu"] == pytest.approx(-3)
    assert idx["sigma"].max() == pytest.approx(0, abs=1e-9)  # linear: no interactions
    assert morris.top_factors(idx.reset_index(), 2) == ["a", "b"]


def _ishigami(design: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({"y": Ishigami.evaluate(design.to_numpy())}, index=design.index)


def test_sobol_recovers_the_ishigami_indices_within_their_intervals():
    space = _toy_space(["x1", "x2", "x3"], -np.pi, np.pi)
    _, _, idx = sobol.run(space, _ishigami, n=1024, seed=3)
    idx = idx.set_index("factor")
    # analytic values for a = 7, b = 0.1
    for name, s1, st in (("x1", 0.3139, 0.5576), ("x2", 0.4424, 0.4424), ("x3", 0.0, 0.2437)):
        assert idx.loc[name, "S1_lo"] - 0.02 <= s1 <= idx.loc[name, "S1_hi"] + 0.02, name
        assert idx.loc[name, "ST_lo"] - 0.02 <= st <= idx.loc[name, "ST_hi"] + 0.02, name
    assert list(idx.sort_values("ST", ascending=False).index) == ["x1", "x2", "x3"]


def test_prim_finds_a_planted_box():
    rng = np.random.default_rng(5)
    x = pd.DataFrame(rng.random((300, 3)), columns=list("abc"))
    x["mode"] = pd.Categorical(rng.choice(["informal", "formal"], 300))
    y = ((x["a"] > 0.6) & (x["b"] < 0.4) & (x["mode"] == "informal")).to_numpy()
    found = discovery.find("toy", x, y, resamples=3, seed=2)
    assert set(found.limits.index) == {"a", "b", "mode"}
    assert found.limits.loc["a", "low"] == pytest.approx(0.6, abs=0.05)
    assert found.limits.loc["b", "high"] == pytest.approx(0.4, abs=0.05)
    assert found.limits.loc["mode", "low"] == "informal"
    assert found.stats["coverage"] >= 0.8 and found.stats["density"] >= 0.9
    assert found.limits["reproducibility"].min() >= 2 / 3
    traj = found.trajectory
    assert traj["coverage"].is_monotonic_decreasing and traj.loc[0, "coverage"] == 1.0


def test_prim_drops_restrictions_that_are_not_significant():
    rng = np.random.default_rng(8)
    x = pd.DataFrame(rng.random((300, 4)), columns=list("abcd"))
    y = (x["a"] > 0.5).to_numpy() ^ (rng.random(300) < 0.2)  # one real factor, 20% label noise
    rule = discovery.Rule(min_coverage=0.3, max_dims=4)
    found = discovery.find("noisy", x, y, rule=rule, resamples=0)
    assert found.chosen != found.peeled  # the peeled box had spurious restrictions
    assert "a" in found.limits.index
    qps = found.limits[["qp_low", "qp_high"]].min(axis=1)
    assert (qps <= rule.alpha).all()
    assert found.trajectory.loc[found.chosen, "res_dim"] == len(found.limits)


def test_prim_box_choice_respects_coverage_and_dimensions():
    traj = pd.DataFrame(
        {
            "coverage": [1.0, 0.9, 0.6, 0.4],
            "density": [0.2, 0.5, 0.8, 0.95],
            "res_dim": [0, 1, 2, 4],
        }
    )
    assert discovery.choose(traj, 0.5, 3) == 2
    assert discovery.choose(traj, 0.5, 1) == 1
    assert discovery.choose(traj, 0.99, 3) == 0


# -- the commands end to end ---------------------------------------------------------------------

TINY = ["--replicates", "1", "--n-jobs", "2", "--quiet", "--seed", "3"]


@pytest.fixture(scope="module")
def analyses(tmp_path_factory):
    root = tmp_path_factory.mktemp("sensitivity")
    common = [*TINY, "--report-dir", str(root)]
    factors = "n_organisations,event_size,rejoin_factor"
    assert main(["morris", "--factors", factors, "--trajectories", "3", *common]) == 0
    assert main(["sobol", "--top", "2", "--samples", "4", *common]) == 0
    prim = ["--factors", "n_organisations,setup_months", "--samples", "16"]
    assert main(["prim", *prim, "--survival-threshold", "0.95", *common]) == 0
    return root


def test_morris_command_writes_indices_and_ranks_pool_size_first(analyses):
    idx = pd.read_csv(analyses / "morris" / "indices.csv")
    assert set(idx["outcome"]) == set(NAMES) and len(idx) == 4 * 3
    assert {"mu_star", "mu_star_conf", "sigma", "rank"} <= set(idx.columns)
    members = idx[idx["outcome"] == "members_2035"].set_index("factor")
    # a pool of 30 vs 120 organisations dominates how many can be members at 2035
    assert members["rank"].idxmin() == "n_organisations"
    settings = json.loads((analyses / "morris" / "settings.json").read_text())
    assert settings["points"] == 3 * 4 and settings["runs"] == 12


def test_morris_command_resumes_without_rerunning(analyses, tmp_path):
    runs = sorted((analyses / "morris" / "runs").glob("*/replicate=0/timeseries.parquet"))
    before = {p: p.stat().st_mtime_ns for p in runs}
    old = pd.read_csv(analyses / "morris" / "indices.csv")
    args = [
        "morris",
        "--factors",
        "n_organisations,event_size,rejoin_factor",
        "--trajectories",
        "3",
        *TINY,
        "--report-dir",
        str(analyses),
        "--no-report",
    ]
    assert main(args) == 0
    assert {p: p.stat().st_mtime_ns for p in runs} == before  # nothing was run again
    pd.testing.assert_frame_equal(pd.read_csv(analyses / "morris" / "indices.csv"), old)


def test_sobol_command_takes_the_morris_top_factors(analyses):
    idx = pd.read_csv(analyses / "sobol" / "indices.csv")
    settings = json.loads((analyses / "sobol" / "settings.json").read_text())
    assert settings["factors"][0] == "n_organisations" and len(settings["factors"]) == 2
    assert settings["points"] == 4 * (2 + 2)
    assert set(idx["outcome"]) == set(NAMES) and len(idx) == 4 * 2
    assert {"S1", "S1_lo", "S1_hi", "ST", "ST_lo", "ST_hi"} <= set(idx.columns)


def test_prim_command_writes_both_cases_and_the_report(analyses):
    cases = pd.read_csv(analyses / "prim" / "cases.csv").set_index("case")
    assert set(cases.index) == {"informal_beats_formal", "survives_grant_end"}
    assert cases.loc["survives_grant_end", "points"] == 2 * 16  # both modes pooled
    for case in cases.index:
        traj = pd.read_csv(analyses / "prim" / f"{case}_trajectory.csv")
        assert {"coverage", "density", "mass", "res_dim"} <= set(traj.columns)
        assert traj["coverage"].between(0, 1).all()
        assert 0 < cases.loc[case, "base_rate"] < 1
    report = (analyses / "report.md").read_text()
    for heading in ("## Morris screening", "## Sobol indices", "## Scenario discovery (PRIM)"):
        assert heading in report
    for name in ("morris.png", "sobol.png", "prim_informal_beats_formal.png"):
        assert (analyses / "figures" / name).stat().st_size > 5000


def test_bad_command_line_input_stops_with_the_key(tmp_path, capsys):
    assert main(["morris", "--factors", "nope", "--report-dir", str(tmp_path)]) == 2
    assert "nope: not a factor; allowed:" in capsys.readouterr().err
    assert main(["morris", "--preset", "region=atlantis", "--report-dir", str(tmp_path)]) == 2
    assert "allowed: agder" in capsys.readouterr().err
    assert main(["sobol", "--report-dir", str(tmp_path)]) == 2
    assert "run morris first" in capsys.readouterr().err
    assert not (tmp_path / "morris").exists()


# -- robustness of study 1's headline -------------------------------------------------------------

HEADLINE_SPEC = """
outcomes: [joint_projects, time_to_critical_mass]
fundings: [none, committed_2030]
factors: [n_organisations, initial_trust]
"""


@pytest.fixture
def headline_spec(tmp_path):
    path = tmp_path / "spec.yaml"
    path.write_text(HEADLINE_SPEC)
    return path


def headline_args(method, spec, out, *extra):
    return [
        "headline",
        method,
        "--spec",
        str(spec),
        "--out",
        str(out),
        "--set",
        "steps=24",
        "--n-jobs",
        "1",
        "--quiet",
        *extra,
    ]


def test_the_packaged_headline_spec_loads_and_names_the_funding_condition():
    from csei_sim.sensitivity import headline as hl

    spec = hl.Spec.load()
    assert spec.fundings == ("none", "project_grants", "committed_2030")
    assert "n_organisations" in spec.factors and "members_2035" in spec.outcomes
    space = hl.HeadlineSpace(spec.space(), spec.fundings)
    assert space.names[-1] == "funding" and space.problem()["bounds"][-1] == [0.0, 3.0]
    assert [space.funding_of(v) for v in (0.0, 1.99, 2.5, 3.0)] == [
        "none",
        "project_grants",
        "committed_2030",
        "committed_2030",
    ]


def test_headline_sobol_decomposes_informal_minus_formal_with_funding_a_factor(
    headline_spec, tmp_path
):
    out = tmp_path / "sobol"
    assert main(headline_args("sobol", headline_spec, out, "--samples", "4")) == 0
    design = pd.read_parquet(out / "design.parquet")
    assert len(design) == 4 * (3 + 2) and set(design.columns) >= {"funding", "n_organisations"}
    runs = pd.read_parquet(out / "runs.parquet")
    assert set(runs["variant"]) == {"informal", "formal"} and len(runs) == 2 * len(design)
    indices = pd.read_csv(out / "indices.csv")
    assert set(indices["factor"]) == {"n_organisations", "initial_trust", "funding"}
    assert set(indices["outcome"]) == {"joint_projects", "time_to_critical_mass"}
    # the outcome is the paired difference of each point, informal minus formal
    point = runs[runs["point"] == 0].set_index("variant")["joint_projects"]
    from csei_sim.sensitivity.headline import differences

    diff = differences(runs, ("joint_projects",))
    assert diff.loc[0, "joint_projects"] == point["informal"] - point["formal"]
    text = (out / "report.md").read_text()
    assert "## Sobol indices of the difference" in text and "committed_2030" in text


def test_headline_prim_finds_boxes_with_the_funding_condition_categorical(headline_spec, tmp_path):
    out = tmp_path / "prim"
    assert main(headline_args("prim", headline_spec, out, "--samples", "20")) == 0
    design = pd.read_parquet(out / "design.parquet")
    assert sorted(design["funding"].value_counts()) == [10, 10]  # balanced
    cases = pd.read_csv(out / "cases.csv")
    assert set(cases["case"]) == {
        f"{o}_{c}"
        for o in ("joint_projects", "time_to_critical_mass")
        for c in ("informal_ahead", "formal_ahead")
    }
    assert "## PRIM: where each mode is ahead" in (out / "report.md").read_text()


@pytest.mark.parametrize(
    ("extra", "fragment"),
    [
        (["--samples", "6"], "power of 2"),
        (["--samples", "4096"], "power of 2"),
        (["--replicates", "0"], "--replicates"),
        (["--preset", "funding=none"], "funding is a factor"),
    ],
)
def test_headline_refuses_bad_sizes_in_one_line(headline_spec, tmp_path, capsys, extra, fragment):
    assert main(headline_args("sobol", headline_spec, tmp_path / "x", *extra)) == 2
    err = capsys.readouterr().err
    assert fragment in err and err.count("\n") == 1
    assert not (tmp_path / "x").exists()


def test_headline_spec_refuses_funding_parameters_and_unknown_outcomes(tmp_path):
    from csei_sim.sensitivity import headline as hl

    bad = tmp_path / "bad.yaml"
    bad.write_text("factors: [committed_amount]\nfundings: [none]\n")
    with pytest.raises(ParameterError, match="funding condition is a factor"):
        hl.Spec.load(bad)
    bad.write_text("factors: [n_organisations]\nfundings: [none]\noutcomes: [survival]\n")
    with pytest.raises(ParameterError, match="outcomes"):
        hl.Spec.load(bad)
    bad.write_text("factors: [n_organisations]\nfundings: [lottery]\n")
    with pytest.raises(ParameterError, match="fundings"):
        hl.Spec.load(bad)


def test_prim_survival_case_takes_critical_mass_as_a_share_of_each_pool():
    from csei_sim.sensitivity.studies import PrimSettings, prim_cases

    design = pd.DataFrame({"n_organisations": [20.0, 120.0]})
    runs = pd.DataFrame(
        {
            "point": [0, 0, 1, 1],
            "variant": ["informal", "formal"] * 2,
            "members_2035": [10.0, 9.0, 10.0, 11.0],
            "survival": 1.0,
            "survival_ratio": 1.0,
            "joint_projects": 1.0,
            "time_to_critical_mass": 5.0,
            "members_end_2030": 10.0,  # 10 members kept: 5 make critical mass of 20, 30 of 120
        }
    )
    cases = prim_cases(runs, design, PrimSettings(), pools=pd.Series([20, 120]))
    x, survives = cases["survives_grant_end"]
    assert list(survives) == [True, True, False, False]
    assert list(cases["informal_beats_formal"][1]) == [True, False]
