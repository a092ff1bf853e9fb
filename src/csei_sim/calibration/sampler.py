"""A seeded pyabc sampler: the same seed gives the same posterior, on any number of cores.

pyabc's own multicore samplers hand particles to whichever worker is free, so which particles are
accepted depends on timing. This sampler evaluates candidate particles in batches of a fixed size,
each particle ``i`` of generation ``t`` with numpy's global generator seeded from
``SeedSequence([seed, t + 1, i])`` (pyabc perturbs parameters with it, and the model draws its own
seed from it), and accepts them in index order. The batches run on a process pool (fork, as
pyabc's multicore samplers do), but the result does not depend on the number of workers.
For a cluster, pyabc's Dask or Redis samplers can replace it (then without this determinism).
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable
from typing import Any

import numpy as np
from pyabc.sampler import Sampler

_SIMULATE: Callable[[], Any] | None = None  # handed to forked workers (closures do not pickle)


def particle_state(seed: int, t: int, index: int) -> np.ndarray:
    """The global generator's seed for particle ``index`` of generation ``t`` (t = -1: the
    calibration sample pyabc draws before the first generation)."""
    return np.random.SeedSequence([int(seed), int(t) + 1, int(index)]).generate_state(4)


def _evaluate(job: tuple[int, int, int]) -> Any:
    seed, t, index = job
    np.random.seed(particle_state(seed, t, index))  # noqa: NPY002 (pyabc draws from it)
    return _SIMULATE()


class SeededSampler(Sampler):
    """Evaluate particles in a fixed order with fixed seeds; accept the first ``n`` in order."""

    def __init__(self, seed: int, workers: int = 1, batch: int | None = None, progress=None):
        super().__init__()
        if workers < 1:
            raise ValueError(f"workers: expected at least 1, got {workers}")
        self.seed, self.workers, self.batch = int(seed), int(workers), batch
        self.progress = progress  # a callable(accepted, n, t), e.g. a tqdm update

    def _map(self, simulate_one: Callable, jobs: list[tuple[int, int, int]]) -> list[Any]:
        global _SIMULATE
        _SIMULATE = simulate_one
        try:
            if self.workers == 1 or len(jobs) == 1:
                return [_evaluate(job) for job in jobs]
            ctx = multiprocessing.get_context("fork")
            with ctx.Pool(min(self.workers, len(jobs))) as pool:
                chunk = max(1, len(jobs) // (4 * self.workers))
                return pool.map(_evaluate, jobs, chunksize=chunk)  # results in job order
        finally:
            _SIMULATE = None

    def sample_until_n_accepted(
        self, n, simulate_one, t, *, max_eval=np.inf, all_accepted=False, ana_vars=None
    ):
        sample = self._create_empty_sample()
        batch = self.batch or n  # fixed per generation: never the number of workers
        state = np.random.get_state()  # noqa: NPY002 (left to the caller as it was)
        evaluated = accepted = 0
        try:
            while accepted < n and evaluated < max_eval:
                size = int(min(batch, max_eval - evaluated)) if np.isfinite(max_eval) else batch
                jobs = [(self.seed, t, evaluated + i) for i in range(size)]
                for particle in self._map(simulate_one, jobs):
                    evaluated += 1
                    sample.append(particle)
                    accepted += bool(particle.accepted)
                    if accepted == n:
                        break
                if self.progress:
                    self.progress(accepted, n, t)
        finally:
            np.random.set_state(state)  # noqa: NPY002
        self.nr_evaluations_ = evaluated
        if sample.n_accepted < n:
            sample.ok = False
        return sample
