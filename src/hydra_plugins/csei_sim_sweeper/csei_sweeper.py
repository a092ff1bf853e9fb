"""``hydra/sweeper=csei``: Hydra's basic sweeper, checking jobs faster and running runs in blocks.

The basic sweeper composes every job's configuration once in the launching process to catch
errors early, then the launcher composes it again where the job runs, and each job gets a folder,
config files and logging: together longer than a run of the default region. This sweeper

- checks a batch with :func:`csei_sim.experiment.validate.plan_jobs`, which composes one job per
  scenario (jobs differing only in ``replicate`` or ``seed`` share it), and not at all when
  ``csei-sim`` already checked the same jobs before starting Hydra;
- drops the runs whose folders are already complete (:mod:`csei_sim.experiment.resume`) before
  any launcher sees them, and says how many, so a resumed sweep submits only what is left;
- hands the launcher blocks of runs (:mod:`csei_sim.experiment.blocks`): jobs that differ only
  in ``replicate`` become one job running them one after another, each into its own folder.
  ``hydra.sweeper.block_size`` sets the runs per job (``null``: about four jobs per worker).

Everything else is the basic sweeper's.
"""

# No `from __future__ import annotations`: Hydra loads plugin modules outside sys.modules, where
# dataclasses cannot resolve string annotations.

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hydra._internal.core_plugins.basic_sweeper import BasicSweeper, BasicSweeperConf
from hydra.core.config_store import ConfigStore


@dataclass
class CSEISweeperConf(BasicSweeperConf):
    _target_: str = "hydra_plugins.csei_sim_sweeper.csei_sweeper.CSEISweeper"
    # runs per Hydra job; null: about four jobs per parallel worker of the launcher
    block_size: int | None = None


ConfigStore.instance().store(
    group="hydra/sweeper", name="csei", node=CSEISweeperConf, provider="csei_sim"
)
log = logging.getLogger("csei-sim")


class _SkipEmpty:
    """The sweeper's launcher, except that a batch left empty by resuming launches nothing."""

    def __init__(self, launcher: Any) -> None:
        self._launcher = launcher

    def launch(self, job_overrides: Sequence[Sequence[str]], initial_job_idx: int) -> list:
        if not job_overrides:
            return []
        return self._launcher.launch(job_overrides, initial_job_idx=initial_job_idx)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._launcher, name)


class CSEISweeper(BasicSweeper):
    """The basic sweeper; checks a batch faster and launches its runs in blocks."""

    def __init__(
        self,
        max_batch_size: int | None,
        params: dict | None = None,
        block_size: int | None = None,
    ) -> None:
        super().__init__(max_batch_size=max_batch_size, params=params)
        self.block_size = block_size
        self.runs: list[list[str]] = []  # the current batch, one run per job, before blocking

    def sweep(self, arguments: list[str]) -> Any:
        assert self.launcher is not None
        self.launcher = _SkipEmpty(self.launcher)
        return super().sweep(arguments)

    def get_job_batch(self) -> Sequence[Sequence[str]]:
        from csei_sim.experiment import blocks, resume
        from csei_sim.experiment.validate import check_batch, tidy_job, unblockable

        assert self.config is not None and self.hydra_context is not None
        self.runs = [tidy_job(job) for job in super().get_job_batch()]
        # checked here, before blocking: the check tells which jobs may share a block
        sweep_dir = Path(str(self.config.hydra.sweep.dir))
        planned = check_batch(self.hydra_context.config_loader, self.config, self.runs, sweep_dir)
        resume.remember(self.runs, planned)
        total = len(self.runs)
        self.runs, skipped = resume.drop_complete(self.runs, planned)
        if skipped:
            log.info(
                "%d of %d runs already complete in %s: skipped; %d to run",
                skipped,
                total,
                sweep_dir,
                len(self.runs),
            )
        size = blocks.check_block_size(self.block_size)
        if not blocks.blockable(self.config.hydra):
            return self.runs
        if size is None:
            size = blocks.auto_size(len(self.runs), self.config.hydra.launcher)
        return blocks.make_blocks(self.runs, size, alone=unblockable)

    def validate_batch_is_legal(self, batch: Sequence[Sequence[str]]) -> None:
        """Nothing left to do: :meth:`get_job_batch` checked every run of the batch."""
