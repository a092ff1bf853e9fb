"""What a Hydra user runs into: flat keys, float ranges, reused study folders, run summaries,
one-scenario sweeps and Ctrl-C. Each answer is one line, and the files say what was run."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from csei_sim.cli import main, preflight
from csei_sim.experiment import aggregate, find_runs
from csei_sim.experiment.validate import ConfigError

CLI = str(Path(sys.executable).parent / "csei-sim")
TINY = ["steps=3", "region.n_organisations=20", "plot=false", "hydra/launcher=basic"]


def cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([CLI, *args], cwd=cwd, capture_output=True, text=True, timeout=600)


@pytest.mark.parametrize(
    ("key", "group"),
    [("initial_trust", "region"), ("trust_decay", "behaviour"), ("governance_mode", "governance")],
)
def test_a_flat_key_is_pointed_to_its_group(key, group, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main([f"{key}=0.5"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and f"did you mean {group}.{key}?" in err
    assert not (tmp_path / "outputs").exists()


def test_a_float_range_gives_tidy_values_and_folder_names(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    plan = preflight(["-m", "region.initial_trust=range(0.1,1,0.2)", "study=trust"])
    assert [d.name for d in plan.run_dirs] == [
        f"region.initial_trust={v}" for v in ("0.1", "0.3", "0.5", "0.7", "0.9")
    ]
    assert [s.params.region.initial_trust for s in plan.specs] == [0.1, 0.3, 0.5, 0.7, 0.9]


@pytest.fixture(scope="module")
def governance_sweep(tmp_path_factory) -> Path:
    cwd = tmp_path_factory.mktemp("frictions")
    done = cli("-m", "governance=informal,formal", "study=mine", *TINY, cwd=cwd)
    assert done.returncode == 0, done.stderr
    return cwd


def test_a_sweep_over_other_keys_into_an_existing_study_is_refused(governance_sweep):
    cwd = governance_sweep
    sweep = cwd / "multirun" / "mine"
    before = sorted(p.name for p in sweep.iterdir())
    other = cli("-m", "funding=none,eu_project", "study=mine", *TINY, cwd=cwd)
    assert other.returncode == 2
    (line,) = other.stderr.strip().splitlines()
    assert "holds a sweep over governance" in line and "study=<name>" in line
    assert sorted(p.name for p in sweep.iterdir()) == before  # nothing written
    again = cli("-m", "governance=informal,formal", "study=mine", *TINY, cwd=cwd)
    assert again.returncode == 0, again.stderr  # the same sweep again resumes
    assert "2 of 2 runs already complete" in again.stdout + again.stderr


def test_a_run_summary_holds_its_parameters_and_choices(governance_sweep):
    sweep = governance_sweep / "multirun" / "mine"
    _, report = aggregate(sweep)
    for folder in find_runs(sweep)[0]:
        own = pd.read_parquet(folder / "summary.parquet")
        assert own["governance"].iloc[0] in ("informal", "formal")
        assert own["n_organisations"].iloc[0] == 20 and own["steps"].iloc[0] == 3
        row = report[report["run"] == folder.name].drop(columns=["run", "scenario"])
        pd.testing.assert_frame_equal(
            own.reset_index(drop=True), row[own.columns].reset_index(drop=True)
        )
        assert list(own.columns) == [c for c in row.columns if c in own.columns]


def test_a_sweep_of_one_scenario_is_named_by_its_study(tmp_path):
    done = cli("-m", "replicate=0,1", "study=lonely", *TINY, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    _, summary = aggregate(tmp_path / "multirun" / "lonely")
    assert summary["scenario"].tolist() == ["lonely", "lonely"]


def test_ctrl_c_ends_a_sweep_with_one_line_and_exit_130(tmp_path):
    args = ["-m", "replicate=range(0,30)", "study=stopped", "steps=24", *TINY[1:]]
    proc = subprocess.Popen(
        [CLI, *args], cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        deadline = time.monotonic() + 300
        sweep = tmp_path / "multirun" / "stopped"
        while time.monotonic() < deadline and not list(sweep.glob("*/done.json")):
            time.sleep(0.1)
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 130, err
    assert "Traceback" not in err and "KeyboardInterrupt" not in err
    line = err.strip().splitlines()[-1]
    finished = len(find_runs(tmp_path / "multirun" / "stopped")[0])
    assert f"interrupted; {finished} of 30 runs finished" in line
    assert line.endswith("again to resume")


def test_the_group_hint_names_the_group_in_python_too(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ConfigError, match=r"did you mean region\.vision_spread\?"):
        preflight(["vision_spread=0.2"])
