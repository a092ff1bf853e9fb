"""Parameter draws from a calibration's posterior, predictive runs, and the split of their spread.

A study that runs replicates over a posterior draws each replicate's parameters with
:func:`draws` (seeded, weighted by the particles' weights), and reports how much of the spread of
an outcome comes from the parameters and how much from run-to-run noise (:func:`spread_shares`,
the law of total variance over draws with several runs each).
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from csei_sim.calibration.cases import Case
from csei_sim.calibration.simulate import members_at
from csei_sim.seeds import run_seed

POSTERIOR = "posterior.parquet"


def load(folder: str | Path) -> pd.DataFrame:
    """The posterior particles of a calibration folder (parameters and a ``weight`` column)."""
    path = Path(folder) / POSTERIOR
    if not path.is_file():
        raise FileNotFoundError(f"posterior: no {POSTERIOR} in {folder} (run csei-sim-calibrate)")
    return pd.read_parquet(path)


def draws(posterior: pd.DataFrame | str | Path, n: int, seed: int) -> pd.DataFrame:
    """``n`` parameter sets resampled from the weighted particles (seeded); one row per draw."""
    frame = posterior if isinstance(posterior, pd.DataFrame) else load(posterior)
    weights = frame["weight"].to_numpy(dtype=float)
    rng = np.random.default_rng(np.random.SeedSequence([int(seed), 18]))
    rows = rng.choice(len(frame), size=int(n), replace=True, p=weights / weights.sum())
    return frame.drop(columns="weight").iloc[rows].reset_index(drop=True)


_JOB: tuple[Case, pd.DataFrame] | None = None


def _one(job: tuple[int, int, int]) -> dict[str, float]:
    draw, run, seed = job
    case, table = _JOB
    theta = table.iloc[draw].to_dict()
    return {"draw": draw, "run": run, **members_at(case, theta, seed)}


def predictive(
    case: Case, table: pd.DataFrame, seed: int, runs: int = 1, workers: int = 1
) -> pd.DataFrame:
    """Members at each observed month for every draw (row of ``table``) and ``runs`` seeds each.

    Run seeds are spawned from ``seed`` per (draw, run), so the table is the same on any number of
    workers.
    """
    global _JOB
    jobs = [
        (d, r, run_seed(seed, d * runs + r)) for d in range(len(table)) for r in range(int(runs))
    ]
    _JOB = (case, table.reset_index(drop=True))
    try:
        if workers <= 1:
            rows = [_one(job) for job in jobs]
        else:
            with multiprocessing.get_context("fork").Pool(workers) as pool:
                rows = pool.map(_one, jobs, chunksize=max(1, len(jobs) // (4 * workers)))
    finally:
        _JOB = None
    return pd.DataFrame(rows)


def spread_shares(values: pd.DataFrame, column: str) -> Mapping[str, float]:
    """Shares of the variance of ``column`` from parameters and from run noise.

    ``values`` has one row per (draw, run). Total variance = variance between the draws' true
    means (parameters) + mean variance within draws (noise). The variance of the draws' sample
    means also holds noise / runs, which is taken off (one-way random-effects ANOVA estimate,
    floored at zero). Needs at least two runs per draw.
    """
    grouped = values.groupby("draw")[column]
    if grouped.size().min() < 2:
        raise ValueError("spread_shares: give at least two runs per draw")
    within = float(grouped.var(ddof=1).mean())
    runs = float(grouped.size().mean())
    means = grouped.mean()
    between = max(float(means.var(ddof=1)) - within / runs, 0.0) if grouped.ngroups > 1 else 0.0
    total = within + between
    if total == 0:
        return {"parameters": 0.0, "noise": 0.0, "variance": 0.0}
    return {"parameters": between / total, "noise": within / total, "variance": total}
