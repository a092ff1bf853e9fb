"""Configurations are data: they cannot make the commands import or run code, and the explorer's
server listens on this machine only unless told otherwise."""

from __future__ import annotations

import os
import pickle
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hydra.utils import instantiate
from omegaconf import OmegaConf

from csei_sim import ParameterError
from csei_sim.cli import main, preflight
from csei_sim.experiment import run_one
from csei_sim.multiregion.study import main as exchange_main
from csei_sim.viz.launch import DEFAULT_HOST


def tree(root: Path) -> dict[str, bytes | None]:
    return {
        str(p.relative_to(root)): None if p.is_dir() else p.read_bytes() for p in root.rglob("*")
    }


def refused(argv: list[str], cwd: Path, monkeypatch, capsys, app=main) -> str:
    """Run a command in ``cwd``: exit 2, one line on stderr, nothing written; return the line."""
    before = tree(cwd)
    with monkeypatch.context() as m:
        m.chdir(cwd)
        assert app(argv) == 2, argv
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and ": error: " in err, err
    assert tree(cwd) == before
    return err


def opener(marker: Path) -> dict:
    """A config node that creates ``marker`` when Hydra builds it: open(marker, "w")."""
    return {"_target_": "builtins.open", "_args_": [str(marker), "w"]}


def test_hydra_would_build_the_attack_node_so_the_guard_is_what_stops_it(tmp_path):
    marker = tmp_path / "built"
    instantiate(opener(marker)).close()  # Hydra's own policy lets builtins.open through
    assert marker.exists()


@pytest.mark.parametrize(
    ("argv", "key"),
    [
        (
            [
                "+hydra.callbacks.evil._target_=builtins.open",
                "+hydra.callbacks.evil._args_=[{m},w]",
            ],
            "hydra.callbacks.evil._target_",
        ),
        (
            ["-m", "hydra/launcher=basic", "hydra.launcher._target_=builtins.open"],
            "hydra.launcher._target_",
        ),
        (["-m", "hydra.sweeper._target_=builtins.print"], "hydra.sweeper._target_"),
        (["+region._target_=os.system"], "region._target_"),
        (
            ["+hydra.job_logging.handlers.evil={class:builtins.open,filename:{m}}"],
            "hydra.job_logging.handlers.evil.class",
        ),
        (
            ["+hydra.job_logging.handlers.evil={class:logging.StreamHandler,stream:'ext://os'}"],
            "handlers.evil.stream",
        ),
    ],
)
def test_overrides_naming_code_are_refused_before_anything_runs(
    argv, key, tmp_path, monkeypatch, capsys
):
    marker = tmp_path / "ran"
    argv = [a.replace("{m}", str(marker)) for a in argv]
    err = refused([*argv, "steps=2", "plot=false"], tmp_path, monkeypatch, capsys)
    assert key in err and "not allowed" in err
    assert not marker.exists()


@pytest.mark.parametrize(
    ("part", "message"),
    [
        ("callbacks", "hydra.callbacks.evil._target_: 'builtins.open' is not allowed"),
        ("job_logging", "job_logging.formatters.evil.(): logging factories ('()') are not allowed"),
    ],
)
def test_a_config_file_naming_code_is_refused(part, message, tmp_path, monkeypatch, capsys):
    marker = tmp_path / "ran"
    node = {
        "callbacks": {"evil": opener(marker)},
        "job_logging": {"formatters": {"evil": {"()": "builtins.open"}}},
    }[part]
    conf = tmp_path / "conf" / "experiment"
    conf.mkdir(parents=True)
    text = OmegaConf.to_yaml(OmegaConf.create({"hydra": {part: node}, "steps": 2}))
    (conf / "evil.yaml").write_text("# @package _global_\n" + text)
    argv = ["--config-dir", str(tmp_path / "conf"), "experiment=evil"]
    err = refused(argv, tmp_path, monkeypatch, capsys)
    assert message in err and "allowed" in err
    assert not marker.exists()


def test_package_search_paths_are_refused_before_they_are_imported(tmp_path, monkeypatch, capsys):
    sys.modules.pop("this", None)  # importing `this` prints the Zen of Python
    err = refused(["hydra.searchpath=[pkg://this]"], tmp_path, monkeypatch, capsys)
    assert "hydra.searchpath: 'pkg://this' is not allowed" in err
    err = refused(["--cfg", "job", "hydra.searchpath=[pkg://this]"], tmp_path, monkeypatch, capsys)
    assert "pkg://this" in err
    (tmp_path / "conf").mkdir()
    (tmp_path / "conf" / "mine.yaml").write_text("hydra:\n  searchpath: [pkg://this]\n")
    argv = ["--config-dir", str(tmp_path / "conf"), "--config-name", "mine"]
    assert "pkg://this" in refused(argv, tmp_path, monkeypatch, capsys)
    assert "this" not in sys.modules and "Zen of Python" not in capsys.readouterr().out


def test_a_rerun_pickle_is_never_loaded(tmp_path, monkeypatch, capsys):
    marker = tmp_path / "ran"

    class Payload:  # unpickling it would call open(marker, "w")
        def __reduce__(self):
            return (open, (str(marker), "w"))

    (tmp_path / "config.pickle").write_bytes(pickle.dumps(Payload()))
    err = refused(["--experimental-rerun", "config.pickle"], tmp_path, monkeypatch, capsys)
    assert "--experimental-rerun: not allowed" in err and not marker.exists()


def test_the_peer_exchange_command_has_the_same_guard(tmp_path, monkeypatch, capsys):
    marker = tmp_path / "ran"
    argv = [
        "+hydra.callbacks.evil._target_=builtins.open",
        f"+hydra.callbacks.evil._args_=[{marker},w]",
    ]
    err = refused(argv, tmp_path, monkeypatch, capsys, app=exchange_main)
    assert err.startswith("csei-sim-exchange: error: hydra.callbacks.evil._target_")
    assert not marker.exists()


def test_the_python_api_refuses_target_keys(tmp_path):
    with pytest.raises(ParameterError, match="_target_: unknown parameter"):
        run_one({"_target_": "os.system", "steps": 2}, tmp_path / "run")
    with pytest.raises(ParameterError, match="region._target_: unknown key"):
        run_one({"region": {"_target_": "os.system"}, "steps": 2}, tmp_path / "run")
    assert not any(tmp_path.iterdir())


@pytest.mark.parametrize("launcher", ["basic", "joblib", "submitit_local", "slurm"])
def test_the_shipped_launchers_pass_the_guard(launcher, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    plan = preflight(["-m", f"hydra/launcher={launcher}", "governance=informal,formal"])
    assert len(plan.jobs) == 2 and not any(tmp_path.iterdir())


# -- the explorer's server ---------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _listening(port: int) -> set[str]:
    """Local addresses (hex, as the kernel lists them) of TCP sockets listening on ``port``."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            address, _, hex_port = local.rpartition(":")
            if state == "0A" and int(hex_port, 16) == port:  # 0A: LISTEN
                found.add(address)
    return found


LOOPBACK = {"0100007F", "00000000000000000000000001000000"}  # 127.0.0.1 and ::1


@pytest.mark.skipif(not Path("/proc/net/tcp").exists(), reason="needs Linux /proc/net/tcp")
def test_the_explorer_listens_on_loopback_only_by_default(tmp_path):
    assert DEFAULT_HOST == "127.0.0.1"
    port = _free_port()
    log = (tmp_path / "server.log").open("w")
    cmd = [sys.executable, "-m", "csei_sim.viz.launch", "--port", str(port)]  # no --host
    proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + 120  # a cold start imports solara, mesa, matplotlib
        while not _listening(port):
            assert proc.poll() is None, (tmp_path / "server.log").read_text()
            assert time.monotonic() < deadline, "the explorer did not start listening"
            time.sleep(0.3)
        addresses = _listening(port)
        assert addresses <= LOOPBACK, addresses  # never 0.0.0.0 or a public address
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        log.close()
