"""Sweeps run in blocks: one Hydra job runs several replicates, each run still on its own.

The sweeper groups jobs that differ only in ``replicate``; a block's job runs them one after
another, each into the folder, with the seed and files it would have as a job of its own. So the
folders, ``done.json`` records and numbers are those of a sweep of one run per job, with joblib
and with submitit (one array task per block); bad block settings stop before anything is written.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from csei_sim.cli import preflight
from csei_sim.experiment import find_runs, read_done
from csei_sim.experiment.blocks import auto_size, make_blocks

CLI = str(Path(sys.executable).parent / "csei-sim")
SWEEP = [
    "-m",
    "governance=informal,formal",
    "replicate=range(0,6)",
    "steps=24",
    "region.n_organisations=20",
]
FILES = ("timeseries.parquet", "summary.parquet", "summary.csv", "events.parquet", "config.yaml")


def cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([CLI, *args], cwd=cwd, capture_output=True, text=True, timeout=600)


def run_files(sweep: Path) -> dict[str, dict[str, bytes]]:
    """Every run folder's output files, byte for byte, and its done.json fingerprint."""
    out = {}
    for folder in sorted(p for p in sweep.iterdir() if p.is_dir() and not p.name.startswith(".")):
        files = {name: (folder / name).read_bytes() for name in FILES}
        files["fingerprint"] = read_done(folder)["fingerprint"].encode()
        out[folder.name] = files
    return out


# -- how jobs become blocks --------------------------------------------------------------------


def test_blocks_join_only_jobs_that_differ_in_replicate():
    jobs = [[f"governance={g}", f"replicate={r}"] for g in ("informal", "formal") for r in range(5)]
    jobs += [["governance=gradual"], ["governance=gradual", "replicate=0", "seed=7"]]
    blocks = make_blocks(jobs, 3)  # 5 replicates: blocks of 2 and 3
    assert blocks == [
        ["governance=informal", "replicate=0", "block=[1]"],
        ["governance=informal", "replicate=2", "block=[3,4]"],
        ["governance=formal", "replicate=0", "block=[1]"],
        ["governance=formal", "replicate=2", "block=[3,4]"],
        ["governance=gradual"],  # no replicate to vary: a job of its own
        ["governance=gradual", "replicate=0", "seed=7"],
    ]
    assert make_blocks(jobs, 1) == jobs


def test_automatic_block_size_follows_the_launcher():
    assert auto_size(200, {"n_jobs": 2}) == 25  # 8 jobs: four per worker
    assert auto_size(200, {"n_jobs": 1}) == 50
    assert auto_size(49, {"n_jobs": 2}) == 1  # under 25 runs per worker: one per job
    assert auto_size(200, {}) == 50  # the basic launcher: one process
    assert auto_size(200, {"n_jobs": -1}) >= 1
    # SLURM: about four tasks per task in flight, so 10,000 runs are some 800 tasks, not 10,000
    assert auto_size(10_000, {"array_parallelism": 200}) == 13
    assert auto_size(12, {"array_parallelism": 200}) == 1


# -- the command -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def one_run_per_job(tmp_path_factory) -> Path:
    cwd = tmp_path_factory.mktemp("single")
    done = cli(*SWEEP, "study=s", "hydra/launcher=basic", "hydra.sweeper.block_size=1", cwd=cwd)
    assert done.returncode == 0, done.stderr
    return cwd / "multirun" / "s"


def test_blocked_joblib_sweep_writes_the_same_runs_as_one_run_per_job(
    one_run_per_job, tmp_path, monkeypatch
):
    args = [*SWEEP, "study=s", "hydra.launcher.n_jobs=2", "hydra.sweeper.block_size=3"]
    done = cli(*args, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    sweep = tmp_path / "multirun" / "s"
    # four Hydra jobs for twelve runs, each job naming the replicates it runs after its own
    assert done.stdout.count("block=[1,2]") == 2 and done.stdout.count("block=[4,5]") == 2
    assert "12/12 runs done" in done.stderr
    monkeypatch.chdir(tmp_path)
    complete, incomplete = find_runs(sweep)
    assert {p.resolve() for p in complete} == {p.resolve() for p in preflight(args).run_dirs}
    assert not incomplete
    # Hydra's own files are in the folder of each block's first run; no run draws a PNG
    heads = {p.name for p in sweep.iterdir() if (p / ".hydra").is_dir()}
    assert len(heads) == 4 and all("replicate=0" in h or "replicate=3" in h for h in heads)
    assert not list(sweep.glob("*/membership.png"))
    assert run_files(sweep) == run_files(one_run_per_job)  # byte-identical, fingerprints too


def test_a_blocked_sweep_resumes_only_what_is_missing(one_run_per_job, tmp_path):
    args = [*SWEEP, "study=s", "hydra.launcher.n_jobs=2", "hydra.sweeper.block_size=6"]
    assert cli(*args, cwd=tmp_path).returncode == 0
    sweep = tmp_path / "multirun" / "s"
    markers = {p.parent.name: p.read_bytes() for p in sweep.glob("*/done.json")}
    lost = "governance=formal,region.n_organisations=20,replicate=4,steps=24"
    (sweep / lost / "done.json").unlink()  # a run cut off inside its block
    (sweep / lost / "events.parquet").write_bytes(b"PAR1 cut off")
    again = cli(*args, cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    after = {p.parent.name: p.read_bytes() for p in sweep.glob("*/done.json")}
    assert after.keys() == markers.keys()
    assert all(after[k] == v for k, v in markers.items() if k != lost)  # skipped, not rerun
    assert run_files(sweep) == run_files(one_run_per_job)


def test_submitit_runs_one_array_task_per_block(one_run_per_job, tmp_path):
    args = [*SWEEP, "study=s", "hydra/launcher=submitit_local", "hydra.sweeper.block_size=3"]
    done = cli(*args, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    sweep = tmp_path / "multirun" / "s"
    assert len(list((sweep / ".submitit").glob("*/*_result.pkl"))) == 4  # 12 runs, 4 tasks
    assert run_files(sweep) == run_files(one_run_per_job)


@pytest.mark.parametrize(
    ("setting", "named"),
    [
        ("hydra.sweeper.block_size=0", "hydra.sweeper.block_size: 0 is not allowed"),
        ("hydra.sweeper.block_size=-3", "hydra.sweeper.block_size: -3 is not allowed"),
        ("hydra.sweeper.block_size=abc", "hydra.sweeper.block_size: 'abc' is not allowed"),
        ("hydra.sweeper.block_size=1.5", "hydra.sweeper.block_size: 1.5 is not allowed"),
        ("block=[1,2]", "block: set by the sweeper"),
    ],
)
def test_bad_block_settings_stop_before_anything_is_written(tmp_path, setting, named):
    done = cli(*SWEEP, setting, cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr.startswith(f"csei-sim: error: {named}") and done.stderr.count("\n") == 1
    assert "allowed" in done.stderr or "block_size=<n>" in done.stderr
    assert not any(tmp_path.iterdir())


def test_a_blocked_sweep_killed_mid_block_resumes_to_the_same_runs(tmp_path):
    args = [
        "-m",
        "governance=informal,formal",
        "replicate=range(0,10)",
        "study=k",
        "hydra.launcher.n_jobs=2",
        "hydra.sweeper.block_size=5",
    ]
    sweep = tmp_path / "multirun" / "k"
    proc = subprocess.Popen(
        [CLI, *args],
        cwd=tmp_path,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 300
    while len(list(sweep.glob("*/done.json"))) < 2:
        assert proc.poll() is None, "the sweep ended before it could be killed"
        assert time.monotonic() < deadline
        time.sleep(0.01)
    os.killpg(proc.pid, signal.SIGKILL)  # the launcher and its workers, inside their blocks
    proc.wait()
    assert 2 <= len(list(sweep.glob("*/done.json"))) < 20
    for path in sweep.glob("*/*.parquet"):
        pd.read_parquet(path)  # every file under its final name is whole
    again = cli(*args, cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    complete, incomplete = find_runs(sweep)
    assert len(complete) == 20 and not incomplete
    whole = tmp_path / "whole"
    whole.mkdir()
    serial = args[:-2]  # without the launcher's and the sweeper's settings
    done = cli(*serial, "hydra/launcher=basic", "hydra.sweeper.block_size=1", cwd=whole)
    assert done.returncode == 0, done.stderr
    assert run_files(sweep) == run_files(whole / "multirun" / "k")


def test_a_config_that_names_folders_otherwise_keeps_one_run_per_job(tmp_path):
    conf = tmp_path / "conf" / "experiment"
    conf.mkdir(parents=True)
    for name, keys in (("old", "[study, plot]"), ("new", "[study, plot, block]")):
        (conf / f"{name}.yaml").write_text(
            "# @package _global_\n"
            "steps: 6\n"
            f"hydra:\n  job:\n    config:\n      override_dirname:\n        exclude_keys: {keys}\n"
        )
    args = ["-m", "--config-dir", str(tmp_path / "conf"), "experiment=old,new"]
    args += ["replicate=range(0,4)", "study=c", "hydra.sweeper.block_size=2"]
    done = cli(*args, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    sweep = tmp_path / "multirun" / "c"
    names = sorted(p.name for p in sweep.iterdir() if p.is_dir() and not p.name.startswith("."))
    expected = [f"experiment={e},replicate={r}" for e in ("new", "old") for r in range(4)]
    assert names == expected  # no folder named after a block
    assert len(find_runs(sweep)[0]) == 8
    assert done.stdout.count("block=[") == 2  # only the runs of "new" share jobs
