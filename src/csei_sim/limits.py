"""The stated limits of every entry point: sizes, fractions, months and output folders.

Each command line (``csei-sim``, ``csei-sim-study``, ``csei-sim-report``, ``csei-sim-analysis``,
``csei-sim-exchange``) checks its input against these limits before anything runs, is allocated or
is written; a value outside them raises :class:`csei_sim.params.ParameterError` with one line
naming the key and the allowed values, which the command line turns into exit code 2.

The sizes bound what one command may ask for, so that a typo (``--samples 2**40``,
``replicate=range(0,100000000)``) is refused at once instead of filling the memory: the largest
allowed design still fits a sweep of :data:`MAX_RUNS` runs. Months are those of
:data:`csei_sim.params.YEARS`. A folder is checked by creating (and at once removing) a probe file
in its nearest existing parent, so a read-only, virtual (``/proc``) or blocked place is refused
whoever runs the command, and every name in the path must be short enough for the file system.
"""

from __future__ import annotations

import math
import numbers
import os
import tempfile
from pathlib import Path
from typing import Any

from csei_sim.params import YEARS, ParameterError

# Runs one command may ask for (a sweep, a study, an analysis): beyond this a typo is more likely
# than a plan, and the job lists alone would take gigabytes.
MAX_RUNS = 1_000_000
# Runs of one Hydra sweep (csei-sim -m): each is planned, its folder named, before it starts,
# at tens of kilobytes of memory per run
MAX_SWEEP_RUNS = 20_000
MAX_REPLICATES = 10_000  # replicates per cell or point
MAX_SAMPLES = 65_536  # Sobol base samples N (2**16) and PRIM's Latin hypercube points
MAX_TRAJECTORIES = 10_000  # Morris trajectories
MAX_RESAMPLES = 100_000  # bootstrap resamples of the indices
MAX_FACTORS = 200  # factors of one analysis (Morris's top, Sobol's)
MAX_JOBS = 4_096  # parallel worker processes
# File names and paths: what POSIX file systems take when the folder cannot tell (pathconf)
NAME_MAX, PATH_MAX = 255, 4_096
__all__ = [
    "MAX_FACTORS",
    "MAX_JOBS",
    "MAX_REPLICATES",
    "MAX_RESAMPLES",
    "MAX_RUNS",
    "MAX_SAMPLES",
    "MAX_SWEEP_RUNS",
    "MAX_TRAJECTORIES",
    "YEARS",
    "check_count",
    "check_fraction",
    "check_folder",
    "check_jobs",
    "check_runs",
]


def check_count(key: str, value: Any, lo: int, hi: int) -> int:
    """A whole number in ``[lo, hi]``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise ParameterError(key, f"expected a whole number in [{lo}, {hi}], got {value!r}")
    if not lo <= value <= hi:
        raise ParameterError(key, f"{value} is outside the allowed range [{lo}, {hi}]")
    return int(value)


def check_fraction(key: str, value: Any, *, open_low: bool = False) -> float:
    """A finite number in [0, 1] (in (0, 1] with ``open_low``)."""
    span = "(0, 1]" if open_low else "[0, 1]"
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ParameterError(key, f"expected a number in {span}, got {value!r}")
    value = float(value)
    if not math.isfinite(value) or not 0 <= value <= 1 or (open_low and value == 0):
        raise ParameterError(key, f"{value!r} is outside the allowed range {span}")
    return value


def check_jobs(key: str, value: Any) -> int:
    """Parallel workers: 1 to :data:`MAX_JOBS`, or -1 (all cores) and other negatives joblib
    reads as "all but n-1"."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value == 0:
        raise ParameterError(
            key, f"expected a whole number in [1, {MAX_JOBS}] or -1 for all cores, got {value!r}"
        )
    if not -MAX_JOBS <= value <= MAX_JOBS:
        raise ParameterError(
            key, f"{value} is outside the allowed range [1, {MAX_JOBS}] (or -1 for all cores)"
        )
    return int(value)


def check_runs(key: str, n_runs: int, most: int = MAX_RUNS) -> int:
    """The runs one command asks for: at most ``most`` (:data:`MAX_RUNS`)."""
    if n_runs > most:
        raise ParameterError(
            key, f"asks for {n_runs:,} runs; at most {most:,} are allowed in one command"
        )
    return n_runs


def check_folder(key: str, path: Path | str) -> Path:
    """A folder results can go to: not a file, names and path the file system takes, and a place
    where a file can be created. Creates nothing that stays."""
    target = Path(os.path.abspath(path))
    existing = _nearest_existing(target)
    if not existing.is_dir():
        raise ParameterError(
            key, f"cannot write results to {path}: {existing} is a file, not a folder"
        )
    name_max, path_max = _name_limits(existing)
    if len(os.fsencode(target)) > path_max:
        raise ParameterError(
            key, f"cannot write results to {path}: the path is longer than {path_max} bytes"
        )
    for part in target.parts[1:]:
        if len(os.fsencode(part)) > name_max:
            raise ParameterError(
                key,
                f"cannot write results to {path}: a folder name of {len(os.fsencode(part))} "
                f"bytes is longer than the {name_max} the file system takes",
            )
    _probe(key, path, existing)
    return target


def _nearest_existing(target: Path) -> Path:
    for candidate in (target, *target.parents):
        try:
            if candidate.exists():
                return candidate
        except OSError:  # a name too long to look up: its parent decides
            continue
    return Path(target.anchor)


def _name_limits(folder: Path) -> tuple[int, int]:
    try:
        return os.pathconf(folder, "PC_NAME_MAX"), os.pathconf(folder, "PC_PATH_MAX")
    except (OSError, ValueError):
        return NAME_MAX, PATH_MAX


def _probe(key: str, path: Path | str, folder: Path) -> None:
    """Create and remove a file in ``folder``: the only sure test (root passes os.access)."""
    try:
        fd, probe = tempfile.mkstemp(dir=folder, prefix=".csei-probe-", suffix=".tmp")
    except OSError as err:
        raise ParameterError(
            key,
            f"cannot write results to {path}: {folder} does not take new files "
            f"({err.strerror or err})",
        ) from None
    os.close(fd)
    os.unlink(probe)
