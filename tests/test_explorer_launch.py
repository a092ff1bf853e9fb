"""`csei-sim explore`: the server command it starts, its options and their checks."""

from __future__ import annotations

import pytest

from csei_sim.viz import launch


class FakeServer:
    """Stands in for the server process: records how it was started."""

    started: list[tuple[list[str], dict[str, str]]] = []

    def __init__(self, cmd, env=None, preexec_fn=None):
        FakeServer.started.append((cmd, env))

    def wait(self):
        return 0

    def terminate(self):
        pass


@pytest.fixture
def fake_server(monkeypatch):
    FakeServer.started = []
    monkeypatch.setattr(launch.subprocess, "Popen", FakeServer)
    monkeypatch.setattr(launch, "missing_assets_message", lambda: None)
    return FakeServer


def _option(cmd: list[str], name: str) -> str:
    return cmd[cmd.index(name) + 1]


def test_serves_the_app_on_loopback_by_default(fake_server):
    assert launch.main([]) == 0
    ((cmd, env),) = fake_server.started
    assert cmd[1:4] == ["-m", "solara", "run"] and launch.APP in cmd
    assert _option(cmd, "--host") == "127.0.0.1"
    assert _option(cmd, "--port") == str(launch.DEFAULT_PORT)
    assert "--no-open" in cmd
    assert env["SOLARA_TELEMETRY_MIXPANEL_ENABLE"] == "false"


def test_host_port_and_open_are_passed_on(fake_server):
    assert launch.main(["--host", "0.0.0.0", "--port", "9001", "--open"]) == 0
    ((cmd, _env),) = fake_server.started
    assert _option(cmd, "--host") == "0.0.0.0" and _option(cmd, "--port") == "9001"
    assert "--open" in cmd and "--no-open" not in cmd


@pytest.mark.parametrize("port", ["70000", "-1"])
def test_port_out_of_range_is_refused_naming_the_option(fake_server, port, capsys):
    with pytest.raises(SystemExit) as exit_info:
        launch.main(["--port", port])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert "--port" in err and "0..65535" in err
    assert fake_server.started == []


@pytest.mark.parametrize(
    ("argv", "says"),
    [(["--port", "eighty"], "--port: expected an integer"), (["--bogus"], "allowed: -h, --help")],
)
def test_bad_flags_are_refused_in_one_line(fake_server, capsys, argv, says):
    with pytest.raises(SystemExit) as exit_info:
        launch.main(argv)
    err = capsys.readouterr().err
    assert exit_info.value.code == 2 and err.count("\n") == 1 and says in err, err
    assert fake_server.started == []


def test_missing_front_end_files_stop_the_launcher_in_one_line(monkeypatch, capsys):
    monkeypatch.setattr(launch.subprocess, "Popen", FakeServer)
    FakeServer.started = []
    monkeypatch.setattr(
        "csei_sim.viz.assets.missing_required", lambda root=None: ["requirejs@2.3.6"]
    )
    assert launch.main([]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "requirejs@2.3.6" in err and "pip install" in err
    assert "solara-assets" in err
    assert FakeServer.started == []  # no blank page is served


def test_front_end_files_come_with_the_package():
    """solara-assets (the explorer extra) ships every file the page needs: no npm, no CDN."""
    from csei_sim.viz import assets

    assert launch.missing_assets_message() is None
    assert assets.missing_required() == []


def test_a_bad_session_cap_is_refused_before_serving(fake_server, monkeypatch, capsys):
    monkeypatch.setenv("CSEI_EXPLORER_MAX_SESSIONS", "lots")
    assert launch.main([]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "CSEI_EXPLORER_MAX_SESSIONS" in err and "1..500" in err
    assert fake_server.started == []
