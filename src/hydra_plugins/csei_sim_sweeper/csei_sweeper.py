"""``hydra/sweeper=csei``: Hydra's basic sweeper, checking jobs faster before it launches them.

The basic sweeper composes every job's configuration once in the launching process to catch
errors early, then the launcher composes it again where the job runs. Composition takes a good
fraction of a second, so for a sweep of hundreds of short runs that first pass is most of the wall
time. This sweeper checks a batch with :func:`csei_sim.experiment.validate.plan_jobs` instead,
which composes one job per scenario (jobs differing only in ``replicate`` or ``seed`` share it)
and validates every job's parameters. Everything else is the basic sweeper's.
"""

# No `from __future__ import annotations`: Hydra loads plugin modules outside sys.modules, where
# dataclasses cannot resolve string annotations.

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from hydra._internal.core_plugins.basic_sweeper import BasicSweeper, BasicSweeperConf
from hydra.core.config_store import ConfigStore


@dataclass
class CSEISweeperConf(BasicSweeperConf):
    _target_: str = "hydra_plugins.csei_sim_sweeper.csei_sweeper.CSEISweeper"


ConfigStore.instance().store(
    group="hydra/sweeper", name="csei", node=CSEISweeperConf, provider="csei_sim"
)


class CSEISweeper(BasicSweeper):
    """The basic sweeper; only the check of a batch before launching differs."""

    def validate_batch_is_legal(self, batch: Sequence[Sequence[str]]) -> None:
        from csei_sim.experiment.validate import plan_jobs

        assert self.config is not None and self.hydra_context is not None
        sweep_dir = Path(str(self.config.hydra.sweep.dir))
        plan_jobs(
            self.hydra_context.config_loader, self.config, [list(b) for b in batch], sweep_dir
        )
