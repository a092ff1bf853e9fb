"""Statistics across replicates: means with t-based 95% confidence intervals, percentile bands."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

LEVEL = 0.95


def mean_ci(
    values: pd.Series | np.ndarray, level: float = LEVEL
) -> tuple[float, float, float, int]:
    """(mean, lower, upper, n) of the non-missing values; a t interval for the mean."""
    x = np.asarray(pd.to_numeric(pd.Series(values), errors="coerce").dropna(), dtype=float)
    n = len(x)
    if n == 0:
        return (np.nan, np.nan, np.nan, 0)
    mean = float(x.mean())
    if n == 1:
        return (mean, np.nan, np.nan, 1)
    half = float(stats.t.ppf(0.5 + level / 2, n - 1) * x.std(ddof=1) / np.sqrt(n))
    return (mean, mean - half, mean + half, n)


def band(frame: pd.DataFrame, by: str, value: str, level: float = LEVEL) -> pd.DataFrame:
    """Mean and the central ``level`` share of replicates of ``value`` at each ``by``."""
    tail = (1 - level) / 2
    grouped = frame.groupby(by, sort=True)[value]
    return pd.DataFrame(
        {
            "mean": grouped.mean(),
            "lower": grouped.quantile(tail),
            "upper": grouped.quantile(1 - tail),
            "n": grouped.count(),
        }
    )
