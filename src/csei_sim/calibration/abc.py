"""Run (or resume) ABC-SMC for a case on pyabc, and write its posterior and diagnostics.

pyabc's SQLite database holds every generation, so a stopped calibration resumes where it left
off (``resume=True``): the generations already done are kept and only the missing ones run.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyabc

from csei_sim.calibration.cases import Case, Prior
from csei_sim.calibration.sampler import SeededSampler
from csei_sim.calibration.simulate import distance, members_at, stat_name
from csei_sim.run import atomic_write, write_parquet

DB_NAME = "abc.db"
POSTERIOR = "posterior.parquet"
DIAGNOSTICS = "diagnostics.csv"
MODEL_SEEDS = 2**31 - 1


@dataclass
class Settings:
    seed: int = 2025
    populations: int | None = None  # None: the case's abc.populations
    population_size: int | None = None
    workers: int = 1


def distribution(priors: list[Prior]) -> pyabc.Distribution:
    """pyabc's prior: independent uniform (or log-uniform) parameters."""
    rvs = {}
    for p in priors:
        if p.dist == "loguniform":
            rvs[p.key] = pyabc.RV("loguniform", p.lo, p.hi)
        else:
            rvs[p.key] = pyabc.RV("uniform", p.lo, p.hi - p.lo)
    return pyabc.Distribution(**rvs)


def make_model(case: Case):
    """pyabc's model: one run per particle, its seed drawn from the particle's seeded generator."""

    def model(theta) -> dict[str, float]:
        # the particle's generator, seeded by the sampler, where pyabc drew the particle from
        seed = int(np.random.randint(0, MODEL_SEEDS))  # noqa: NPY002
        return members_at(case, dict(theta), seed)

    return model


def make_distance(case: Case):
    def dist(x, x0) -> float:  # x0 (the observed midpoints) is not used: ranges count
        return distance(case, x)

    return dist


def observed(case: Case) -> dict[str, float]:
    return {stat_name(o): o.mid for o in case.observations}


def build(case: Case, settings: Settings, progress=None) -> pyabc.ABCSMC:
    if not case.fitted:
        from csei_sim.params import ParameterError

        raise ParameterError(
            "observations",
            f"case {case.name} has no observation with use: fit; score it with --validate",
        )
    size = settings.population_size or case.population_size
    sampler = SeededSampler(settings.seed, settings.workers, progress=progress)
    return pyabc.ABCSMC(
        make_model(case),
        distribution(case.priors),
        make_distance(case),
        population_size=size,
        sampler=sampler,
        eps=pyabc.MedianEpsilon(),
    )


def run(case: Case, out: Path, settings: Settings, resume: bool = False, progress=None):
    """Fit the case; returns pyabc's History. Writes abc.db, posterior.parquet, diagnostics.csv."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    db = out / DB_NAME
    populations = settings.populations or case.populations
    logging.getLogger("ABC").setLevel(logging.WARNING)
    abc = build(case, settings, progress)
    if resume and db.exists():
        history = pyabc.History(f"sqlite:///{db}")
        abc.load(f"sqlite:///{db}", history.id)
        left = populations - history.n_populations
    else:
        db.unlink(missing_ok=True)
        abc.new(f"sqlite:///{db}", observed(case))
        left = populations
    if left > 0:
        history = abc.run(minimum_epsilon=case.min_epsilon, max_nr_populations=left)
    else:
        history = abc.history
    write_outputs(history, out)
    return history


def posterior_frame(history) -> pd.DataFrame:
    """The last generation: one row per particle, its parameters and normalised weight."""
    df, w = history.get_distribution(m=0)
    df = df.reset_index(drop=True)
    df.columns = [str(c) for c in df.columns]
    df["weight"] = np.asarray(w, dtype=float) / np.sum(w)
    return df[sorted(c for c in df.columns if c != "weight") + ["weight"]]


def diagnostics_frame(history) -> pd.DataFrame:
    """Per generation: epsilon, samples, acceptance rate and effective sample size."""
    pops = history.get_all_populations()
    pops = pops[pops["t"] >= 0].copy()
    ess = []
    for t in pops["t"]:
        _, w = history.get_distribution(m=0, t=int(t))
        ess.append(float(pyabc.weighted_statistics.effective_sample_size(w)))
    pops["ess"] = ess
    pops["acceptance_rate"] = pops["particles"] / pops["samples"]
    return pops[["t", "epsilon", "samples", "particles", "acceptance_rate", "ess"]].reset_index(
        drop=True
    )


def write_outputs(history, out: Path) -> None:
    write_parquet(posterior_frame(history), out / POSTERIOR)
    diag = diagnostics_frame(history)
    atomic_write(out / DIAGNOSTICS, lambda tmp: diag.to_csv(tmp, index=False))
