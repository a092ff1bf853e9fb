"""Classroom benchmark: how fast a Step answers while other sessions play on the same server.

Starts ``csei-sim explore`` on a free loopback port, opens sessions in headless Chromium (Debian's
``/usr/bin/chromium`` through Playwright), lets all but one session press Play, and times Step in
the remaining one: from the click until the page shows the next step. Prints p50 and p95 of that
latency for 1 session and for N sessions, their ratio, and the server's resident memory per
session. Everything runs on this machine (the browsers too, so the figures are an upper bound for
a classroom whose browsers run elsewhere). It is a benchmark, not a test: it asserts nothing.

Run: ``.venv/bin/python benchmarks/classroom.py [--sessions 1 5] [--steps 15]``.
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

CHROMIUM = os.environ.get("CSEI_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
START_TIMEOUT_S = 120
UI_TIMEOUT_MS = 120_000
STEP_TEXT = re.compile(r"Step (\d+) of \d+")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(port: int, log: Path) -> subprocess.Popen:
    cmd = [sys.executable, "-m", "csei_sim.viz.launch", "--host", "127.0.0.1", "--port", str(port)]
    with log.open("w") as out:
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"the server exited:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status == 200:
                    return proc
        except OSError:
            time.sleep(0.5)
    stop_server(proc)
    raise SystemExit(f"the server did not answer at {url}")


def stop_server(proc: subprocess.Popen) -> None:
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


def server_rss_mib(launcher_pid: int) -> float:
    """Resident memory of the server (the launcher's children), from /proc."""
    total = 0
    for child in Path(f"/proc/{launcher_pid}/task").glob("*/children"):
        for pid in child.read_text().split():
            status = Path(f"/proc/{pid}/status")
            if status.exists():
                for line in status.read_text().splitlines():
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
    return total / 1024


def step_number(page) -> int:
    return int(STEP_TEXT.search(page.get_by_text(STEP_TEXT).inner_text()).group(1))


def time_steps(page, steps: int) -> list[float]:
    """Seconds from a Step click until the page shows the next step, ``steps`` times."""
    out = []
    for _ in range(steps):
        before = step_number(page)
        start = time.perf_counter()
        page.get_by_role("button", name="Step", exact=True).click()
        page.get_by_text(re.compile(rf"Step {before + 1} of \d+")).wait_for(timeout=UI_TIMEOUT_MS)
        out.append(time.perf_counter() - start)
    return out


def open_session(context, url: str):
    page = context.new_page()
    page.goto(url)
    page.get_by_text(STEP_TEXT).wait_for(timeout=UI_TIMEOUT_MS)
    return page


def measure(context, url: str, sessions: int, steps: int, launcher_pid: int) -> dict[str, float]:
    pages = [open_session(context, url) for _ in range(sessions)]
    for other in pages[1:]:  # the others play: a classroom running at once
        other.get_by_role("button", name="▶").click()
    pages[0].wait_for_timeout(1000)
    latencies = time_steps(pages[0], steps)
    rss = server_rss_mib(launcher_pid)
    for page in pages:
        page.close()
    ordered = sorted(latencies)
    return {
        "sessions": sessions,
        "p50": statistics.median(ordered),
        "p95": ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))],
        "rss_mib": rss,
        "rss_per_session_mib": rss / sessions,
    }


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--sessions", type=int, nargs="+", default=[1, 10, 25])
    p.add_argument("--steps", type=int, default=15, help="Steps timed per measurement")
    args = p.parse_args(argv)
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        raise SystemExit(f"no Chromium at {CHROMIUM} (apt-get install -y chromium)")
    from playwright.sync_api import sync_playwright

    port = free_port()
    log = Path(tempfile.mkdtemp(prefix="csei-classroom-")) / "server.log"
    server = start_server(port, log)
    url = f"http://127.0.0.1:{port}/"
    rows = []
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(
                executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
            )
            for n in args.sessions:
                context = browser.new_context(viewport={"width": 1280, "height": 1000})
                rows.append(measure(context, url, n, args.steps, server.pid))
                context.close()
                row = rows[-1]
                print(  # as it comes: a run with 25 sessions on a busy machine takes a while
                    f"measured {n} sessions: p50 {row['p50']:.2f} s, p95 {row['p95']:.2f} s, "
                    f"load {os.getloadavg()[0]:.1f}",
                    flush=True,
                )
            browser.close()
    finally:
        stop_server(server)
    base = rows[0]
    print(f"Step latency, click to next step shown ({args.steps} Steps, others playing;")
    print(
        f"server and browsers on this {os.cpu_count()}-core machine, load {os.getloadavg()[0]:.1f})"
    )
    print("| sessions | p50 (s) | p95 (s) | p95 / 1 session | server RSS (MiB) | per session |")
    print("|---:|---:|---:|---:|---:|---:|")
    for row in rows:
        print(
            f"| {row['sessions']} | {row['p50']:.2f} | {row['p95']:.2f} | "
            f"{row['p95'] / base['p95']:.1f} | {row['rss_mib']:.0f} | "
            f"{row['rss_per_session_mib']:.0f} |"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
