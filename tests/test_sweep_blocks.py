"""Sweeps run in blocks: one Hydra job runs several replicates, each run still on its own.

The sweeper groups jobs that differ only in ``replicate``; a block's job runs them one after
another, each into the folder, with the seed and files it would have as a job of its own. So the
folders, ``done.json`` records and numbers are those of a sweep of one run per job, with joblib
and with submitit (one array task per block); bad block settings stop before anything is written.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from csei_sim.cli import preflight
from csei_sim.experiment import find_runs, read_done
from csei_sim.experiment.blocks import make_blocks, workers

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
    blocks = make_blocks(jobs, 3, n_workers=2)  # 5 replicates: blocks of 2 and 3
    assert blocks == [
        ["governance=informal", "replicate=0", "block=[1]"],
        ["governance=informal", "replicate=2", "block=[3,4]"],
        ["governance=formal", "replicate=0", "block=[1]"],
        ["governance=formal", "replicate=2", "block=[3,4]"],
        ["governance=gradual"],  # no replicate to vary: a job of its own
        ["governance=gradual", "replicate=0", "seed=7"],
    ]
    assert make_blocks(jobs[:10], 1, n_workers=2) == jobs[:10]


def test_automatic_block_size_gives_about_four_jobs_per_worker():
    jobs = [[f"governance={g}", f"replicate={r}"] for g in "abcd" for r in range(50)]
    blocks = make_blocks(jobs, None, n_workers=2)
    assert len(blocks) == 8  # 200 runs, 2 workers: blocks of 25
    assert all(b[-1].count(",") == 23 for b in blocks)  # 24 replicates after the job's own
    assert len(make_blocks(jobs, None, n_workers=50)) == 200  # more workers than blocks of 2


def test_workers_read_from_the_launcher_settings():
    assert workers({"n_jobs": 3}) == 3
    assert workers({"n_jobs": -1}) >= 1
    assert workers({"array_parallelism": 200}) == 200
    assert workers({}) == 1


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
