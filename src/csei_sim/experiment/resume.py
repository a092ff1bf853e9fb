"""Resume a sweep: drop complete runs before any launcher sees them; list what is still missing.

A run folder is complete when its ``done.json`` matches the run's fingerprint
(:func:`csei_sim.experiment.runner.is_complete`). The sweeper drops complete runs from a batch
before it builds blocks, so a re-run submits only what is left (a SLURM array of the missing
tasks, not of all of them) instead of starting every job to find its runs done. A dropped run's
``done.json`` is touched, as :func:`run_one` does for a skipped run, so the progress bar counts it.

The folders of the batch's runs are remembered here (:func:`remember`), so that a launcher can
name the runs a cancelled or failed task left unfinished (:func:`missing`).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from csei_sim.experiment.runner import DONE, RunSpec, is_complete

# run (its override list) -> its folder, for the current process's batches
_folders: dict[tuple[str, ...], Path] = {}


def remember(runs: Sequence[Sequence[str]], planned: Sequence[tuple[Path, RunSpec]]) -> None:
    """Keep the folder of each run of a checked batch."""
    for run, (path, _) in zip(runs, planned, strict=True):
        _folders[tuple(run)] = path


def drop_complete(
    runs: Sequence[Sequence[str]], planned: Sequence[tuple[Path, RunSpec]]
) -> tuple[list[list[str]], int]:
    """(the runs still to do, how many were dropped because their folder is complete)."""
    left, skipped = [], 0
    for run, (path, spec) in zip(runs, planned, strict=True):
        if is_complete(path, spec):
            (path / DONE).touch()  # fresh mtime: the progress bar counts confirmed runs
            skipped += 1
        else:
            left.append(list(run))
    return left, skipped


def folder_of(run: Sequence[str]) -> Path | None:
    """The folder of a run of a batch checked in this process, if known."""
    return _folders.get(tuple(run))


def runs_of_job(job: Sequence[str]) -> list[list[str]]:
    """The runs one Hydra job stands for: itself and, for a block, its further replicates."""
    from csei_sim.experiment.blocks import BLOCK_KEY, REPLICATE_KEY

    own = [line for line in job if not line.startswith(f"{BLOCK_KEY}=")]
    block = next((line for line in job if line.startswith(f"{BLOCK_KEY}=")), None)
    runs = [own]
    if block is not None:
        values = block.partition("=")[2].strip("[]")
        for value in filter(None, (v.strip() for v in values.split(","))):
            runs.append(
                [
                    f"{REPLICATE_KEY}={value}" if line.startswith(f"{REPLICATE_KEY}=") else line
                    for line in own
                ]
            )
    return runs


def missing(jobs: Sequence[Sequence[str]]) -> list[list[str]]:
    """The runs of ``jobs`` whose folders are not complete (unknown folders count as missing)."""
    from csei_sim.experiment.runner import read_done

    out = []
    for job in jobs:
        for run in runs_of_job(job):
            path = folder_of(run)
            if path is None or read_done(path) is None:
                out.append(run)
    return out


def describe(runs: Sequence[Sequence[str]], limit: int = 8, common: Sequence[str] = ()) -> str:
    """Runs as their overrides, e.g. ``replicate=3 governance=formal; ...`` (the first few),
    leaving out the ``common`` overrides that every run of the sweep shares."""
    shared = set(common)
    names = [" ".join(o for o in run if o not in shared) or " ".join(run) for run in runs]
    more = f"; and {len(names) - limit} more" if len(names) > limit else ""
    return "; ".join(names[:limit]) + more


def swept_keys(task_overrides: Sequence[str], sweeper_params: dict | None) -> set[str]:
    """The keys that name a sweep's run folders: its overrides, without seeds, study and Hydra's."""
    from csei_sim.experiment.schema import CONTROL_KEYS

    keys = {line.partition("=")[0].lstrip("+~") for line in task_overrides}
    keys |= set(sweeper_params or {})
    return {k for k in keys if k not in CONTROL_KEYS and not k.startswith(("hydra.", "hydra/"))}


def check_study_folder(sweep_dir: Path, keys: set[str]) -> None:
    """Refuse a sweep into a study folder that holds a sweep over other keys.

    Runs named by other keys would be mixed in one study: a report would label scenarios with
    empty values and count one configuration twice under two names.
    """
    from omegaconf import OmegaConf

    from csei_sim.experiment.validate import ConfigError

    previous = Path(sweep_dir) / "multirun.yaml"
    if not previous.is_file():
        return
    try:
        hydra = OmegaConf.load(previous).hydra
        old = swept_keys(list(hydra.overrides.task), dict(hydra.sweeper.get("params") or {}))
    except Exception:  # noqa: BLE001 - an unreadable record of an old sweep blocks nothing
        return
    if old != keys:
        shown = ", ".join(sorted(old)) or "nothing"
        now = ", ".join(sorted(keys)) or "nothing"
        raise ConfigError(
            f"study: {sweep_dir} holds a sweep over {shown}, this one sets {now}; "
            "choose another folder with study=<name> (or remove the old one)"
        )
