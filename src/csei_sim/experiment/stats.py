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


SHARES = frozenset({"reached_critical_mass"})  # outcomes that are 0/1 per run


def wilson(values: pd.Series | np.ndarray, level: float = LEVEL) -> tuple[float, float, float, int]:
    """(share, lower, upper, n) of 0/1 values; the Wilson score interval, which stays in [0, 1]."""
    x = np.asarray(pd.to_numeric(pd.Series(values), errors="coerce").dropna(), dtype=float)
    n = len(x)
    if n == 0:
        return (np.nan, np.nan, np.nan, 0)
    p, z = float(x.mean()), float(stats.norm.ppf(0.5 + level / 2))
    denom = 1 + z**2 / n
    centre = (p + z**2 / (2 * n)) / denom
    half = z * np.sqrt(p * (1 - p) / n + z**2 / (4 * n**2)) / denom
    return (p, max(0.0, float(centre - half)), min(1.0, float(centre + half)), n)


def interval(values: pd.Series | np.ndarray, metric: str = "") -> tuple[float, float, float, int]:
    """The 95% interval the report uses: Wilson for shares, t for means."""
    return wilson(values) if metric in SHARES else mean_ci(values)


# -- families of comparisons ---------------------------------------------------------------------

CORRECTIONS = ("holm", "bh", "none")


def adjust(p_values: pd.Series | np.ndarray, method: str = "holm") -> np.ndarray:
    """p-values adjusted over one family of comparisons (missing values stay missing).

    ``holm``: Holm's step-down correction, which controls the chance of any false "clearly
    different" in the family (Holm 1979); ``bh``: Benjamini-Hochberg, which controls the expected
    share of false ones among those called (Benjamini & Hochberg 1995); ``none``: unchanged.
    """
    if method not in CORRECTIONS:
        raise ValueError(f"correction: {method!r} is not one of: {', '.join(CORRECTIONS)}")
    p = np.asarray(p_values, dtype=float)
    out = p.copy()
    ok = np.isfinite(p)
    m = int(ok.sum())
    if method == "none" or m == 0:
        return out
    order = np.argsort(p[ok], kind="stable")
    ranked = p[ok][order]
    if method == "holm":
        stepped = np.maximum.accumulate(ranked * (m - np.arange(m)))
    else:
        stepped = np.minimum.accumulate((ranked * m / np.arange(1, m + 1))[::-1])[::-1]
    values = np.empty(m)
    values[order] = np.minimum(stepped, 1.0)
    out[ok] = values
    return out


def tost(diffs: np.ndarray, margin: float) -> float:
    """p-value of two one-sided t-tests that the mean of ``diffs`` lies inside (-margin, margin).

    Small p: the difference is practically nil (equivalence; Schuirmann 1987). With no spread the
    answer is certain either way (0 inside the margin, 1 outside); nan with fewer than 2 values.
    """
    x = np.asarray(diffs, dtype=float)
    x = x[np.isfinite(x)]
    if len(x) < 2 or not np.isfinite(margin) or margin <= 0:
        return np.nan
    mean, sd = float(x.mean()), float(x.std(ddof=1))
    if sd == 0:
        return 0.0 if abs(mean) < margin else 1.0
    se = sd / np.sqrt(len(x))
    lower = stats.t.sf((mean + margin) / se, len(x) - 1)  # H0: mean <= -margin
    upper = stats.t.cdf((mean - margin) / se, len(x) - 1)  # H0: mean >= +margin
    return float(max(lower, upper))
