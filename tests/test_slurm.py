"""Sweeps on a real SLURM cluster (``hydra/launcher=slurm``): same numbers, resume, cancelled tasks.

Needs a running SLURM whose default partition takes jobs from this user: ``scripts/slurm_local.sh
start`` stands up a one-node cluster from Debian's packages. Without one the tests skip, except on
CI (env CI=true), where a missing cluster is a failure: `.ci/run` starts it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from csei_sim.experiment import find_runs

pytestmark = pytest.mark.slurm

CLI = str(Path(sys.executable).parent / "csei-sim")
# a few small, short runs: each task starts a Python of its own, which costs more than the run
SWEEP = ["-m", "replicate=range(0,4)", "steps=12", "region.n_organisations=20", "plot=false"]
SLURM = [
    "hydra/launcher=slurm",
    "hydra.launcher.poll_seconds=0.5",
    "hydra.launcher.timeout_min=10",
    "hydra.launcher.mem_gb=1",
    "hydra.sweeper.block_size=1",
]
COMMAND_TIMEOUT = 600  # seconds: the whole command, however busy the machine
CANCEL_BOUND = 120  # seconds from scancel to the command's end: poll, grace and start-up
OUTPUTS = ("config.yaml", "timeseries.parquet", "summary.parquet", "summary.csv", "events.parquet")


def _unavailable(reason: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason}; CI must run the SLURM tests (.ci/run starts a one-node cluster)")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def slurm() -> None:
    if shutil.which("sbatch") is None or shutil.which("squeue") is None:
        _unavailable("SLURM is not installed (bash scripts/slurm_local.sh start)")
    try:
        states = subprocess.run(
            ["sinfo", "-h", "-o", "%T"], capture_output=True, text=True, timeout=30
        )
    except subprocess.TimeoutExpired:
        _unavailable("SLURM does not answer (sinfo timed out)")
    if states.returncode != 0 or not states.stdout.strip():
        _unavailable(f"SLURM is not up (sinfo: {states.stderr.strip()[:200]})")


def cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [CLI, *args], cwd=cwd, capture_output=True, text=True, timeout=COMMAND_TIMEOUT
    )


def _outputs(sweep: Path) -> dict[str, bytes]:
    complete, incomplete = find_runs(sweep)
    assert not incomplete
    return {
        f"{folder.name}/{name}": (folder / name).read_bytes()
        for folder in complete
        for name in OUTPUTS
    }


def _tasks(sweep: Path) -> set[str]:
    """The SLURM tasks submitted for a sweep: submitit keeps a folder per task (``<job>_<task>``
    in an array, ``<job>`` for a single job) and one for the array itself (``<job>``)."""
    names = {p.name for p in (sweep / ".submitit").iterdir() if p.is_dir()}
    return {name for name in names if "_" in name or f"{name}_0" not in names}


@pytest.fixture(scope="module")
def slurm_sweep(slurm, tmp_path_factory) -> Path:
    cwd = tmp_path_factory.mktemp("slurm")
    done = cli(*SWEEP, "study=onslurm", *SLURM, cwd=cwd)
    assert done.returncode == 0, done.stderr
    return cwd / "multirun" / "onslurm"


def test_a_slurm_sweep_equals_the_local_sweep_byte_for_byte(slurm_sweep, tmp_path):
    local = cli(*SWEEP, "study=onslurm", "hydra/launcher=basic", cwd=tmp_path)
    assert local.returncode == 0, local.stderr
    on_slurm, here = _outputs(slurm_sweep), _outputs(tmp_path / "multirun" / "onslurm")
    assert len(here) == 4 * len(OUTPUTS)
    assert on_slurm.keys() == here.keys()
    assert [k for k in here if on_slurm[k] != here[k]] == []
    assert len(_tasks(slurm_sweep)) == 4


def test_a_resumed_slurm_sweep_submits_only_the_unfinished_runs(slurm_sweep, tmp_path):
    sweep = tmp_path / "multirun" / "onslurm"
    shutil.copytree(slurm_sweep, sweep)
    before = _tasks(sweep)
    again = cli(*SWEEP, "study=onslurm", *SLURM, cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    assert _tasks(sweep) == before  # all four complete: nothing submitted
    assert "4 of 4 runs already complete" in again.stdout + again.stderr
    (folder,) = sweep.glob("*replicate=2*")
    (folder / "done.json").unlink()
    resumed = cli(*SWEEP, "study=onslurm", *SLURM, cwd=tmp_path)
    assert resumed.returncode == 0, resumed.stderr
    assert len(_tasks(sweep) - before) == 1  # one task, for the one unfinished run
    assert "3 of 4 runs already complete" in resumed.stdout + resumed.stderr
    assert _outputs(sweep) == _outputs(slurm_sweep)


def _queued(pattern: str) -> list[str]:
    out = subprocess.run(
        ["squeue", "-h", "-r", "-o", "%i %T"], capture_output=True, text=True, timeout=30
    ).stdout
    return [line.split()[0] for line in out.splitlines() if line.endswith(pattern)]


def test_a_cancelled_task_ends_the_command_with_the_runs_missing(slurm, tmp_path):
    args = [*SWEEP, "study=cancelled", *SLURM, "hydra.launcher.array_parallelism=1"]
    proc = subprocess.Popen(
        [CLI, *args], cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        deadline = time.monotonic() + COMMAND_TIMEOUT
        pending: list[str] = []
        while not pending and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.2)
            pending = _queued("PENDING")  # one task at a time: the others wait
        assert pending, "no pending task to cancel"
        victim = max(pending, key=lambda job: int(job.rpartition("_")[2]))
        subprocess.run(["scancel", victim], check=True, timeout=30)
        cancelled_at = time.monotonic()
        _, err = proc.communicate(timeout=COMMAND_TIMEOUT)
        took = time.monotonic() - cancelled_at
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 1, err
    assert took < CANCEL_BOUND
    assert "Traceback" not in err and "Bypassing sacct" not in err
    line = err.strip().splitlines()[-1].rpartition("csei-sim: error: ")[2]
    assert f"{victim} (cancelled)" in line and "3 of 4 runs finished" in line
    assert "missing: replicate=3" in line and "run the same command again" in line
    complete, _ = find_runs(tmp_path / "multirun" / "cancelled")
    assert len(complete) == 3
    again = cli(*args, cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    complete, incomplete = find_runs(tmp_path / "multirun" / "cancelled")
    assert len(complete) == 4 and not incomplete


class _FakeJob:
    """A submitit job as :func:`slurm.wait` sees it: an id, a result file, results()."""

    def __init__(self, job_id: str, folder: Path, fails: bool = False) -> None:
        self.job_id = job_id
        self.paths = type("Paths", (), {"result_pickle": folder / f"{job_id}_result.pkl"})()
        self.fails = fails

    def results(self) -> list:
        if self.fails:
            raise RuntimeError("the run failed")
        return [None]


def test_the_wait_tells_finished_failed_and_lost_tasks_apart(tmp_path):
    """No cluster needed: the queue is given."""
    from csei_sim.experiment import slurm as scheduler

    jobs = [_FakeJob("7_0", tmp_path), _FakeJob("7_1", tmp_path, fails=True)]
    jobs.append(_FakeJob("7_2", tmp_path))
    for job in jobs[:2]:
        job.paths.result_pickle.write_bytes(b"")
    outcome = scheduler.wait(jobs, poll=0.01, grace=0.05, list_queue=lambda: {"7_9"})
    assert (outcome.finished, outcome.failed, outcome.lost) == ([0], [1], [2])
    with pytest.raises(scheduler.SchedulerError, match="squeue gave no answer"):
        scheduler.wait(jobs[2:], poll=0.01, unreachable=0.05, list_queue=lambda: None)
    with pytest.raises(scheduler.SchedulerError, match="wait_timeout_min"):
        scheduler.wait(jobs[2:], poll=0.01, deadline=0.05, list_queue=lambda: {"7_2"})
