"""Hostile input and hostile conditions: every command refuses in one line before anything runs,
and a full disk, an interrupt, a second sweep or a damaged file never corrupts what is there.

Each case below once failed: it started work, filled the memory, wrote a partial folder, printed
a traceback, or took a damaged run for a finished one.
"""

from __future__ import annotations

import errno
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from csei_sim import CSEIModel, ParameterError, Params
from csei_sim.cli import main
from csei_sim.experiment import is_complete, read_done, run_one, run_sweep, write_report
from csei_sim.experiment.lock import HOLDER, SweepBusy, sweep_lock
from csei_sim.experiment.report import main as report_main
from csei_sim.experiment.runner import RunSpec
from csei_sim.sensitivity.cli import main as analysis_main
from csei_sim.studies.cli import main as study_main

BIN = Path(sys.executable).parent
SMALL = {"steps": 3, "n_organisations": 20}
RUNS = ["steps=3", "region.n_organisations=20", "plot=false", "hydra/launcher=basic"]


def tree(root: Path) -> dict[str, bytes | None]:
    """Every path under ``root`` with its content (None for folders)."""
    return {
        str(p.relative_to(root)): None if p.is_dir() else p.read_bytes() for p in root.rglob("*")
    }


def one_line(err: str, prog: str) -> str:
    assert err.count("\n") == 1 and err.startswith(f"{prog}: "), err
    assert "Traceback" not in err
    return err


def last_line(err: str, prog: str) -> str:
    """The line a command ends with after its progress bar: the only one naming the command."""
    assert err.count(f"{prog}: ") == 1 and err.endswith("\n"), err
    line = err[err.index(f"{prog}: ") :]
    assert line.count("\n") == 1, err  # the last line (after the bar's own text, off a terminal)
    assert "Traceback" not in err and "Error executing job" not in err, err
    return line


# -- absurd sizes, folders and names: refused at once, nothing written ------------------------

ENTRY = {"csei-sim": main, "csei-sim-study": study_main, "csei-sim-analysis": analysis_main}
LONG = "s" * 300
ABSURD = {
    "2**40 Sobol samples": ("csei-sim-analysis", ["sobol", "--samples", str(2**40)], "--samples"),
    "2**40 PRIM samples": ("csei-sim-analysis", ["prim", "--samples", str(2**40)], "--samples"),
    "1e11 trajectories": (
        "csei-sim-analysis",
        ["morris", "--trajectories", "100000000000"],
        "--trajectories",
    ),
    "2e19 replicates": (
        "csei-sim-study",
        ["quick", "--replicates", "99999999999999999999"],
        "--replicates",
    ),
    "1e8 replicates in a sweep": (
        "csei-sim",
        ["-m", "replicate=range(0,100000000)", "steps=1"],
        "sweep",
    ),
    "alpha 2": ("csei-sim-analysis", ["prim", "--alpha", "2"], "--alpha"),
    "coverage nan": ("csei-sim-analysis", ["prim", "--min-coverage", "nan"], "--min-coverage"),
    "report into /proc": ("csei-sim-study", ["quick", "--out", "/proc/nope"], "--out"),
    "runs into a file": ("csei-sim-study", ["quick", "--runs", "a_file"], "--runs"),
    "analysis into /proc": ("csei-sim-analysis", ["morris", "--out", "/proc/nope"], "--out"),
    "long study name": ("csei-sim", ["-m", f"study={LONG}", "steps=1"], "hydra.sweep.dir"),
    "run folder in /proc": ("csei-sim", ["hydra.run.dir=/proc/nope", "steps=1"], "hydra.run.dir"),
    "sweep folder in /proc": (
        "csei-sim",
        ["-m", "hydra.sweep.dir=/proc/nope", "steps=1"],
        "hydra.sweep.dir",
    ),
    "a logging class reaching os.system": (
        "csei-sim",
        ["hydra.job_logging.handlers.console.class=logging.os.system", "steps=1"],
        "not allowed",
    ),
    "a logging class Hydra cannot build": (
        "csei-sim",
        ["hydra.job_logging.handlers.console.class=logging.Nope", "steps=1"],
        "not allowed",
    ),
}


@pytest.mark.parametrize("case", sorted(ABSURD))
def test_absurd_input_is_refused_before_anything_runs(case, tmp_path, monkeypatch, capsys):
    prog, argv, key = ABSURD[case]
    (tmp_path / "a_file").write_text("x")
    before = tree(tmp_path)
    monkeypatch.chdir(tmp_path)
    assert ENTRY[prog](argv) == 2
    err = one_line(capsys.readouterr().err, prog)
    assert key in err and "error" in err
    assert tree(tmp_path) == before


def _limit_memory() -> None:
    # 3 GiB of address space: far more than a check needs, far less than the sizes asked for
    resource.setrlimit(resource.RLIMIT_AS, (3 << 30, 3 << 30))


@pytest.mark.parametrize(
    "case", ["1e8 replicates in a sweep", "2e19 replicates", "1e11 trajectories"]
)
def test_absurd_sizes_allocate_nothing(case, tmp_path):
    """In a process that may not grow past 3 GiB: a refusal, not a MemoryError."""
    prog, argv, key = ABSURD[case]
    done = subprocess.run(
        [str(BIN / prog), *argv],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        preexec_fn=_limit_memory,
    )
    assert done.returncode == 2, done.stderr
    assert key in one_line(done.stderr, prog) and not list(tmp_path.iterdir())


def test_a_logging_class_in_a_preset_is_refused(tmp_path, monkeypatch, capsys):
    conf = tmp_path / "conf" / "experiment"
    conf.mkdir(parents=True)
    (conf / "sneaky.yaml").write_text(
        "# @package _global_\nhydra:\n  job_logging:\n    handlers:\n      console:\n"
        "        class: logging.os.system\n"
    )
    monkeypatch.chdir(tmp_path)
    assert main(["--config-dir", str(tmp_path / "conf"), "experiment=sneaky", "steps=1"]) == 2
    err = one_line(capsys.readouterr().err, "csei-sim")
    assert "logging.os.system" in err and "not allowed" in err
    assert not (tmp_path / "outputs").exists()


# -- a full disk, an interrupt, the memory running out -----------------------------------------


def _fail_when(monkeypatch, target: str, error: BaseException) -> None:
    """Make the atomic writes of replicate 1's ``target`` file raise ``error``."""
    import csei_sim.run as run_module

    real = run_module.atomic_write

    def write(path, fn):
        if path.name == target and "replicate=1" in str(path.parent):
            tmp = path.parent / f".{path.name}.{os.getpid()}.x.tmp"
            tmp.write_bytes(b"half")  # what a write cut short leaves, then fails
            tmp.unlink()
            raise error
        return real(path, fn)

    monkeypatch.setattr(run_module, "atomic_write", write)


def test_a_full_disk_marks_nothing_done_and_says_how_much_finished(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    argv = ["-m", "replicate=0,1,2", "study=full", *RUNS]
    with monkeypatch.context() as m:
        full = OSError(errno.ENOSPC, "No space left on device", "events.parquet")
        _fail_when(m, "events.parquet", full)
        assert main(argv) == 1
    err = last_line(capsys.readouterr().err, "csei-sim")
    assert "No space left on device" in err and "1 of 3 runs finished" in err
    assert "free some space" in err and "again to resume" in err
    sweep = tmp_path / "multirun" / "full"
    (first,) = [p.parent for p in sweep.glob("*/done.json")]
    assert "replicate=0" in first.name
    broken = sweep / "replicate=1"
    assert not (broken / "done.json").exists() and not list(broken.glob(".*.tmp"))
    marker = (first / "done.json").read_bytes()
    assert main(argv) == 0  # the same command again resumes
    assert len(list(sweep.glob("*/done.json"))) == 3
    assert (first / "done.json").read_bytes() == marker  # kept, not redone
    assert all(is_complete(p.parent) for p in sweep.glob("*/done.json"))


def test_a_full_disk_in_hydras_own_writer_is_one_line(tmp_path, monkeypatch, capsys):
    import hydra.core.utils

    def no_space(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device", "config.yaml")

    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(hydra.core.utils, "_save_config", no_space)
    assert main(["steps=3", "region.n_organisations=20"]) == 1
    err = one_line(capsys.readouterr().err, "csei-sim")
    assert "No space left on device" in err and "0 of 1 runs finished" in err


@pytest.mark.parametrize(
    ("error", "code", "says"),
    [
        (KeyboardInterrupt(), 130, "interrupted; 1 of 3 runs finished"),
        (MemoryError(), 1, "out of memory; 1 of 3 runs finished"),
    ],
)
def test_an_interrupt_or_no_memory_is_one_line(error, code, says, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    with monkeypatch.context() as m:
        _fail_when(m, "timeseries.parquet", error)
        assert main(["-m", "replicate=0,1,2", "study=stop", *RUNS]) == code
    assert says in last_line(capsys.readouterr().err, "csei-sim")


def test_debug_shows_the_traceback(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with monkeypatch.context() as m:
        _fail_when(m, "events.parquet", OSError(errno.ENOSPC, "No space left on device"))
        with pytest.raises(OSError, match="No space"):
            main(["--debug", "-m", "replicate=0,1", "study=debug", *RUNS])


def test_run_one_on_a_full_disk_leaves_no_partial_file(tmp_path, monkeypatch):
    out = tmp_path / "replicate=1"
    with monkeypatch.context() as m:
        _fail_when(m, "summary.csv", OSError(errno.ENOSPC, "No space left on device"))
        with pytest.raises(OSError):
            run_one(RunSpec(Params.from_dict(SMALL)), out)
    assert not is_complete(out) and not (out / "summary.csv").exists()
    assert not list(out.glob(".*.tmp"))
    assert not run_one(RunSpec(Params.from_dict(SMALL)), out).skipped and is_complete(out)


# -- two sweeps, one folder ----------------------------------------------------------------------


def test_a_second_sweep_into_a_held_folder_names_the_holder(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    with sweep_lock(tmp_path / "multirun" / "held"):
        assert main(["-m", "replicate=0,1", "study=held", *RUNS]) == 2
        err = one_line(capsys.readouterr().err, "csei-sim")
        assert f"process {os.getpid()}" in err and "another sweep" in err
        with pytest.raises(SweepBusy, match=str(os.getpid())):
            run_sweep({"a": SMALL}, tmp_path / "multirun" / "held", progress=False)
    assert not list((tmp_path / "multirun" / "held").glob("*/done.json"))
    assert not (tmp_path / "multirun" / "held" / HOLDER).exists()  # removed on release


def two_sweeps_at_once(prog: str, entry, argv: list[str], runs: int, cwd: Path, capsys) -> None:
    """Start ``prog argv`` as a process, and once its first run is done the same command here:
    the second refuses, naming the first's process; the first finishes every run once."""
    first = subprocess.Popen(
        [str(BIN / prog), *argv], cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    sweep = cwd / "multirun" / "both"
    deadline = time.monotonic() + 300
    while not list(sweep.glob("*/done.json")) and first.poll() is None:
        assert time.monotonic() < deadline
        time.sleep(0.05)
    second = entry(argv)
    still_running = first.poll() is None
    _, first_err = first.communicate(timeout=600)
    assert first.returncode == 0, first_err
    if still_running:  # the first held the folder throughout: the second refused in one line
        assert second == 2
        assert f"process {first.pid}" in one_line(capsys.readouterr().err, prog)
    done = list(sweep.glob("*/done.json"))
    assert len(done) == runs and all(read_done(p.parent) for p in done)
    assert not list(sweep.rglob(".*.tmp"))


def test_two_sweeps_started_at_once_into_one_folder(tmp_path, monkeypatch, capsys):
    argv = ["-m", "replicate=range(0,24)", "study=both", "steps=48", "plot=false"]
    argv += ["region.n_organisations=30", "hydra.launcher.n_jobs=1"]
    monkeypatch.chdir(tmp_path)
    two_sweeps_at_once("csei-sim", main, argv, 24, tmp_path, capsys)


def test_a_live_writers_temporary_file_is_never_removed(tmp_path):
    out = tmp_path / "run"
    run_one(RunSpec(Params.from_dict(SMALL)), out)
    (out / "done.json").unlink()  # incomplete: the next run_one redoes it
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        live = out / f".timeseries.parquet.{sleeper.pid}.abcd1234.tmp"
        live.write_text("another writer's, half written")
        dead = out / ".summary.parquet.999999999.abcd1234.tmp"
        dead.write_text("left by a writer killed mid-write")
        run_one(RunSpec(Params.from_dict(SMALL)), out)
        assert live.exists() and not dead.exists() and is_complete(out)
    finally:
        sleeper.kill()
        sleeper.wait()


# -- done.json vouches for the bytes, not the sizes ----------------------------------------------


def test_a_corrupted_file_of_the_same_size_is_redone(tmp_path):
    out = tmp_path / "run"
    run_one(RunSpec(Params.from_dict(SMALL)), out)
    done = json.loads((out / "done.json").read_text())
    assert all(len(entry["sha256"]) == 64 for entry in done["files"].values())
    data = bytearray((out / "timeseries.parquet").read_bytes())
    data[len(data) // 2] ^= 0xFF  # one flipped byte, the size unchanged
    (out / "timeseries.parquet").write_bytes(bytes(data))
    assert read_done(out) is None and not is_complete(out)
    again = run_one(RunSpec(Params.from_dict(SMALL)), out)
    assert not again.skipped and is_complete(out)
    pd.read_parquet(out / "timeseries.parquet")


# -- from_config ---------------------------------------------------------------------------------


def test_from_config_refuses_a_saved_config_cut_short(tmp_path):
    from omegaconf import OmegaConf

    out = tmp_path / "run"
    run_one(RunSpec(Params.from_dict(SMALL)), out)
    whole = (out / "config.yaml").read_text()
    CSEIModel.from_config(OmegaConf.load(out / "config.yaml"))  # the whole file is fine
    (out / "config.yaml").write_text("\n".join(whole.splitlines()[:20]) + "\n")
    with pytest.raises(ParameterError, match="missing from a saved run's config"):
        CSEIModel.from_config(OmegaConf.load(out / "config.yaml"))


@pytest.mark.parametrize(
    ("cfg", "key"),
    [
        ({}, "seed"),
        ({"steps": 3}, "seed"),
        (None, "config"),
        ([1, 2], "config"),
        ("seed: 3", "config"),
        ({"seed": "abc", "steps": 3}, "seed"),
        ({"seed": 1, "replicate": 1.5}, "replicate"),
        ({"seed": 1, "region": "hamburg"}, "region"),
    ],
)
def test_from_config_refuses_wrong_types_and_a_missing_seed(cfg, key):
    with pytest.raises(ParameterError) as err:
        CSEIModel.from_config(cfg)
    assert err.value.key == key


# -- reports skip what they cannot read ----------------------------------------------------------


@pytest.fixture
def sweep(tmp_path) -> Path:
    root = tmp_path / "sweep"
    run_sweep(
        {"informal": SMALL, "formal": {**SMALL, "governance_mode": "formal"}},
        root,
        replicates=2,
        n_jobs=1,
        progress=False,
    )
    return root


def _vouch(folder: Path, name: str, data: bytes) -> None:
    """Replace a file and record it in done.json as if its writer had vouched for it."""
    from csei_sim.experiment.runner import sha256

    (folder / name).write_bytes(data)
    done = json.loads((folder / "done.json").read_text())
    done["files"][name] = {"size": len(data), "sha256": sha256(folder / name)}
    (folder / "done.json").write_text(json.dumps(done))


def test_a_report_skips_and_names_an_unreadable_run(sweep, capsys):
    broken = sweep / "formal" / "replicate=1"
    _vouch(broken, "summary.parquet", (broken / "summary.parquet").read_bytes()[:40])
    assert report_main([str(sweep)]) == 0
    err = one_line(capsys.readouterr().err, "csei-sim-report")
    assert "warning" in err and "formal/replicate=1" in err and "unreadable" in err
    text = (sweep / "report" / "report.md").read_text()
    assert "3 complete runs" in text and "`formal/replicate=1`" in text


def test_a_truncated_file_counts_as_incomplete(sweep):
    cut = sweep / "informal" / "replicate=0" / "summary.parquet"
    cut.write_bytes(cut.read_bytes()[:40])
    report = write_report(sweep).read_text()
    assert "3 complete runs" in report and "Incomplete runs left out: 1." in report


def test_a_report_fails_only_when_no_run_can_be_read(sweep, capsys):
    for done in sweep.glob("*/*/done.json"):
        _vouch(done.parent, "timeseries.parquet", b"PAR1 not a table")
    assert report_main([str(sweep)]) == 2
    err = capsys.readouterr().err
    assert "no complete runs" in err and "4 unreadable" in err and "Traceback" not in err


# -- two peer-exchange sweeps, one folder ---------------------------------------------------------

EXCHANGE_RUNS = ["exchange=none", "steps=3", "hydra/launcher=basic"]


def test_a_second_exchange_sweep_into_a_held_folder_names_the_holder(tmp_path, monkeypatch, capsys):
    from csei_sim.multiregion.study import main as exchange_main

    monkeypatch.chdir(tmp_path)
    held = tmp_path / "multirun" / "held"
    with sweep_lock(held):
        argv = ["-m", "replicate=0,1", "study=held", *EXCHANGE_RUNS]
        assert exchange_main(argv) == 2
        err = one_line(capsys.readouterr().err, "csei-sim-exchange")
        assert f"process {os.getpid()}" in err and "another sweep" in err
    assert not list(held.glob("*/done.json")) and not (held / HOLDER).exists()
    assert exchange_main(["-m", "replicate=0", "study=held", *EXCHANGE_RUNS]) == 0  # released
    assert len(list(held.glob("*/done.json"))) == 1 and not (held / HOLDER).exists()


def test_two_exchange_sweeps_started_at_once_into_one_folder(tmp_path, monkeypatch, capsys):
    from csei_sim.multiregion.study import main as exchange_main

    argv = ["-m", "replicate=range(0,12)", "study=both", "exchange=none", "steps=24"]
    argv += ["hydra.launcher.n_jobs=1"]
    monkeypatch.chdir(tmp_path)
    two_sweeps_at_once("csei-sim-exchange", exchange_main, argv, 12, tmp_path, capsys)
