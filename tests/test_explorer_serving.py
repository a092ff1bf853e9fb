"""The explorer's server: shipped files only, bounded sessions, and it dies with its launcher."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest

solara = pytest.importorskip("solara")

from csei_sim.params import ParameterError  # noqa: E402
from csei_sim.viz import launch, serving  # noqa: E402

WAIT_S = 20  # how long a process may take to notice and stop (a busy 2-core machine)


def test_cdn_proxy_serves_shipped_files_and_never_fetches(tmp_path, monkeypatch):
    import solara.server.cdn_helper as cdn_helper

    fetched: list[str] = []
    monkeypatch.setattr(cdn_helper, "fetch_from_cdn", lambda url: fetched.append(url) or b"x")
    serving.cdn_proxy_off()
    (tmp_path / "pkg@1.0.0").mkdir()
    (tmp_path / "pkg@1.0.0" / "a.js").write_text("ok")
    assert cdn_helper.get_path(tmp_path, "pkg@1.0.0/a.js").read_text() == "ok"
    with pytest.raises(serving.NotShipped):
        cdn_helper.get_path(tmp_path, "left-pad@1.3.0/index.js")
    assert fetched == []  # no request went out
    assert not (tmp_path / "left-pad@1.3.0").exists()  # and nothing was written


def test_page_module_applies_the_serving_settings():
    import solara.server.cdn_helper as cdn_helper
    from solara.server import settings

    from csei_sim.viz import app  # noqa: F401 - importing it applies them

    assert cdn_helper.fetch_from_cdn is serving._refuse_fetch
    assert settings.kernel.cull_timeout == serving.CULL_TIMEOUT
    assert solara.util.parse_timedelta(serving.CULL_TIMEOUT) <= 300  # not Solara's 24 hours


def test_launcher_tells_the_server_who_launched_it_and_to_cull():
    env = launch.server_env({})
    assert env[serving.LAUNCHER_ENV] == str(os.getpid())
    assert env["SOLARA_KERNEL_CULL_TIMEOUT"] == serving.CULL_TIMEOUT


@pytest.mark.parametrize("text", ["0", "-3", "abc", "10000", "²"])
def test_session_cap_from_the_environment_is_checked(text):
    with pytest.raises(ParameterError, match=serving.SESSIONS_ENV):
        serving.max_sessions({serving.SESSIONS_ENV: text})


def test_session_cap_default_and_override():
    assert serving.max_sessions({}) == serving.MAX_SESSIONS
    assert serving.max_sessions({serving.SESSIONS_ENV: " 5 "}) == 5


def test_live_sessions_count_only_connected_pages(monkeypatch):
    from solara.server import kernel_context

    class Context:
        def __init__(self, closed: bool, status):
            self.closed_event = type("E", (), {"is_set": lambda _self: closed})()
            self.page_status = {"p": status}

    status = kernel_context.PageStatus
    fake = {
        "a": Context(False, status.CONNECTED),
        "b": Context(False, status.DISCONNECTED),
        "c": Context(True, status.CLOSED),
        "d": Context(False, status.CONNECTED),
    }
    monkeypatch.setattr(kernel_context, "contexts", fake)
    assert serving.live_sessions() == 2


WATCHED = textwrap.dedent(
    """
    import sys, time
    from csei_sim.viz.serving import watch_launcher
    watch_launcher(int(sys.argv[1]), interval=0.2)
    print("watching", flush=True)
    time.sleep(120)
    """
)


def _wait_exit(proc: subprocess.Popen) -> int | None:
    try:
        return proc.wait(timeout=WAIT_S)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        return None


def test_a_server_stops_when_its_launcher_is_killed():
    """The launcher stands in as a sleeping process; kill -9 of it stops the watched one."""
    launcher = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"])
    server = subprocess.Popen(
        [sys.executable, "-c", WATCHED, str(launcher.pid)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert server.stdout.readline().strip() == "watching"
        time.sleep(0.5)
        assert server.poll() is None  # alive while its launcher is
        os.kill(launcher.pid, signal.SIGKILL)
        launcher.wait()
        assert _wait_exit(server) is not None, "the server outlived its launcher"
    finally:
        for proc in (launcher, server):
            if proc.poll() is None:
                proc.kill()
                proc.wait()


LAUNCHER = textwrap.dedent(
    """
    import subprocess, sys
    from csei_sim.viz import launch
    child = subprocess.Popen(
        [sys.executable, "-c", "import time; print('up', flush=True); time.sleep(120)"],
        preexec_fn=launch._die_with_parent,
    )
    print(child.pid, flush=True)
    child.wait()
    """
)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the kernel's parent signal")
def test_launcher_child_gets_a_signal_when_the_launcher_dies():
    launcher = subprocess.Popen([sys.executable, "-c", LAUNCHER], stdout=subprocess.PIPE, text=True)
    child = None
    try:
        child = int(launcher.stdout.readline())
        assert launcher.stdout.readline().strip() == "up"
        os.kill(launcher.pid, signal.SIGKILL)
        launcher.wait()
        deadline = time.monotonic() + WAIT_S
        while serving._alive(child) and not _zombie(child) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not serving._alive(child) or _zombie(child), "the child outlived its launcher"
    finally:
        if launcher.poll() is None:
            launcher.kill()
            launcher.wait()
        if child is not None and serving._alive(child) and not _zombie(child):
            os.kill(child, signal.SIGKILL)


def _zombie(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split(")")[1].split()[0] == "Z"
    except FileNotFoundError:
        return True
