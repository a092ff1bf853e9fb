"""``hydra/launcher=slurm``: hydra-submitit-launcher's SLURM launcher, waiting through ``squeue``.

The launcher submits exactly as hydra-submitit-launcher does (one array task per Hydra job, the
same parameters); only the wait differs. Instead of submitit's ``sacct`` polling, which hangs on a
task cancelled before it ran and floods the log where there is no accounting, the launcher waits
with :func:`csei_sim.experiment.slurm.wait` (``squeue``, every wait bounded). When tasks fail or
are cancelled it stops with one line naming the runs still missing and exit status 1; running the
same command again runs only those (the sweeper drops complete runs). Ctrl-C cancels the
submitted tasks (``scancel``) before the command ends.
"""

# No `from __future__ import annotations`: Hydra loads plugin modules outside sys.modules, where
# dataclasses cannot resolve string annotations.

import sys
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from hydra.core.config_store import ConfigStore
from hydra_plugins.hydra_submitit_launcher.config import SlurmQueueConf
from hydra_plugins.hydra_submitit_launcher.submitit_launcher import SlurmLauncher

PROG = "csei-sim"


@dataclass
class CSEISlurmConf(SlurmQueueConf):
    _target_: str = "hydra_plugins.csei_sim_sweeper.slurm_launcher.CSEISlurmLauncher"
    # seconds between two looks at the queue
    poll_seconds: float = 2.0
    # minutes to wait for all tasks; null: as long as SLURM lists them
    wait_timeout_min: float | None = None


ConfigStore.instance().store(
    group="hydra/launcher", name="csei_slurm", node=CSEISlurmConf, provider="csei_sim"
)

OWN_KEYS = ("poll_seconds", "wait_timeout_min")


class CSEISlurmLauncher(SlurmLauncher):
    """submitit's SLURM launcher with a bounded wait through ``squeue``."""

    def __init__(self, **params: Any) -> None:
        self.poll_seconds = float(params.pop("poll_seconds", 2.0))
        timeout = params.pop("wait_timeout_min", None)
        self.deadline = None if timeout is None else 60.0 * float(timeout)
        super().__init__(**params)

    def launch(self, job_overrides: Sequence[Sequence[str]], initial_job_idx: int) -> Any:
        import submitit

        waited: list[Any] = []
        original = submitit.AutoExecutor.map_array

        def map_and_wait(executor: Any, fn: Any, *iterables: Any) -> list:
            jobs = original(executor, fn, *iterables)
            waited.extend(jobs)
            self._wait(jobs, job_overrides)
            return jobs  # every one has its result now: submitit reads it without waiting

        submitit.AutoExecutor.map_array = map_and_wait
        try:
            return super().launch(job_overrides, initial_job_idx)
        finally:
            submitit.AutoExecutor.map_array = original

    def _wait(self, jobs: list, job_overrides: Sequence[Sequence[str]]) -> None:
        from csei_sim.experiment import resume, slurm

        try:
            outcome = slurm.wait(jobs, poll=self.poll_seconds, deadline=self.deadline)
        except KeyboardInterrupt:
            slurm.cancel([str(j.job_id) for j in jobs if not j.paths.result_pickle.exists()])
            raise
        except slurm.SchedulerError as err:
            print(f"{PROG}: error: {err}", file=sys.stderr)
            raise SystemExit(1) from None
        bad = sorted(outcome.failed + outcome.lost)
        if not bad:
            return
        left = resume.missing([job_overrides[i] for i in bad])
        total = sum(len(resume.runs_of_job(job)) for job in job_overrides)
        common = set.intersection(*(set(job) for job in job_overrides))
        tasks = ", ".join(
            f"{jobs[i].job_id} ({'failed' if i in outcome.failed else 'cancelled'})" for i in bad
        )
        lead = "\n" if sys.stderr.isatty() else ""  # off the progress bar's line
        finished = total - len(left)
        print(
            f"{lead}{PROG}: error: SLURM tasks ended without finishing: {tasks}; {finished} of "
            f"{total} runs finished, missing: {resume.describe(left, common=sorted(common))}; "
            "run the same command again to finish them",
            file=sys.stderr,
        )
        raise SystemExit(1)
