"""The Python runner: resumable run folders, parallel sweeps, aggregation and the report."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from omegaconf import OmegaConf

from csei_sim import CSEIModel, Params
from csei_sim.experiment import (
    RunSpec,
    aggregate,
    find_runs,
    is_complete,
    run_one,
    run_seed,
    run_sweep,
    write_report,
)
from csei_sim.experiment.stats import mean_ci

SMALL = {"steps": 18, "n_organisations": 16}
SCENARIOS = {
    "informal": {**SMALL, "governance_mode": "informal"},
    "formal": {**SMALL, "governance_mode": "formal"},
}


def test_a_run_folder_is_complete_reproducible_and_skipped_when_asked_again(tmp_path):
    spec = RunSpec(Params.from_dict(SMALL), base_seed=11, replicate=2)
    first = run_one(spec, tmp_path / "run", plot=True)
    assert not first.skipped and is_complete(tmp_path / "run", spec)
    names = {p.name for p in (tmp_path / "run").iterdir()}
    assert {
        "config.yaml",
        "timeseries.parquet",
        "summary.parquet",
        "membership.png",
        "done.json",
    } <= names
    stamp = (tmp_path / "run" / "timeseries.parquet").stat().st_mtime_ns
    again = run_one(spec, tmp_path / "run")
    assert again.skipped and again.seed == first.seed == run_seed(11, 2)
    assert (tmp_path / "run" / "timeseries.parquet").stat().st_mtime_ns == stamp
    # the saved config rebuilds the very same run
    cfg = OmegaConf.load(tmp_path / "run" / "config.yaml")
    rebuilt = CSEIModel.from_config(cfg).run().timeseries()
    saved = pd.read_parquet(tmp_path / "run" / "timeseries.parquet")
    pd.testing.assert_frame_equal(rebuilt, saved, check_dtype=False)


def test_changed_parameters_or_a_damaged_folder_are_redone(tmp_path):
    out = tmp_path / "run"
    run_one(RunSpec(Params.from_dict(SMALL)), out)
    redo = run_one(RunSpec(Params.from_dict({**SMALL, "initial_trust": 0.6})), out)
    assert not redo.skipped
    done = json.loads((out / "done.json").read_text())
    assert done["summary"]["final_members"] == redo.summary["final_members"]
    assert (
        done["fingerprint"]
        == RunSpec(Params.from_dict({**SMALL, "initial_trust": 0.6})).fingerprint()
    )
    (out / "summary.parquet").write_bytes(b"PAR1")  # damaged after completion
    (out / ".timeseries.parquet.x.tmp").write_text("left by a killed writer")
    assert not is_complete(out)
    assert not run_one(RunSpec(Params.from_dict({**SMALL, "initial_trust": 0.6})), out).skipped
    assert is_complete(out) and not list(out.glob(".*.tmp"))
    assert len(pd.read_parquet(out / "summary.parquet")) == 1


def test_sweeps_give_the_same_numbers_serial_and_parallel_and_resume(tmp_path):
    serial = run_sweep(SCENARIOS, tmp_path / "serial", replicates=3, n_jobs=1, progress=False)
    parallel = run_sweep(SCENARIOS, tmp_path / "parallel", replicates=3, n_jobs=2, progress=False)
    assert len(serial) == len(parallel) == 6
    _, a = aggregate(tmp_path / "serial")
    _, b = aggregate(tmp_path / "parallel")
    pd.testing.assert_frame_equal(a, b)
    assert a["seed"].nunique() == 3  # replicates differ; scenarios share seeds (common numbers)
    stamps = {p: (p / "done.json").read_text() for p in serial}
    run_sweep(SCENARIOS, tmp_path / "serial", replicates=3, n_jobs=1, progress=False)
    assert {p: (p / "done.json").read_text() for p in serial} == stamps


@pytest.fixture(scope="module")
def sweep(tmp_path_factory):
    root = tmp_path_factory.mktemp("sweep")
    run_sweep(SCENARIOS, root, replicates=4, base_seed=5, n_jobs=1, progress=False)
    return root


def test_aggregate_gives_tidy_tables_with_parameters(sweep, tmp_path):
    timeseries, summary = aggregate(sweep)
    assert len(summary) == 8 and set(summary["scenario"]) == set(SCENARIOS)
    assert not summary.duplicated(["scenario", "replicate"]).any()
    assert {
        "run",
        "base_seed",
        "replicate",
        "seed",
        "governance_mode",
        "n_organisations",
        "final_members",
        "archetype",
    } <= set(summary.columns)
    assert (
        summary.groupby("scenario")["governance_mode"].first()
        == pd.Series({"formal": "formal", "informal": "informal"})
    ).all()
    assert len(timeseries) == 8 * (SMALL["steps"] + 1)
    assert {"scenario", "replicate", "step", "governance_mode", "members"} <= set(timeseries)
    assert "n_organisations" not in timeseries  # constant parameters stay in the summary only
    last = timeseries[timeseries["step"] == SMALL["steps"]].set_index(["scenario", "replicate"])
    by_run = summary.set_index(["scenario", "replicate"])["final_members"]
    assert (last["members"].sort_index() == by_run.sort_index()).all()


def test_incomplete_runs_are_left_out_and_listed(sweep, tmp_path):
    import shutil

    copy = tmp_path / "copy"
    shutil.copytree(sweep, copy)
    victim = sorted(copy.glob("formal/replicate=*"))[0]
    (victim / "done.json").unlink()
    complete, incomplete = find_runs(copy)
    assert incomplete == [victim] and len(complete) == 7
    assert len(aggregate(copy)[1]) == 7


def test_report_has_tables_figures_and_intervals(sweep, tmp_path):
    path = write_report(sweep, tmp_path / "report")
    text = path.read_text()
    for name in ("membership.png", "outcomes.png", "radar_formal.png", "radar_informal.png"):
        png = tmp_path / "report" / "figures" / name
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert f"figures/{name}" in text
    _, summary = aggregate(sweep)
    mean, lo, hi, n = mean_ci(summary.loc[summary["scenario"] == "formal", "final_members"])
    assert n == 4 and lo <= mean <= hi
    row = next(line for line in text.splitlines() if line.startswith("| formal"))
    assert f"{mean:.3g} [{lo:.3g}, {hi:.3g}]" in row
    tables = pd.read_parquet(tmp_path / "report" / "summary.parquet")
    assert len(tables) == 8 and "reached_critical_mass" in tables


def test_report_subcommand_of_the_cli(sweep, tmp_path, capsys):
    from csei_sim.cli import main

    assert main(["report", str(sweep), "--out", str(tmp_path / "r")]) == 0
    assert (tmp_path / "r" / "report.md").is_file()
    assert main(["report", str(tmp_path / "none")]) == 2
    assert "is not a folder" in capsys.readouterr().err


def test_mean_ci_is_the_t_interval():
    mean, lo, hi, n = mean_ci([1.0, 2.0, 3.0, np.nan])
    assert (mean, n) == (2.0, 3)
    assert hi - mean == pytest.approx(4.302653 / np.sqrt(3), rel=1e-6)
    assert mean_ci([])[3] == 0


def test_shares_get_a_wilson_interval_inside_zero_and_one():
    from csei_sim.experiment.stats import interval

    share, lo, hi, n = interval([1, 1, 1, 0], "reached_critical_mass")
    assert (share, n) == (0.75, 4) and 0 <= lo < share < hi <= 1
    assert hi == pytest.approx(0.9544, abs=1e-3)  # Wilson score bound for 3 of 4
    assert interval([1, 1, 1], "reached_critical_mass")[2] == 1.0


def test_scenarios_are_ordered_by_the_numbers_in_their_labels():
    from csei_sim.experiment.figures import natural_key

    labels = ["split=b,hours=160", "split=a,hours=20", "split=a,hours=160", "split=a,hours=0"]
    assert sorted(labels, key=natural_key) == [
        "split=a,hours=0",
        "split=a,hours=20",
        "split=a,hours=160",
        "split=b,hours=160",
    ]
