"""One sweep at a time per study folder.

Two sweeps writing the same run folders at once would each take the other's half-written files
for a killed run's leftovers. A sweep therefore holds an exclusive lock on ``.sweep.lock`` in its
study folder (:mod:`filelock`: an ``flock`` that the system releases when the holder dies, even by
``kill -9``) and writes its process id beside it in ``.sweep.pid``. A second sweep into the same
folder waits up to ``timeout`` seconds (default: not at all), then refuses in one line naming the
holder's process id. Sweeps into different folders run side by side.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from filelock import FileLock, Timeout

LOCK = ".sweep.lock"
HOLDER = ".sweep.pid"


class SweepBusy(RuntimeError):
    """Another process holds the study folder; the message says which, in one line."""


def holder(folder: Path | str) -> str:
    """The process id recorded by the sweep holding ``folder``, or ``unknown``."""
    try:
        text = (Path(folder) / HOLDER).read_text().strip()
    except OSError:
        return "unknown"
    return text if text.isascii() and text.isdigit() else "unknown"


@contextmanager
def sweep_lock(folder: Path | str, timeout: float = 0.0) -> Iterator[Path]:
    """Hold ``folder`` (created if missing) for the duration of the block, or raise
    :class:`SweepBusy` when another process holds it after ``timeout`` seconds."""
    root = Path(folder)
    root.mkdir(parents=True, exist_ok=True)
    # thread_local=False: joblib's threads of the holding process may release it
    lock = FileLock(root / LOCK, timeout=timeout, thread_local=False)
    try:
        lock.acquire()
    except Timeout:
        raise SweepBusy(
            f"{root}: another sweep (process {holder(root)}) is writing into this study folder; "
            "wait for it to finish, or choose another study=<name> (or --runs)"
        ) from None
    pid = root / HOLDER
    try:
        pid.write_text(f"{os.getpid()}\n")
        yield root
    finally:
        if holder(root) == str(os.getpid()):
            pid.unlink(missing_ok=True)
        lock.release()
