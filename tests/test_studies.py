"""The flagship studies: each pipeline on a tiny design, effect sizes, the equal-money design."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from csei_sim import cli as main_cli
from csei_sim.funding import FundingSchedule
from csei_sim.params import FundingParams, ParameterError
from csei_sim.studies import claims, effects
from csei_sim.studies import cli as study_cli
from csei_sim.studies import funding_scenarios as fs
from csei_sim.studies import informal_vs_formal as ivf
from csei_sim.studies.design import Grid, label

TINY_IVF = replace(
    ivf.FULL,
    name="tiny",
    regions=("vasterbotten", "voru"),
    fundings=("none", "committed_2030"),
    replicates=3,
    steps=24,
    months=("2025-12", "2026-12"),
    flip_sizes=(20, 30),
    flip_trusts=(0.3, 0.6),
    flip_replicates=3,
)
TINY_FUNDING = replace(
    fs.FULL,
    name="tiny",
    regions=("vasterbotten", "voru"),
    replicates=3,
    steps=24,
    months=("2025-06", "2025-12", "2026-12"),
)
VERDICTS = set(effects.VERDICTS)


def figures_of(report: Path) -> list[Path]:
    links = re.findall(r"!\[[^\]]*\]\(([^)]+\.png)\)", report.read_text())
    return [report.parent / link for link in links]


def assert_complete_report(report: Path) -> str:
    text = report.read_text()
    for heading in (
        "## How to regenerate",
        "## Design",
        "## Results",
        "## What the model says",
        "## Limits of what it can say",
    ):
        assert heading in text, heading
    assert "- Command: `csei-sim-study" in text and "git revision" in text
    assert re.search(r"csei-sim \d+\.\d+", text)
    pngs = figures_of(report)
    assert pngs, "the report shows no figures"
    for png in pngs:
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", png
    return text


@pytest.fixture(scope="module")
def ivf_report(tmp_path_factory):
    root = tmp_path_factory.mktemp("ivf")
    path = ivf.STUDY.run(TINY_IVF, root / "runs", root / "report", n_jobs=1, progress=False)
    return path, root


@pytest.fixture(scope="module")
def funding_report(tmp_path_factory):
    root = tmp_path_factory.mktemp("funding")
    path = fs.STUDY.run(TINY_FUNDING, root / "runs", root / "report", n_jobs=1, progress=False)
    return path, root


def test_informal_vs_formal_pipeline_writes_report_tables_and_figures(ivf_report):
    report, _ = ivf_report
    text = assert_complete_report(report)
    assert {p.name for p in figures_of(report)} == {
        "members_by_region.png",
        "effects.png",
        "flip_map.png",
        "flip_runs.png",
    }
    eff = pd.read_csv(report.parent / "tables" / "effects_vs_informal.csv")
    outcomes = TINY_IVF.outcomes()
    # regions x fundings x modes other than informal x outcomes
    assert len(eff) == 2 * 2 * 3 * len(outcomes)
    assert set(eff["governance"]) == {"gradual", "formal", "lead_organisation"}
    assert set(eff["funding"]) == {"none", "committed_2030"}
    assert set(eff["verdict"]) <= VERDICTS
    flip = pd.read_csv(report.parent / "tables" / "flip_cells.csv")
    assert len(flip) == 2 * 2 * 2 * 2  # sizes x trusts x fundings x compared months
    for name in outcomes.values():
        assert f"**{name}**" in text  # one effect table per outcome
    assert "members at end of 2026-12" in text and "formal ahead" in text


def test_informal_vs_formal_effects_match_the_runs(ivf_report):
    report, _ = ivf_report
    means = pd.read_csv(report.parent / "tables" / "outcome_means.csv")
    eff = pd.read_csv(report.parent / "tables" / "effects_vs_informal.csv")
    row = eff[
        (eff.region == "voru")
        & (eff.funding == "none")
        & (eff.governance == "formal")
        & (eff.outcome == "joint_projects")
    ].iloc[0]
    cell = means[(means.region == "voru") & (means.funding == "none")]
    by_mode = cell.set_index("governance")["joint_projects"]
    close = {"rel": 1e-4}  # the tables keep six significant digits
    assert row["treated_mean"] == pytest.approx(by_mode["formal"], **close)
    assert row["reference_mean"] == pytest.approx(by_mode["informal"], **close)
    assert row["difference"] == pytest.approx(by_mode["formal"] - by_mode["informal"], **close)


def test_a_study_resumes_without_rerunning(ivf_report, tmp_path):
    report, root = ivf_report
    before = {p: p.stat().st_size for p in (root / "runs").rglob("timeseries.parquet")}
    again = ivf.STUDY.run(TINY_IVF, root / "runs", tmp_path / "again", n_jobs=1, progress=False)
    after = {p: p.stat().st_size for p in (root / "runs").rglob("timeseries.parquet")}
    assert before == after and len(before) == TINY_IVF.n_runs() == 96
    old = pd.read_csv(report.parent / "tables" / "effects_vs_informal.csv")
    new = pd.read_csv(again.parent / "tables" / "effects_vs_informal.csv")
    pd.testing.assert_frame_equal(old, new)


def test_funding_pipeline_writes_report_tables_and_figures(funding_report):
    report, _ = funding_report
    text = assert_complete_report(report)
    assert {p.name for p in figures_of(report)} == {
        "members_by_scenario.png",
        "effects.png",
        "income_mix.png",
        "stability_effect.png",
        "stability_score.png",
        "stability_members.png",
    }
    eff = pd.read_csv(report.parent / "tables" / "effects_vs_none.csv")
    assert set(eff["funding"]) == set(fs.SCENARIOS) - {"none"}
    mix = pd.read_csv(report.parent / "tables" / "income_mix.csv")
    none = mix[mix.funding == "none"]
    assert (none["income_committed_grant"] == 0).all() and (
        none["income_project_grants"] == 0
    ).all()
    assert (mix.loc[mix.funding == "cliff", "income_committed_grant"] > 0).all()
    contrasts = pd.read_csv(report.parent / "tables" / "stability_contrasts.csv")
    assert set(contrasts["contrast"]) == {
        "committed - grants, horizon 36",
        "committed - grants, horizon 1",
        "planning-stability effect",
    }
    assert "## The planning-stability effect of a guaranteed horizon" in text


def test_committed_arm_is_more_stable_than_uncertain_grants(funding_report):
    report, _ = funding_report
    c = pd.read_csv(report.parent / "tables" / "stability_contrasts.csv")
    stab = c[(c.outcome == "mean_planning_stability") & (c.contrast.str.endswith("horizon 36"))]
    assert (stab["diff_lo"] > 0).all()  # the guaranteed horizon is what the arms differ in


def test_uncertain_grants_pay_the_committed_total_in_expectation():
    design = replace(fs.FULL, steps=60)
    arm = fs.stability_arms(design)["uncertain_grants"]
    p = FundingParams(**{k: v for k, v in arm.items() if k in FundingParams.__dataclass_fields__})
    totals = []
    for seed in range(400):
        rng, schedule = np.random.default_rng(seed), FundingSchedule(p, "2025-01")
        total = 0.0
        for step in range(1, design.steps + 1):
            schedule.apply_for_grants(step, 5, False, 1.0, rng)
            total += schedule.income(step, 5, 0.0)["project_grants"]
        totals.append(total)
    expected = design.amount * design.steps
    se = np.std(totals, ddof=1) / np.sqrt(len(totals))
    assert abs(np.mean(totals) - expected) < 3 * se
    committed = fs.stability_arms(design)["committed_up_front"]
    assert committed["committed_end"] == "2032-12"  # 60 months + a 36-month horizon


def test_paired_effects_recover_a_known_difference():
    rng = np.random.default_rng(1)
    base = pd.Series(rng.normal(10, 2, 40))
    shifted = base + 3 + pd.Series(rng.normal(0, 0.5, 40))
    got = effects.paired(shifted, base)
    assert got["diff_lo"] < 3 < got["diff_hi"] and got["verdict"] == "higher"
    assert got["d_lo"] < got["d"] < got["d_hi"] and got["d"] == pytest.approx(1.5, abs=0.4)
    assert effects.paired(base, shifted)["verdict"] == "lower"
    same = effects.paired(base, base.copy())
    assert same["verdict"] == "identical" and same["d"] == 0
    noise = effects.paired(pd.Series(rng.normal(0, 1, 30)), pd.Series(rng.normal(0, 1, 30)))
    assert noise["verdict"] == "undecided"


def test_compare_needs_the_reference_level():
    frame = pd.DataFrame({"replicate": [0, 1], "mode": ["a", "a"], "y": [1.0, 2.0]})
    with pytest.raises(KeyError, match="reference level 'b'"):
        effects.compare(frame, "mode", "b", ["y"])


def test_grid_crosses_presets_parameters_and_variants():
    grid = Grid(
        {"region": ("voru", "hamburg"), "initial_trust": (0.3,), "arm": ("x", "y")},
        choices={"governance": "formal"},
        overrides={"steps": 12},
        variants={"arm": {"x": {"membership_fee": 5.0}, "y": {"membership_fee": 9.0}}},
    )
    cells = grid.cells()
    assert list(cells)[0] == label(cells[list(cells)[0]]) == "region=voru,initial_trust=0.3,arm=x"
    params = grid.scenarios()
    p = params["region=hamburg,initial_trust=0.3,arm=y"]
    assert p.region.n_organisations == 120 and p.region.initial_trust == 0.3
    assert p.funding.membership_fee == 9.0 and p.governance.governance_mode == "formal"
    assert p.steps == 12
    with pytest.raises(ParameterError, match="initial_trust"):
        Grid({"initial_trust": (2.0,)}).scenarios()


def test_a_claim_whose_premise_fails_is_withheld_with_a_note():
    ok = claims.Claim("Formal wins.", "formal ahead", lambda r: r["formal"] > 0)
    assert claims.render([ok], {"formal": 1}) == ["Formal wins.", ""]
    shown = claims.render([ok], {"formal": -1})
    assert "Formal wins." not in shown[0] and "formal ahead" in shown[0]
    assert "withheld" in claims.render([ok], {})[0]  # a missing result counts as failing


def test_csei_sim_without_arguments_runs_the_quick_study(monkeypatch):
    seen = []
    monkeypatch.setattr(study_cli, "main", lambda argv: seen.append(argv) or 0)
    assert main_cli.main([]) == 0
    assert main_cli.main(["study", "funding_scenarios", "--replicates", "5"]) == 0
    assert seen == [["quick"], ["funding_scenarios", "--replicates", "5"]]


def test_quick_study_is_a_smaller_version_of_the_full_one():
    q, f = ivf.QUICK, ivf.FULL
    assert set(q.regions) < set(f.regions) and q.modes == f.modes and q.steps == f.steps
    assert q.n_runs() <= 300 < f.n_runs()
    assert f.replicates >= 30 and fs.FULL.replicates >= 30


def test_study_command_rejects_bad_input(capsys):
    with pytest.raises(SystemExit):
        study_cli.main(["nonsense"])
    assert "invalid choice" in capsys.readouterr().err
    assert study_cli.main(["quick", "--replicates", "1"]) == 2
    assert "--replicates" in capsys.readouterr().err
