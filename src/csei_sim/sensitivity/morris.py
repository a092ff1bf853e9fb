"""Morris elementary-effects screening (SALib): which factors matter at all.

``mu_star`` (mean absolute elementary effect, in the outcome's units) ranks factors by influence,
with a bootstrap confidence interval ``mu_star_conf``; ``sigma`` (spread of the effects) signals
interactions or non-linearity. To compare outcomes with different units, ``mu_star_norm`` divides
``mu_star`` by its largest value for that outcome.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from SALib.analyze import morris as morris_analyze
from SALib.sample import morris as morris_sample

from csei_sim.sensitivity.evaluate import Model
from csei_sim.sensitivity.factors import FactorSpace


def sample(space: FactorSpace, trajectories: int, levels: int = 4, seed: int = 1) -> pd.DataFrame:
    """Morris design: ``trajectories x (factors + 1)`` points on a ``levels``-level grid."""
    if trajectories < 2:
        raise ValueError(f"trajectories: need at least 2, got {trajectories}")
    if levels < 2 or levels % 2:
        raise ValueError(f"levels: need an even number >= 2, got {levels}")
    x = morris_sample.sample(space.problem(), trajectories, num_levels=levels, seed=seed)
    return space.frame(x)


def analyse(
    space: FactorSpace,
    design: pd.DataFrame,
    outputs: pd.DataFrame,
    *,
    levels: int = 4,
    resamples: int = 1000,
    seed: int = 1,
) -> pd.DataFrame:
    """Tidy Morris indices: one row per outcome and factor, ranked within each outcome."""
    x = design[space.names].to_numpy(dtype=float)
    frames = []
    for outcome in outputs.columns:
        y = outputs[outcome].to_numpy(dtype=float)
        if np.isnan(y).any():
            raise ValueError(f"outcome {outcome!r} has missing values; Morris needs all points")
        res = morris_analyze.analyze(
            space.problem(), x, y, num_resamples=resamples, num_levels=levels, seed=seed
        )
        frame = pd.DataFrame(
            {
                "outcome": outcome,
                "factor": space.names,
                "mu": res["mu"],
                "mu_star": res["mu_star"],
                "mu_star_conf": res["mu_star_conf"],
                "sigma": res["sigma"],
            }
        )
        top = frame["mu_star"].max()
        frame["mu_star_norm"] = frame["mu_star"] / top if top > 0 else 0.0
        frame["rank"] = frame["mu_star"].rank(ascending=False, method="first").astype(int)
        frames.append(frame.sort_values("rank"))
    return pd.concat(frames, ignore_index=True)


def run(
    space: FactorSpace,
    model: Model,
    *,
    trajectories: int,
    levels: int = 4,
    resamples: int = 1000,
    seed: int = 1,
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Sample, evaluate ``model`` at every point, analyse: (design, outputs, indices)."""
    design = sample(space, trajectories, levels, seed)
    outputs = model(design)
    indices = analyse(space, design, outputs, levels=levels, resamples=resamples, seed=seed)
    return design, outputs, indices


def top_factors(indices: pd.DataFrame, n: int, outcomes: list[str] | None = None) -> list[str]:
    """The ``n`` factors with the largest normalised ``mu_star`` on any of the outcomes."""
    rows = indices if outcomes is None else indices[indices["outcome"].isin(outcomes)]
    score = rows.groupby("factor")["mu_star_norm"].max()
    # ties (e.g. two factors with no effect) keep the factor order of the design
    order = {name: i for i, name in enumerate(dict.fromkeys(indices["factor"]))}
    ranked = sorted(score.index, key=lambda f: (-score[f], order[f]))
    return ranked[:n]
