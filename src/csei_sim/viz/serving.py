"""How the explorer's server serves a classroom safely: shipped files only, bounded sessions.

Applied once when the page module is imported by the server (``csei-sim explore`` or
``solara run csei_sim.viz.app``):

- Solara's CDN proxy serves only the files installed in the environment (``solara-assets``); it
  never fetches a missing path from the public CDN, so a visitor cannot make the server send
  requests out or write files under the environment (a missing file is a 404).
- Closed sessions are culled after :data:`CULL_TIMEOUT` instead of Solara's 24 hours, and at most
  :data:`MAX_SESSIONS` sessions run at once (``CSEI_EXPLORER_MAX_SESSIONS`` to change); a visitor
  beyond that sees a message instead of a model.
- Plotly's widget code is served as a file under ``/static/assets/`` (:func:`serve_chart_code`),
  so the charts' state carries a few lines of loader instead of 5 MB each.
- With ``CSEI_EXPLORER_LAUNCHER`` set to the launcher's process id, the server stops when the
  launcher is gone, even after ``kill -9`` (see :func:`watch_launcher`).
"""

from __future__ import annotations

import os
import signal
import threading
import time

MAX_SESSIONS = 30  # sessions at once on the 2-core machine a classroom is served from
MAX_SESSIONS_RANGE = (1, 500)
CULL_TIMEOUT = "60s"  # a closed tab's session is dropped after this (Solara's default: 24h)
SESSIONS_ENV = "CSEI_EXPLORER_MAX_SESSIONS"
LAUNCHER_ENV = "CSEI_EXPLORER_LAUNCHER"
WATCH_INTERVAL_S = 1.0
PLOTLY_BUNDLE = "widgetbundle.js"  # Plotly's widget code, in plotly's package_data


class NotShipped(FileNotFoundError):
    """A front-end file that the environment does not hold (the CDN proxy is off)."""


def _refuse_fetch(url: str) -> bytes:
    raise NotShipped(f"not shipped with the explorer (the CDN proxy is off): {url}")


def cdn_proxy_off() -> None:
    """Serve ``/_solara/cdn/`` from the installed files only: a missing file is a 404."""
    import solara.server.cdn_helper as cdn_helper

    cdn_helper.fetch_from_cdn = _refuse_fetch


def max_sessions(env: dict[str, str] | None = None) -> int:
    """The session cap from ``CSEI_EXPLORER_MAX_SESSIONS`` (default :data:`MAX_SESSIONS`)."""
    from csei_sim.params import ParameterError

    text = (os.environ if env is None else env).get(SESSIONS_ENV, "").strip()
    if not text:
        return MAX_SESSIONS
    lo, hi = MAX_SESSIONS_RANGE
    if not (text.isascii() and text.isdigit() and lo <= int(text) <= hi):
        raise ParameterError(SESSIONS_ENV, f"expected a whole number in {lo}..{hi}, got {text!r}")
    return int(text)


def live_sessions() -> int:
    """Sessions with a page connected now (closed or disconnected ones wait for the cull)."""
    from solara.server import kernel_context

    return sum(
        1
        for context in list(kernel_context.contexts.values())
        if not context.closed_event.is_set()
        and kernel_context.PageStatus.CONNECTED in tuple(context.page_status.values())
    )


def cull_closed_sessions() -> None:
    """Drop a closed session's model after :data:`CULL_TIMEOUT`, not after a day."""
    from solara.server import settings

    settings.kernel.cull_timeout = CULL_TIMEOUT


def serve_chart_code() -> None:
    """Serve plotly's ``package_data`` folder (its widget code) under ``/static/assets/``."""
    from pathlib import Path

    import plotly
    from solara.server import settings

    folder = str(Path(plotly.__file__).parent / "package_data")
    if folder not in settings.assets.extra_locations:
        settings.assets.extra_locations.append(folder)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by someone else
        return True
    return True


def watch_launcher(pid: int, interval: float = WATCH_INTERVAL_S) -> threading.Thread:
    """Stop this process (SIGTERM, then exit) once process ``pid`` is gone or this one is
    re-parented: a killed launcher never leaves its server listening."""
    direct_child = os.getppid() == pid

    def launcher_alive() -> bool:
        # a direct child is re-parented when the launcher dies, even if its pid is reused
        return _alive(pid) and (not direct_child or os.getppid() == pid)

    def watch() -> None:
        while launcher_alive():
            time.sleep(interval)
        os.kill(os.getpid(), signal.SIGTERM)
        time.sleep(10 * interval)  # the server's own shutdown had its chance
        os._exit(0)

    thread = threading.Thread(target=watch, name="csei-launcher-watch", daemon=True)
    thread.start()
    return thread


def die_with_launcher(env: dict[str, str] | None = None) -> threading.Thread | None:
    """Start :func:`watch_launcher` when ``CSEI_EXPLORER_LAUNCHER`` names the launcher."""
    text = (os.environ if env is None else env).get(LAUNCHER_ENV, "").strip()
    if not (text.isascii() and text.isdigit()):
        return None
    return watch_launcher(int(text))


_APPLIED = False


def apply() -> None:
    """Everything above, once per server process."""
    global _APPLIED
    if _APPLIED:
        return
    _APPLIED = True
    cdn_proxy_off()
    cull_closed_sessions()
    serve_chart_code()
    die_with_launcher()
