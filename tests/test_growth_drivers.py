"""The growth-drivers study on the shared scaffold: a tiny design end to end, and its factors."""

from __future__ import annotations

from dataclasses import replace

import pandas as pd
import pytest
import yaml

from csei_sim.studies import cli as study_cli
from csei_sim.studies import growth_drivers as gd
from csei_sim.studies import scaffold
from csei_sim.studies.outcomes import members_at

# office capacity as data: a tiny design varies only the office's cost, so that the study's
# plumbing is tested whatever the office's parameters are called
TINY = replace(
    gd.FULL,
    name="tiny_growth",
    pools=(20, 40),
    offices={"cheap": {"office_cost": 500.0}, "dear": {"office_cost": 24000.0}},
    horizons={k: gd.HORIZONS[k] for k in ("none", "2026-12")},
    replicates=3,
    steps=72,
)


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    root = tmp_path_factory.mktemp("growth")
    path = scaffold.run(gd.STUDY, TINY, root / "runs", root / "out", n_jobs=1, progress=False)
    return path, root


def test_full_design_is_the_asked_for_grid():
    d = gd.FULL
    assert d.pools == (60, 120, 240) and d.modes == ("informal", "formal")
    assert d.replicates >= 20 and d.steps == 72
    assert {k: v["office_cost"] for k, v in d.offices.items()} == {
        "0.5": 3000.0,
        "2": 12000.0,
        "4": 24000.0,
    }
    assert [v.get("committed_end") for v in d.horizons.values()] == [None, "2026-12", "2030-12"]
    assert d.horizons["none"]["committed_amount"] == 0
    grid, replicates = gd.grids(d)["cells"]
    assert len(grid.cells()) == 3 * 3 * 3 * 2 and replicates == d.replicates
    for label, params in grid.scenarios().items():  # every cell is a valid set of parameters
        office = params.governance
        assert f"office={office.office_staff:g}" in label
        assert office.office_cost == 6000 * office.office_staff
        assert params.region.name == "hamburg" and params.steps == 72


def test_tiny_study_writes_table_figures_and_computed_headline(report):
    path, root = report
    text = path.read_text()
    means = pd.read_csv(root / "out" / "tables" / "cell_means.csv")
    assert len(means) == 2 * 2 * 2 * 2 and (means["runs"] == 3).all()
    late = members_at(gd.LATE)
    best = means[late].max()
    assert f"to {best:.3g} (" in text  # the headline's number is the table's
    first = members_at(gd.FIRST)
    assert (means[f"{first}_lo"] <= means[first]).all() and (
        means[first] <= means[f"{first}_hi"]
    ).all()
    for key in gd.OUTCOMES:
        assert (root / "out" / "figures" / f"{key}.png").read_bytes()[:4] == b"\x89PNG"
    assert "- Command: `csei-sim-study" in text and "cell_means.csv" in text


def test_outcomes_are_those_of_the_runs(report):
    """A cell's means, recomputed from its runs' time series."""
    _, root = report
    means = pd.read_csv(root / "out" / "tables" / "cell_means.csv")
    row = means.iloc[-1]
    label = ",".join(f"{k}={row[k]}" for k in gd.FACTORS)
    runs = sorted((root / "runs" / "cells" / label).glob("replicate=*/timeseries.parquet"))
    assert len(runs) == 3
    series = [pd.read_parquet(p) for p in runs]  # indexed by step
    first = [ts.loc[12, "members"] for ts in series]
    assert all(ts.loc[12, "date"] == gd.FIRST for ts in series)
    assert row[members_at(gd.FIRST)] == pytest.approx(sum(first) / 3, rel=1e-5)
    joins = [ts.loc[1:12, "joins"].mean() for ts in series]
    assert row["growth_first_year"] == pytest.approx(sum(joins) / 3, rel=1e-5)
    late = sum(ts.loc[72, "members"] for ts in series) / 3
    assert row[members_at(gd.LATE)] == pytest.approx(late, rel=1e-5)


def test_factors_reach_the_runs(report):
    """The dear office and the grant change the runs' parameters, cell by cell."""
    _, root = report
    for path in (root / "runs" / "cells").glob("*/replicate=*/config.yaml"):
        cell, config = path.parent.parent.name, yaml.safe_load(path.read_text())
        dear, funded = "office=dear" in cell, "funding_horizon=2026-12" in cell
        assert config["governance"]["office_cost"] == (24000.0 if dear else 500.0)
        assert config["funding"]["committed_amount"] == (8000.0 if funded else 0.0)
        assert config["region"]["n_organisations"] == int(cell.split(",")[0].split("=")[1])


def test_registered_beside_the_other_studies():
    study, design = study_cli.design_of("growth_drivers", 25)
    assert study is gd.STUDY and design.replicates == 25
    assert "growth_drivers" in study_cli.parser().format_help()
