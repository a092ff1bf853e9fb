"""The same seed gives the same numbers however a run is made: one model, a serial sweep, a joblib
sweep, a resumed sweep, the ``csei-sim`` command's sweep and ``mesa.batch_run``.

The scenarios come from the command's own plan, so every way of running starts from the very same
parameters and seeds; time series are compared exactly (every column, every step).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import mesa
import pandas as pd
import pytest

from csei_sim import CSEIModel
from csei_sim.cli import preflight
from csei_sim.experiment import find_runs, read_done, run_sweep
from csei_sim.seeds import run_seed

CLI = str(Path(sys.executable).parent / "csei-sim")
BASE_SEED = 7
REPLICATES = 3
ARGS = [
    "-m",
    "governance=informal,formal",
    f"replicate=range({REPLICATES})",
    f"seed={BASE_SEED}",
    "steps=24",
    "region.n_organisations=30",
    "plot=false",
    "study=repro",
]


@pytest.fixture(scope="module")
def command(tmp_path_factory):
    """The command's sweep (joblib, two processes), run once, and its plan."""
    cwd = tmp_path_factory.mktemp("cli")
    done = subprocess.run(
        [CLI, *ARGS, "hydra.launcher.n_jobs=2"], cwd=cwd, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    with pytest.MonkeyPatch.context() as m:
        m.chdir(cwd)
        plan = preflight(ARGS)
    runs = {
        (spec.params.governance.governance_mode, spec.replicate): cwd / folder
        for folder, spec in zip(plan.run_dirs, plan.specs, strict=True)
    }
    scenarios = {spec.params.governance.governance_mode: spec.params for spec in plan.specs}
    return runs, scenarios


def series(folder: Path) -> pd.DataFrame:
    return pd.read_parquet(folder / "timeseries.parquet")


def sweep_folders(root: Path, scenarios) -> dict[tuple[str, int], Path]:
    return {(s, r): root / s / f"replicate={r}" for s in scenarios for r in range(REPLICATES)}


def test_serial_parallel_and_command_sweeps_write_identical_files(command, tmp_path):
    runs, scenarios = command
    kw = {"replicates": REPLICATES, "base_seed": BASE_SEED, "progress": False}
    run_sweep(scenarios, tmp_path / "serial", n_jobs=1, **kw)
    run_sweep(scenarios, tmp_path / "parallel", n_jobs=2, **kw)
    serial = sweep_folders(tmp_path / "serial", scenarios)
    parallel = sweep_folders(tmp_path / "parallel", scenarios)
    assert set(serial) == set(runs) and len(runs) == 2 * REPLICATES
    for key, folder in runs.items():
        for name in ("timeseries.parquet", "events.parquet", "summary.parquet"):
            # one writer for all three ways: the files are equal byte for byte
            assert (serial[key] / name).read_bytes() == (parallel[key] / name).read_bytes()
            if name != "summary.parquet":
                assert (folder / name).read_bytes() == (serial[key] / name).read_bytes(), name
        # the command's run summary also names the group choice it was run with
        command_summary = pd.read_parquet(folder / "summary.parquet")
        assert command_summary.pop("governance").tolist() == [key[0]]
        pd.testing.assert_frame_equal(
            command_summary, pd.read_parquet(serial[key] / "summary.parquet"), check_exact=True
        )
        assert read_done(folder)["seed"] == run_seed(BASE_SEED, key[1])
    members = {key: tuple(series(folder)["members"]) for key, folder in runs.items()}
    assert len(set(members.values())) > 1  # replicates and scenarios differ: seeds are used


def test_a_resumed_sweep_equals_an_uninterrupted_one(command, tmp_path):
    _, scenarios = command
    kw = {"replicates": REPLICATES, "base_seed": BASE_SEED, "progress": False, "n_jobs": 2}
    run_sweep(scenarios, tmp_path / "whole", **kw)
    run_sweep(scenarios, tmp_path / "resumed", **kw)
    whole = sweep_folders(tmp_path / "whole", scenarios)
    resumed = sweep_folders(tmp_path / "resumed", scenarios)
    damaged = sorted(resumed)
    (resumed[damaged[0]] / "done.json").unlink()  # cut off before its marker
    (resumed[damaged[1]] / "timeseries.parquet").write_bytes(b"PAR1 cut")  # damaged file
    shutil.rmtree(resumed[damaged[2]])  # never started
    kept = {k: (resumed[k] / "done.json").read_bytes() for k in damaged[3:]}
    run_sweep(scenarios, tmp_path / "resumed", **kw)
    complete, incomplete = find_runs(tmp_path / "resumed")
    assert len(complete) == len(whole) and not incomplete
    assert all((resumed[k] / "done.json").read_bytes() == kept[k] for k in kept)  # not rerun
    for key in whole:
        for name in ("timeseries.parquet", "events.parquet", "summary.parquet"):
            assert (whole[key] / name).read_bytes() == (resumed[key] / name).read_bytes()


def test_mesa_batch_run_and_a_single_model_give_the_same_series(command):
    runs, scenarios = command
    seeds = [run_seed(BASE_SEED, r) for r in range(REPLICATES)]
    for mode, params in scenarios.items():
        rows = mesa.batch_run(
            CSEIModel,
            parameters=params.flat(),
            rng=seeds,
            max_steps=params.steps,
            data_collection_period=1,
            number_processes=2,
            display_progress=False,
        )
        for replicate, seed in enumerate(seeds):
            expected = series(runs[mode, replicate])
            batch = pd.DataFrame([r for r in rows if r["rng"] == seed])
            batch = batch.set_index(batch["Step"].astype(int).rename("step"))[expected.columns]
            exact = {"check_dtype": False, "check_exact": True}
            pd.testing.assert_frame_equal(batch, expected, check_names=False, **exact)
            single = CSEIModel(params, rng=seed).run().timeseries()
            pd.testing.assert_frame_equal(single, expected, **exact)
