"""The ``csei-sim`` command end to end: one run, joblib and submitit sweeps, kill -9 and resume."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from csei_sim.cli import main, preflight
from csei_sim.experiment import aggregate, find_runs
from csei_sim.run import simulate

BIN = Path(sys.executable).parent
CLI = str(BIN / "csei-sim")
REPORT = str(BIN / "csei-sim-report")
SMOKE = ["experiment=smoke"]


def cli(*args: str, cwd: Path, exe: str = CLI) -> subprocess.CompletedProcess:
    return subprocess.run([exe, *args], cwd=cwd, capture_output=True, text=True, timeout=600)


def plan_dirs(args: list[str], cwd: Path, monkeypatch) -> set[Path]:
    with monkeypatch.context() as m:
        m.chdir(cwd)
        return {cwd / d for d in preflight(args).run_dirs}


def test_one_run_on_the_defaults_writes_every_output(tmp_path):
    done = cli("seed=2025", cwd=tmp_path)  # the base seed is the default: a default run
    assert done.returncode == 0, done.stderr
    out = tmp_path / "outputs" / "seed=2025"
    for name in (
        "timeseries.parquet",
        "summary.parquet",
        "summary.csv",
        "membership.png",
        "config.yaml",
        "done.json",
    ):
        assert (out / name).is_file(), name
    assert len(pd.read_parquet(out / "timeseries.parquet")) == 145  # steps 0..144
    assert f"wrote {out}/" in done.stdout


def test_one_run_with_presets_reproduces_in_python(tmp_path, monkeypatch):
    args = ["region=voru", "governance=gradual", "steps=30"]
    done = cli(*args, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    (out,) = plan_dirs(args, tmp_path, monkeypatch)
    assert out == tmp_path / "outputs" / "governance=gradual,region=voru,steps=30"
    spec = preflight(args).specs[0]
    again = simulate(spec.params, seed=spec.seed).timeseries
    pd.testing.assert_frame_equal(
        pd.read_parquet(out / "timeseries.parquet"), again, check_dtype=False
    )
    assert spec.params.region.name == "voru" and spec.params.governance.governance_mode == "gradual"


@pytest.fixture(scope="module")
def joblib_sweep(tmp_path_factory):
    cwd = tmp_path_factory.mktemp("joblib")
    done = cli(*SMOKE, "hydra.launcher.n_jobs=2", cwd=cwd)
    assert done.returncode == 0, done.stderr
    return cwd, done


def test_joblib_sweep_writes_each_planned_run_once_with_progress(joblib_sweep, monkeypatch):
    cwd, done = joblib_sweep
    sweep = cwd / "multirun" / "smoke"
    complete, incomplete = find_runs(sweep)
    assert set(complete) == plan_dirs(SMOKE, cwd, monkeypatch) and not incomplete
    assert "4/4 runs done" in done.stderr and "left" in done.stderr
    _, summary = aggregate(sweep)
    assert sorted(summary["scenario"].unique()) == ["governance=formal", "governance=informal"]
    assert summary.groupby("scenario")["replicate"].apply(sorted).tolist() == [[0, 1], [0, 1]]


def test_serial_sweep_gives_identical_results(joblib_sweep, tmp_path):
    cwd, _ = joblib_sweep
    done = cli(*SMOKE, "hydra/launcher=basic", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    _, serial = aggregate(tmp_path / "multirun" / "smoke")
    _, parallel = aggregate(cwd / "multirun" / "smoke")
    pd.testing.assert_frame_equal(serial, parallel)


def test_submitit_local_sweep(joblib_sweep, tmp_path):
    cwd, _ = joblib_sweep
    done = cli(*SMOKE, "hydra/launcher=submitit_local", "replicate=1", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "multirun" / "smoke" / ".submitit").is_dir()
    _, via_submitit = aggregate(tmp_path / "multirun" / "smoke")
    _, via_joblib = aggregate(cwd / "multirun" / "smoke")
    assert len(via_submitit) == 2
    same = via_joblib[via_joblib["replicate"] == 1].drop(columns="run").reset_index(drop=True)
    pd.testing.assert_frame_equal(via_submitit.drop(columns="run"), same)


def test_report_command_writes_markdown_and_figures(joblib_sweep, tmp_path):
    cwd, _ = joblib_sweep
    done = cli(
        str(cwd / "multirun" / "smoke"), "--out", str(tmp_path / "r"), cwd=tmp_path, exe=REPORT
    )
    assert done.returncode == 0, done.stderr
    text = (tmp_path / "r" / "report.md").read_text()
    assert "governance=formal" in text and "![members by scenario]" in text
    assert len(list((tmp_path / "r" / "figures").glob("radar_*.png"))) == 2
    missing = cli(str(tmp_path / "nowhere"), cwd=tmp_path, exe=REPORT)
    assert missing.returncode == 2 and "nowhere" in missing.stderr


KILL = [
    "-m",
    "governance=informal,formal",
    "replicate=range(0,8)",
    "study=killed",
    "steps=60",
    "region.n_organisations=30",
    "plot=false",
    "hydra.launcher.n_jobs=2",
]


def _done_markers(sweep: Path) -> dict[Path, bytes]:
    return {p.parent: p.read_bytes() for p in sweep.glob("*/done.json")}


def test_a_sweep_killed_with_sigkill_resumes_without_losing_or_duplicating(tmp_path, monkeypatch):
    sweep = tmp_path / "multirun" / "killed"
    proc = subprocess.Popen(
        [CLI, *KILL],
        cwd=tmp_path,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 300
    while len(_done_markers(sweep)) < 4:
        assert proc.poll() is None, "the sweep ended before it could be killed"
        assert time.monotonic() < deadline
        time.sleep(0.02)
    os.killpg(proc.pid, signal.SIGKILL)  # the launcher and its workers, mid-sweep
    proc.wait()
    before = _done_markers(sweep)
    assert 4 <= len(before) < 16
    # a run cut off between its files and its marker must be redone, not trusted
    victim = sorted(before)[0]
    (victim / "done.json").unlink()
    (victim / "timeseries.parquet").write_bytes(b"PAR1 cut off")
    del before[victim]

    again = cli(*KILL, cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    complete, incomplete = find_runs(sweep)
    expected = plan_dirs(KILL, tmp_path, monkeypatch)
    assert set(complete) == expected and len(expected) == 16 and not incomplete
    assert {p for p in sweep.iterdir() if p.is_dir()} == expected  # nothing extra
    after = _done_markers(sweep)
    assert all(after[d] == marker for d, marker in before.items())  # skipped, not rerun
    _, summary = aggregate(sweep)
    assert len(summary) == 16 and not summary.duplicated(["scenario", "replicate"]).any()
    spec = next(
        s
        for d, s in zip(*_plan(KILL, tmp_path, monkeypatch), strict=True)
        if tmp_path / d == victim
    )
    redone = pd.read_parquet(victim / "timeseries.parquet")
    pd.testing.assert_frame_equal(
        redone, simulate(spec.params, seed=spec.seed).timeseries, check_dtype=False
    )


def _plan(args, cwd, monkeypatch):
    with monkeypatch.context() as m:
        m.chdir(cwd)
        plan = preflight(args)
    return plan.run_dirs, plan.specs


def test_bad_input_stops_the_command_before_anything_is_written(tmp_path):
    for args in (
        ["region=narnia"],
        ["-m", "governance=informal,formal", "region.n_organisations=-1"],
    ):
        done = cli(*args, cwd=tmp_path)
        assert done.returncode == 2
        assert done.stderr.count("\n") == 1 and done.stderr.startswith("csei-sim: error: ")
        assert not any(tmp_path.iterdir())


def test_help_lists_groups_and_options(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["--help"]) == 0
    stdout = capsys.readouterr().out
    for line in (
        "region: agder, generic, hamburg, kurzeme, pomorskie, torino, vasterbotten, voru",
        "governance: formal, gradual, informal, lead_organisation",
        "funding: cliff, committed_2030, fees_only, none, project_grants, taper",
        "facilitation: intensive, light, mission_focused, none",
    ):
        assert line in stdout
    assert "informal_vs_formal" in stdout and "hydra/launcher=slurm" in stdout
    assert not any(tmp_path.iterdir())
