"""Sobol variance decomposition (SALib, Saltelli's design): how much each factor explains.

``S1`` is the share of output variance a factor explains alone, ``ST`` the share it explains with
all its interactions. Confidence intervals are SALib's bootstrap (resampling the design's base
rows): ``*_conf`` is the half-width of the normal interval from the bootstrap standard deviation,
``*_lo``/``*_hi`` the percentile interval of the same resamples.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from SALib.analyze import sobol as sobol_analyze
from SALib.sample import sobol as sobol_sample

from csei_sim.sensitivity.evaluate import Model
from csei_sim.sensitivity.factors import FactorSpace

LEVEL = 0.95


def sample(space: FactorSpace, n: int, seed: int = 1) -> pd.DataFrame:
    """Saltelli design without second-order terms: ``n x (factors + 2)`` points."""
    if n < 2 or n & (n - 1):
        raise ValueError(f"samples: need a power of 2 (e.g. 64, 128), got {n}")
    x = sobol_sample.sample(space.problem(), n, calc_second_order=False, scramble=True, seed=seed)
    return space.frame(x)


def analyse(
    space: FactorSpace, outputs: pd.DataFrame, *, resamples: int = 1000, seed: int = 1
) -> pd.DataFrame:
    """Tidy Sobol indices: one row per outcome and factor; NaN for an outcome that never varies."""
    if seed == 0:
        raise ValueError("seed: SALib treats 0 as 'no seed'; use a positive seed")
    frames = []
    tail = (1 - LEVEL) / 2
    for outcome in outputs.columns:
        y = outputs[outcome].to_numpy(dtype=float)
        if np.isnan(y).any():
            raise ValueError(f"outcome {outcome!r} has missing values; Sobol needs all points")
        frame = pd.DataFrame({"outcome": outcome, "factor": space.names})
        if np.ptp(y) == 0:
            for col in ("S1", "S1_conf", "S1_lo", "S1_hi", "ST", "ST_conf", "ST_lo", "ST_hi"):
                frame[col] = np.nan
        else:
            res = sobol_analyze.analyze(
                space.problem(),
                y,
                calc_second_order=False,
                num_resamples=resamples,
                conf_level=LEVEL,
                keep_resamples=True,
                seed=seed,
            )
            for key in ("S1", "ST"):
                frame[key] = res[key]
                frame[f"{key}_conf"] = res[f"{key}_conf"]
                draws = np.asarray(res[f"{key}_conf_all"])
                frame[f"{key}_lo"] = np.nanquantile(draws, tail, axis=0)
                frame[f"{key}_hi"] = np.nanquantile(draws, 1 - tail, axis=0)
        frame["rank"] = frame["ST"].rank(ascending=False, method="first")
        frames.append(frame.sort_values("rank"))
    return pd.concat(frames, ignore_index=True)


def run(
    space: FactorSpace, model: Model, *, n: int, resamples: int = 1000, seed: int = 1
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Sample, evaluate ``model`` at every point, analyse: (design, outputs, indices)."""
    design = sample(space, n, seed)
    outputs = model(design)
    return design, outputs, analyse(space, outputs, resamples=resamples, seed=seed)
