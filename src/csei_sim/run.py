"""One way to run a simulation, shared by the CLI, sweeps, notebooks and the explorer."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from csei_sim.model import CSEIModel
from csei_sim.params import Params


@dataclass
class RunResult:
    """What one simulation produced."""

    params: Params
    seed: int | None
    timeseries: pd.DataFrame  # one row per step, indexed by step
    summary: dict[str, Any]
    events: pd.DataFrame

    def summary_frame(self) -> pd.DataFrame:
        return pd.DataFrame([{"seed": self.seed, **self.summary}])


def simulate(
    params: Params | Mapping | None = None, seed: int | None = None, **overrides: Any
) -> RunResult:
    """Build a model, run it to its horizon and return its outputs."""
    model = CSEIModel(params, rng=seed, **overrides).run()
    events = pd.DataFrame(model.events, columns=["step", "date", "kind", "org", "detail"])
    return RunResult(model.params, seed, model.timeseries(), model.summary_record(), events)


def _umask() -> int:
    """The process's umask (read once: setting it back and forth is not thread-safe)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


FILE_MODE = 0o666 & ~_umask()  # what open() would give a new file


def atomic_write(path: Path, write) -> None:
    """Write through a temporary file in the same folder, then rename: never a partial file.

    The file gets the mode a plain ``open()`` would give it; a temporary file is private (0600)
    and named ``.<name>.<pid>.<random>.tmp``: unique per writer, and its process id tells a
    resumed run whether its writer is still alive (:func:`stale_temporaries`). A failed write
    (a full disk) removes it and raises.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(
        dir=path.parent, prefix=f".{path.name}.{os.getpid()}.", suffix=".tmp"
    )
    os.close(fd)
    try:
        write(tmp)
        os.chmod(tmp, FILE_MODE)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_parquet(df: pd.DataFrame, path: Path) -> None:
    atomic_write(Path(path), lambda tmp: df.to_parquet(tmp, index=True))


def stale_temporaries(folder: Path) -> list[Path]:
    """Temporary files in ``folder`` left by writers that are gone (killed mid-write); those of
    a live process (another sweep's, this one's) are not touched."""
    stale = []
    for tmp in Path(folder).glob(".*.tmp"):
        parts = tmp.name.rsplit(".", 3)  # ['.<name>', '<pid>', '<random>', 'tmp']
        pid = parts[1] if len(parts) == 4 else ""
        if not (pid.isascii() and pid.isdigit()) or not _alive(int(pid)):
            stale.append(tmp)
    return stale


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return False  # this process writes a folder from one place at a time: its leftovers
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError):
        return True  # someone else's live process, or not a process id at all: leave it
    return True
