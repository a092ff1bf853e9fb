"""Waiting for SLURM tasks with ``squeue``, every wait bounded, so no sweep hangs on the scheduler.

submitit waits for a task by looking for its result file and asking ``sacct`` about its state.
Without accounting (many small clusters) ``sacct`` fails, submitit warns at every poll and a task
cancelled before it wrote a result is waited for forever. :func:`wait` asks ``squeue`` instead:
a task is over once it has left the queue; it finished when its result file is there (within
``grace`` seconds, for shared file systems that show files late), else it was cancelled or killed.

Every call to a SLURM command has a timeout, and the scheduler being unreachable for longer than
``unreachable`` seconds ends the wait; ``deadline`` (seconds, or None) bounds the whole wait.
"""

from __future__ import annotations

import getpass
import subprocess
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

COMMAND_TIMEOUT = 30.0  # seconds for one squeue or scancel call
POLL_SECONDS = 2.0
GRACE_SECONDS = 15.0
UNREACHABLE_SECONDS = 300.0


class SchedulerError(RuntimeError):
    """SLURM did not answer, or the wait went past its deadline; one line."""


@dataclass
class Outcome:
    """How the tasks of a submission ended: indices into the submitted list."""

    finished: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)  # a result file with an error
    lost: list[int] = field(default_factory=list)  # left the queue without a result


def queued(user: str | None = None, timeout: float = COMMAND_TIMEOUT) -> set[str] | None:
    """Ids (``123`` or ``123_4``, array tasks one by one) of the user's tasks in the queue, or
    None when ``squeue`` fails or does not answer in time."""
    command = ["squeue", "-h", "-r", "-o", "%i", "-u", user or getpass.getuser()]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
    except (OSError, subprocess.TimeoutExpired):
        return None
    if done.returncode != 0:
        return None
    return {line.strip() for line in done.stdout.splitlines() if line.strip()}


def cancel(job_ids: Sequence[str], timeout: float = COMMAND_TIMEOUT) -> bool:
    """``scancel`` the given tasks; True when it answered in time without error."""
    if not job_ids:
        return True
    try:
        done = subprocess.run(
            ["scancel", *job_ids], capture_output=True, text=True, timeout=timeout
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    return done.returncode == 0


def wait(
    jobs: Sequence[Any],
    *,
    poll: float = POLL_SECONDS,
    grace: float = GRACE_SECONDS,
    unreachable: float = UNREACHABLE_SECONDS,
    deadline: float | None = None,
    list_queue: Callable[[], set[str] | None] = queued,
) -> Outcome:
    """Wait until every submitit job of ``jobs`` has a result or has left the queue.

    A job needs ``job_id`` and ``paths.result_pickle``; its result is read with ``results()``
    only once the file is there, so submitit never polls ``sacct``.
    """
    start = time.monotonic()
    pending = set(range(len(jobs)))
    gone_since: dict[int, float] = {}
    last_answer = start
    outcome = Outcome()
    while pending:
        now = time.monotonic()
        for i in sorted(pending):
            if Path(jobs[i].paths.result_pickle).exists():
                pending.discard(i)
                (outcome.finished if _succeeded(jobs[i]) else outcome.failed).append(i)
        if not pending:
            break
        in_queue = list_queue()
        if in_queue is None:
            if now - last_answer > unreachable:
                raise SchedulerError(
                    f"SLURM: squeue gave no answer for {unreachable:.0f} s; the tasks may still "
                    "run: check with squeue, then run the same command again"
                )
        else:
            last_answer = now
            for i in sorted(pending):
                if str(jobs[i].job_id) in in_queue:
                    gone_since.pop(i, None)
                elif now - gone_since.setdefault(i, now) > grace:
                    pending.discard(i)
                    outcome.lost.append(i)
        if deadline is not None and now - start > deadline:
            raise SchedulerError(
                f"SLURM: tasks still queued or running after {deadline:.0f} s "
                "(hydra.launcher.wait_timeout_min); run the same command again to collect them"
            )
        if pending:
            time.sleep(poll)
    return outcome


def _succeeded(job: Any) -> bool:
    try:
        job.results()
    except Exception:  # noqa: BLE001 - any error of the task counts as a failed task
        return False
    return True
