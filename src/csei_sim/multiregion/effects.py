"""Paired effect sizes between variants of the peer-exchange study, per region.

Variants of one replicate share their seeds (common random numbers), so each replicate gives one
paired difference per region. Reported: the mean difference with a t-based 95% confidence
interval, and a standardised effect (the mean difference over the root mean square of the two
variants' standard deviations, Cohen's d_av) with a paired percentile-bootstrap 95% interval.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from csei_sim.experiment.stats import mean_ci

LEVEL = 0.95
BOOTSTRAP = 2000  # resamples of replicates for the interval of d
BOOTSTRAP_SEED = 12345  # fixed: the report's intervals regenerate exactly


def cohens_d(treated: np.ndarray, control: np.ndarray) -> float:
    """Mean difference over the root mean square of the two standard deviations (nan if 0)."""
    scale = np.sqrt((np.var(treated, ddof=1) + np.var(control, ddof=1)) / 2)
    return float(np.mean(treated - control) / scale) if scale > 0 else np.nan


def d_interval(treated: np.ndarray, control: np.ndarray) -> tuple[float, float]:
    """Paired percentile-bootstrap interval of :func:`cohens_d` (nan when undefined)."""
    if len(treated) < 3 or np.isnan(cohens_d(treated, control)):
        return (np.nan, np.nan)
    rng = np.random.default_rng(BOOTSTRAP_SEED)
    idx = rng.integers(0, len(treated), size=(BOOTSTRAP, len(treated)))
    t, c = treated[idx], control[idx]
    scale = np.sqrt((t.var(axis=1, ddof=1) + c.var(axis=1, ddof=1)) / 2)
    with np.errstate(divide="ignore", invalid="ignore"):
        ds = (t - c).mean(axis=1) / scale
    ds = ds[np.isfinite(ds)]
    tail = (1 - LEVEL) / 2 * 100
    return (float(np.percentile(ds, tail)), float(np.percentile(ds, 100 - tail)))


def paired(
    summary: pd.DataFrame, outcome: str, treated: str, control: str = "none"
) -> pd.DataFrame:
    """One row per region: both variants' means, the paired difference and d, with intervals."""
    rows = []
    for region, group in summary.groupby("region", sort=False):
        wide = group.pivot_table(
            index="replicate", columns="variant", values=outcome, aggfunc="first"
        )
        if treated not in wide or control not in wide:
            continue
        both = wide[[treated, control]].astype(float).dropna()
        t, c = both[treated].to_numpy(), both[control].to_numpy()
        mean, lo, hi, n = mean_ci(t - c)
        d_lo, d_hi = d_interval(t, c)
        rows.append(
            {
                "region": region,
                "outcome": outcome,
                "variant": treated,
                "n": n,
                "control_mean": float(c.mean()) if n else np.nan,
                "treated_mean": float(t.mean()) if n else np.nan,
                "difference": mean,
                "diff_lo": lo,
                "diff_hi": hi,
                "relative": mean / c.mean() if n and c.mean() else np.nan,
                "d": cohens_d(t, c) if n > 1 else np.nan,
                "d_lo": d_lo,
                "d_hi": d_hi,
                "p_value": _p_value(t, c),
            }
        )
    return pd.DataFrame(rows)


def _p_value(t: np.ndarray, c: np.ndarray) -> float:
    diff = t - c
    if len(diff) < 2 or np.allclose(diff, diff[0]):
        return np.nan
    return float(stats.ttest_rel(t, c).pvalue)


def effects(
    summary: pd.DataFrame, outcomes: list[str], variants: list[str], control: str = "none"
) -> pd.DataFrame:
    """Paired effects of every variant against the control, for every outcome and region."""
    frames = [paired(summary, o, v, control) for o in outcomes for v in variants]
    frames = [f for f in frames if not f.empty]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
