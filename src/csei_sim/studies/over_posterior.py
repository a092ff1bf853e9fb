"""A study over a posterior (or a case's priors): prediction intervals and the split of the spread.

A study run with ``--posterior`` or ``--prior`` draws the free parameters of every replicate
(:mod:`csei_sim.calibration.posterior`), several runs per draw, and also runs the same cells with
the parameters as given on the same seeds (the *noise-only* runs, kept in ``noise_<part>``).
:func:`predictive` gives, per cell and outcome, the mean with its 95% confidence interval, the
5-95% prediction interval of all runs (parameters and run noise), the same interval of the
noise-only runs, and the share of the variance that comes from the parameters (law of total
variance, :func:`csei_sim.calibration.posterior.spread_shares`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from csei_sim.calibration.posterior import spread_shares
from csei_sim.experiment.stats import mean_ci
from csei_sim.studies.informal_vs_formal_text import render

NOISE = "noise_"  # prefix of the noise-only parts of a study's tidy runs
LOW, HIGH = 0.05, 0.95  # the prediction interval: 5% to 95% of all runs


def interval(values: pd.Series) -> tuple[float, float]:
    """The 5-95% range of the runs (NaN outcomes left out)."""
    clean = values.dropna().to_numpy(dtype=float)
    if clean.size == 0:
        return float("nan"), float("nan")
    return float(np.quantile(clean, LOW)), float(np.quantile(clean, HIGH))


def predictive(
    summary: pd.DataFrame,
    noise: pd.DataFrame,
    keys: Sequence[str],
    outcomes: Mapping[str, str],
) -> pd.DataFrame:
    """One row per cell of ``keys`` and outcome: mean [95% CI], prediction intervals, shares."""
    rows = []
    noise_cells = dict(iter(noise.groupby(list(keys), sort=False)))
    for cell, group in summary.groupby(list(keys), sort=False):
        base = noise_cells.get(cell, noise.iloc[0:0])
        for column, name in outcomes.items():
            mean, lo, hi, _ = mean_ci(group[column])
            pi_lo, pi_hi = interval(group[column])
            n_lo, n_hi = interval(base[column]) if column in base else (np.nan, np.nan)
            shares = _shares(group, column)
            rows.append(
                {
                    **dict(zip(keys, cell, strict=True)),
                    "outcome": column,
                    "name": name,
                    "runs": int(group[column].notna().sum()),
                    "draws": int(group["draw"].nunique()),
                    "mean": mean,
                    "ci_lo": lo,
                    "ci_hi": hi,
                    "pi_lo": pi_lo,
                    "pi_hi": pi_hi,
                    "noise_mean": float(base[column].mean()) if column in base else np.nan,
                    "noise_pi_lo": n_lo,
                    "noise_pi_hi": n_hi,
                    "share_parameters": shares["parameters"],
                    "share_noise": shares["noise"],
                }
            )
    out = pd.DataFrame(rows)
    width, noise_width = out["pi_hi"] - out["pi_lo"], out["noise_pi_hi"] - out["noise_pi_lo"]
    out["width_ratio"] = width / noise_width.where(noise_width > 0)
    return out


def _shares(group: pd.DataFrame, column: str) -> Mapping[str, float]:
    values = group[["draw", column]].dropna()
    try:
        return spread_shares(values, column)
    except ValueError:  # a draw with one run: no split
        return {"parameters": float("nan"), "noise": float("nan"), "variance": float("nan")}


def section(
    table: pd.DataFrame, source: Any, keys: Sequence[str], headline_outcome: str
) -> list[str]:
    """The report's section on the runs over the posterior (prose in its template)."""
    first = table[table["outcome"] == headline_outcome]
    draws = int(table["draws"].max())
    return render(
        "over_posterior.md.j2",
        keys=list(keys),
        source=source,
        draws=draws,
        per_draw=int(round(table["runs"].max() / max(draws, 1))),
        headline_name=str(first["name"].iloc[0]).capitalize() if len(first) else headline_outcome,
        headline=first.to_dict("records"),
        median_ratio=float(table["width_ratio"].median()),
        median_share=float(table["share_parameters"].median()),
    )
