"""Blocks of runs: one Hydra job runs several replicates of a scenario, each into its own folder.

A Hydra job has a fixed cost (composing its configuration, a folder with three config files,
logging) larger than a run of the default region, so a sweep of one run per job spends more than
half its time on Hydra. The sweeper (``hydra/sweeper=csei``, the default) therefore groups the jobs
of a batch that differ only in ``replicate`` into blocks: the block's job is its first run, and it
carries the other replicates in ``block=[...]``. The task function runs them after its own, each
into the folder, with the spec, seed and files it would have as its own job, so folders,
``done.json``, resume and numbers do not depend on the blocking.

Every launcher runs blocks: a joblib worker, the basic launcher, a SLURM array task.
``hydra.sweeper.block_size`` sets the runs per job; ``null`` (the default) makes about four jobs
per parallel worker or SLURM task in flight, so that workers finishing early find work left, and
keeps one run per job in local sweeps of fewer than 25 runs per worker, which take seconds anyway.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from omegaconf import DictConfig, OmegaConf

from csei_sim.experiment.runner import RunSpec

BLOCK_KEY = "block"
REPLICATE_KEY = "replicate"
JOBS_PER_WORKER = 4  # fewer, larger blocks cost less; more balance the load at the end
# Below this many runs per worker a sweep takes seconds either way: one run per job keeps Hydra's
# usual layout (.hydra/ in every run folder) and lets an interrupted sweep stop between runs.
MIN_RUNS_PER_WORKER = 25
DEFAULT_SUBDIR = "${csei.dirname:${hydra.job.override_dirname}}"
MAX_BLOCK = 10**9
BLOCK_SIZE_ALLOWED = (
    f"allowed: a whole number of runs per job from 1 to {MAX_BLOCK}, "
    "or null for about four jobs per worker"
)


def check_block_size(value: Any) -> int | None:
    """``hydra.sweeper.block_size``: ``None`` (automatic) or a whole number >= 1."""
    if value is None or (
        isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= MAX_BLOCK
    ):
        return value
    from csei_sim.experiment.validate import ConfigError

    raise ConfigError(f"hydra.sweeper.block_size: {value!r} is not allowed; {BLOCK_SIZE_ALLOWED}")


def auto_size(n_runs: int, launcher: DictConfig | dict) -> int:
    """Runs per job when ``hydra.sweeper.block_size`` is null, from the launcher's settings.

    About four jobs per worker: joblib's ``n_jobs`` processes (one run per job when there are
    fewer than 25 runs per process), or submitit's ``array_parallelism`` tasks in flight.
    """
    n_jobs = launcher.get("n_jobs")
    parallel = launcher.get("array_parallelism")
    if isinstance(parallel, int) and parallel > 0 and n_jobs is None:  # submitit: a cluster
        return max(1, math.ceil(n_runs / (JOBS_PER_WORKER * parallel)))
    workers = 1
    if isinstance(n_jobs, int) and n_jobs != 0:
        # joblib counts negative values back from the number of cores: -1 is all of them
        workers = n_jobs if n_jobs > 0 else max(1, (os.cpu_count() or 1) + 1 + n_jobs)
    if n_runs < MIN_RUNS_PER_WORKER * workers:
        return 1
    return math.ceil(n_runs / (JOBS_PER_WORKER * workers))


def blockable(hydra: DictConfig) -> bool:
    """True when a block's runs get the folders Hydra would give them as jobs of their own.

    ``hydra`` is the ``hydra`` node of a composed configuration.
    """
    subdir = OmegaConf.to_container(hydra.sweep, resolve=False)["subdir"]
    return subdir == DEFAULT_SUBDIR and BLOCK_KEY in hydra.job.config.override_dirname.exclude_keys


def make_blocks(
    jobs: Sequence[Sequence[str]], size: int, alone: Callable[[list[str]], bool] | None = None
) -> list[list[str]]:
    """The jobs of a batch with runs that differ only in ``replicate`` grouped into blocks.

    Jobs keep their order of first appearance; a job that sets no plain ``replicate=<n>`` stays
    alone, and so does one for which ``alone(job)`` is true. ``size`` is the most runs per block;
    a group is cut into blocks of near-equal sizes.
    """
    from hydra.core.override_parser.overrides_parser import OverridesParser

    if size <= 1:
        return [list(job) for job in jobs]
    parser = OverridesParser.create()
    groups: dict[tuple, list[tuple[list[str], int]]] = {}
    for job in jobs:
        key, replicate = _group_key(parser, list(job))
        if alone is not None and alone(list(job)):
            replicate = None
        groups.setdefault(key if replicate is not None else (id(job),), []).append(
            (list(job), replicate)
        )
    out = []
    for members in groups.values():
        count = math.ceil(len(members) / size)  # as many blocks as needed, of near-equal sizes
        for i in range(count):
            part = members[i * len(members) // count : (i + 1) * len(members) // count]
            head, rest = part[0][0], [r for _, r in part[1:]]
            out.append(head + [f"{BLOCK_KEY}=[{','.join(map(str, rest))}]"] if rest else head)
    return out


def _group_key(parser: Any, job: list[str]) -> tuple[tuple, int | None]:
    """(what the job shares with its block, its replicate) or (..., None) when not blockable."""
    parsed = parser.parse_overrides(job)
    found = [
        i
        for i, o in enumerate(parsed)
        if o.key_or_group == REPLICATE_KEY and o.package is None and not o.is_sweep_override()
    ]
    if len(found) != 1 or any(o.key_or_group == BLOCK_KEY for o in parsed):
        return (), None
    index = found[0]
    value = parsed[index].value()
    if parsed[index].input_line != f"{REPLICATE_KEY}={value}" or isinstance(value, bool):
        return (), None  # only plain whole numbers: the sibling's override is rebuilt from it
    if not isinstance(value, int):
        return (), None
    rest = tuple(line for i, line in enumerate(job) if i != index)
    return (index, rest), value


def siblings(
    block: Sequence[int], spec: RunSpec, task_overrides: Sequence[str], hydra: DictConfig
) -> list[tuple[Path, RunSpec]]:
    """Folder and spec of each further run of a block job, as Hydra would make them as jobs."""
    from hydra._internal.config_loader_impl import get_overrides_dirname
    from hydra.core.override_parser.overrides_parser import OverridesParser

    from csei_sim.experiment.schema import dirname

    if not blockable(hydra):  # the sweeper makes blocks only where this holds
        raise RuntimeError("a block of runs needs the default hydra.sweep.subdir, block excluded")
    parser = OverridesParser.create()
    own = [line for line in task_overrides if not line.startswith(f"{BLOCK_KEY}=")]
    sep = hydra.job.config.override_dirname
    # the job's own folder is <sweep dir>/<one folder name>; absolute, whatever the job's cwd
    sweep_dir = Path(str(hydra.runtime.output_dir)).parent
    out = []
    for replicate in block:
        lines = [
            f"{REPLICATE_KEY}={replicate}" if line.startswith(f"{REPLICATE_KEY}=") else line
            for line in own
        ]
        name = get_overrides_dirname(
            [o for o in parser.parse_overrides(lines) if not o.is_hydra_override()],
            list(sep.exclude_keys),
            sep.item_sep,
            sep.kv_sep,
        )
        out.append((sweep_dir / dirname(name), replace(spec, replicate=int(replicate))))
    return out
