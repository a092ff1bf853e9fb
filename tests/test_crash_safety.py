"""A sweep killed with SIGKILL at random points, several times, then resumed, loses nothing.

Each attempt starts ``csei-sim -m ...`` and kills its whole process group (launcher and workers)
after a random number of newly finished runs plus a random delay, both from a seeded generator, so
the kills land at different stages: while starting, between runs and in the middle of writing.
After every kill each file under its final name must be whole (writes go through a temporary file
and a rename); after the last, resumed attempt every planned run is there exactly once, complete,
readable, and equal to the same run made without interruption.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from csei_sim.cli import preflight
from csei_sim.experiment import aggregate, find_runs, read_done
from csei_sim.run import simulate

CLI = str(Path(sys.executable).parent / "csei-sim")
ARGS = [
    "-m",
    "governance=informal,formal",
    "replicate=range(0,10)",
    "study=crash",
    "steps=48",
    "region.n_organisations=30",
    "plot=false",
    "hydra.launcher.n_jobs=2",
]
KILLS = 3
RNG_SEED = 20251126  # the kill schedule is random but the same on every test run


def done_markers(sweep: Path) -> dict[Path, bytes]:
    return {p.parent: p.read_bytes() for p in sweep.glob("*/done.json")}


def assert_whole_files(sweep: Path) -> None:
    """Every Parquet file under its final name reads; complete folders list only real files."""
    for path in sweep.glob("*/*.parquet"):
        pd.read_parquet(path)  # raises on a cut-off file
    for folder in sweep.glob("*/done.json"):
        assert read_done(folder.parent) is not None, folder.parent


def kill_at_random_point(cwd: Path, sweep: Path, rng: np.random.Generator) -> int:
    """Start the sweep and SIGKILL it after some new runs and a short delay; new runs done."""
    wait_for, extra = int(rng.integers(0, 4)), float(rng.uniform(0.0, 0.4))
    before = len(done_markers(sweep))
    proc = subprocess.Popen(
        [CLI, *ARGS],
        cwd=cwd,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 300
    while len(done_markers(sweep)) < before + wait_for and proc.poll() is None:
        assert time.monotonic() < deadline, "the sweep made no progress"
        time.sleep(0.01)
    time.sleep(extra)
    os.killpg(proc.pid, signal.SIGKILL)  # the launcher and its workers at once
    proc.wait()
    return len(done_markers(sweep)) - before


def test_repeated_sigkills_then_resume_leave_every_run_once_and_whole(tmp_path):
    sweep = tmp_path / "multirun" / "crash"
    rng = np.random.default_rng(RNG_SEED)
    progress = []
    for _ in range(KILLS):
        progress.append(kill_at_random_point(tmp_path, sweep, rng))
        assert_whole_files(sweep)
    finished_before = done_markers(sweep)
    assert 0 < len(finished_before) < 20, progress  # the kills did interrupt the sweep

    final = subprocess.run([CLI, *ARGS], cwd=tmp_path, capture_output=True, text=True)
    assert final.returncode == 0, final.stderr
    with pytest.MonkeyPatch.context() as m:
        m.chdir(tmp_path)
        plan = preflight(ARGS)
    expected = {tmp_path / d for d in plan.run_dirs}
    complete, incomplete = find_runs(sweep)
    assert set(complete) == expected and len(expected) == 20 and not incomplete
    assert {p for p in sweep.iterdir() if p.is_dir()} == expected  # nothing extra
    assert not list(sweep.rglob(".*.tmp"))  # no temporary file left behind
    assert_whole_files(sweep)
    after = done_markers(sweep)
    assert all(after[d] == marker for d, marker in finished_before.items())  # not redone
    _, summary = aggregate(sweep)
    assert len(summary) == 20 and not summary.duplicated(["scenario", "replicate"]).any()
    for folder, spec in zip(plan.run_dirs, plan.specs, strict=True):
        saved = pd.read_parquet(tmp_path / folder / "timeseries.parquet")
        fresh = simulate(spec.params, seed=spec.seed).timeseries
        pd.testing.assert_frame_equal(saved, fresh, check_dtype=False, check_exact=True)
