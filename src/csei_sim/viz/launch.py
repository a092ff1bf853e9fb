"""``csei-sim explore``: serve the explorer with Solara on this machine (127.0.0.1 unless told).

Runs ``solara run csei_sim.viz.app`` in a child process with telemetry off, and refuses in one
line when Solara's front-end files are missing (the page would be blank without a network). The
server dies with its launcher, even after ``kill -9`` of the launcher (:mod:`csei_sim.viz.serving`
watches the launcher's process id; on Linux the kernel also signals the child).
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys

from csei_sim.errors import CommandParser
from csei_sim.params import ParameterError
from csei_sim.viz.serving import CULL_TIMEOUT, LAUNCHER_ENV, max_sessions

APP = "csei_sim.viz.app"
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8765
PR_SET_PDEATHSIG = 1  # prctl option: a signal for this process when its parent dies


def server_env(base: dict[str, str] | None = None) -> dict[str, str]:
    """Environment for the server: Solara's usage reporting off (it would call out to the web)."""
    env = dict(os.environ if base is None else base)
    env["SOLARA_TELEMETRY_MIXPANEL_ENABLE"] = "false"
    env[LAUNCHER_ENV] = str(os.getpid())  # the server stops when this process is gone
    env["SOLARA_KERNEL_CULL_TIMEOUT"] = CULL_TIMEOUT  # closed sessions do not stay for a day
    env.setdefault("SOLARA_THEME_SHOW_BANNER", "false")  # it would cover the lower right panel
    return env


def solara_command(
    host: str, port: int, open_browser: bool = False, extra: list[str] | None = None
) -> list[str]:
    """The ``solara run`` command line for the explorer."""
    cmd = [
        sys.executable,
        "-m",
        "solara",
        "run",
        APP,
        "--host",
        host,
        "--port",
        str(port),
        "--production",
        "--open" if open_browser else "--no-open",
    ]
    return cmd + list(extra or [])


def _die_with_parent() -> None:
    """In the child before it runs: the kernel sends SIGTERM when the launcher dies (Linux)."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    except (OSError, AttributeError):  # not Linux: the server's own watch still stops it
        pass


def parser() -> argparse.ArgumentParser:
    p = CommandParser(prog="csei-sim explore", description="Open the CSEI explorer in the browser.")
    p.add_argument(
        "--host",
        default=DEFAULT_HOST,
        help=f"address to listen on (default {DEFAULT_HOST}: this machine only)",
    )
    p.add_argument(
        "--port",
        type=int,
        default=DEFAULT_PORT,
        help=f"port to listen on, 0 for any free port (default {DEFAULT_PORT})",
    )
    p.add_argument("--open", action="store_true", help="open a browser tab once it is up")
    return p


def _check_port(p: argparse.ArgumentParser, port: int) -> None:
    if not 0 <= port <= 65535:
        p.error(f"--port: {port} is outside the allowed range 0..65535")


def missing_assets_message() -> str | None:
    """One line saying how to install the page's front-end files, or None when all are there."""
    try:
        from csei_sim.viz.assets import INSTALL_HINT, missing_required

        absent = missing_required()
    except ImportError:  # solara itself is missing: the explorer extra is not installed
        return 'error: the explorer is not installed; run: pip install "csei-sim[explorer]"'
    if not absent:
        return None
    return (
        f"error: the explorer's front-end files are missing ({', '.join(absent)}); "
        f"the page would be blank. Install them with: {INSTALL_HINT}"
    )


def main(argv: list[str] | None = None) -> int:
    """Serve the explorer until interrupted; returns the server's exit code."""
    p = parser()
    args = p.parse_args(argv)
    _check_port(p, args.port)
    try:
        max_sessions()  # a bad cap is refused here, not in every visitor's page
    except ParameterError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    message = missing_assets_message()
    if message:
        print(message, file=sys.stderr)
        return 1
    print(f"CSEI explorer: http://{args.host}:{args.port}/ (Ctrl+C stops it)", flush=True)
    server = subprocess.Popen(
        solara_command(args.host, args.port, args.open),
        env=server_env(),
        preexec_fn=_die_with_parent if sys.platform.startswith("linux") else None,
    )
    # stopping this process stops the server too, so no server is left behind
    signal.signal(signal.SIGTERM, lambda *_: server.terminate())
    try:
        return server.wait()
    except KeyboardInterrupt:  # Ctrl+C reaches the server as well; wait for it to finish
        server.terminate()
        server.wait()
        return 0


if __name__ == "__main__":
    raise SystemExit(main())
