"""Effect sizes between scenarios of a study, with 95% confidence intervals: one module for all.

All scenarios of a study share their replicate seeds (common random numbers: replicate r starts
from the same random stream in every scenario), so each replicate gives one *paired* difference
``treated - reference``. Reported for each comparison (:data:`EFFECT_COLUMNS`):

- both means, the mean paired difference with a t-based 95% confidence interval, the difference
  relative to the reference mean, and the paired t-test's p-value;
- a standardised difference, Cohen's d_av: the mean difference over the root mean square of the
  two scenarios' standard deviations across replicates, with a paired percentile-bootstrap 95%
  interval (resampling replicates; fixed bootstrap seed, so reports regenerate exactly);
- a verdict: ``higher`` or ``lower`` when the interval of the difference excludes 0,
  ``identical`` when every replicate gave the same value in both scenarios, else ``undecided``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import stats

from csei_sim.experiment.stats import mean_ci

LEVEL = 0.95
BOOTSTRAP = 2000  # resamples for the interval of d
BOOTSTRAP_SEED = 20250101  # fixed, so that a report's intervals regenerate exactly


def cohens_d(treated: np.ndarray, reference: np.ndarray) -> float:
    """Mean difference over the root mean square of the two standard deviations (nan if 0)."""
    scale = np.sqrt((np.var(treated, ddof=1) + np.var(reference, ddof=1)) / 2)
    return float(np.mean(treated - reference) / scale) if scale > 0 else np.nan


def d_interval(
    treated: np.ndarray, reference: np.ndarray, seed: int = BOOTSTRAP_SEED
) -> tuple[float, float]:
    """Paired percentile-bootstrap 95% interval of :func:`cohens_d` (nan when undefined)."""
    if len(treated) < 3 or np.isnan(cohens_d(treated, reference)):
        return (np.nan, np.nan)
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, len(treated), size=(BOOTSTRAP, len(treated)))
    t, r = treated[idx], reference[idx]
    scale = np.sqrt((t.var(axis=1, ddof=1) + r.var(axis=1, ddof=1)) / 2)
    with np.errstate(divide="ignore", invalid="ignore"):
        ds = (t - r).mean(axis=1) / scale
    ds = ds[np.isfinite(ds)]
    tail = (1 - LEVEL) / 2 * 100
    return (float(np.percentile(ds, tail)), float(np.percentile(ds, 100 - tail)))


def verdict(low: float, high: float, identical: bool = False) -> str:
    """``higher``/``lower`` when the interval excludes 0, ``identical`` when every paired
    difference is 0 (e.g. gradual governance that never formalised), else ``undecided``."""
    if identical:
        return "identical"
    if low > 0:
        return "higher"
    if high < 0:
        return "lower"
    return "undecided"


# the fields of one comparison, in the order the tables show them
EFFECT_COLUMNS = [
    "n",
    "reference_mean",
    "treated_mean",
    "difference",
    "diff_lo",
    "diff_hi",
    "d",
    "d_lo",
    "d_hi",
    "verdict",
]


def paired(
    treated: pd.Series, reference: pd.Series, seed: int = BOOTSTRAP_SEED
) -> dict[str, float]:
    """Both means, the paired difference and d with intervals; series indexed by replicate.

    Also the difference relative to the reference mean and the paired t-test's p-value.
    """
    both = pd.concat([treated, reference], axis=1, keys=["t", "r"]).astype(float).dropna()
    t, r = both["t"].to_numpy(), both["r"].to_numpy()
    diff, lo, hi, n = mean_ci(t - r, LEVEL)
    identical = n > 1 and bool(np.all(t == r))
    d_lo, d_hi = (0.0, 0.0) if identical else d_interval(t, r, seed)
    return {
        "n": n,
        "reference_mean": float(r.mean()) if n else np.nan,
        "treated_mean": float(t.mean()) if n else np.nan,
        "difference": diff,
        "diff_lo": lo,
        "diff_hi": hi,
        "relative": diff / r.mean() if n and r.mean() else np.nan,
        "d": 0.0 if identical else cohens_d(t, r) if n > 1 else np.nan,
        "d_lo": d_lo,
        "d_hi": d_hi,
        "p_value": p_value(t, r),
        "verdict": verdict(lo, hi, identical) if n > 1 else "undecided",
    }


def p_value(treated: np.ndarray, reference: np.ndarray) -> float:
    """Paired t-test; nan when every paired difference is the same (no spread to test)."""
    diff = treated - reference
    if len(diff) < 2 or np.allclose(diff, diff[0]):
        return np.nan
    return float(stats.ttest_rel(treated, reference).pvalue)


def compare(
    summary: pd.DataFrame,
    factor: str,
    reference: str,
    outcomes: Sequence[str],
    by: Sequence[str] = (),
    seed: int = BOOTSTRAP_SEED,
) -> pd.DataFrame:
    """Every level of ``factor`` against ``reference``, per group of ``by``, for each outcome.

    Returns one row per group, level and outcome: the ``by`` columns, ``factor``, ``outcome`` and
    the fields of :func:`paired`.
    """
    rows = []
    groups = summary.groupby(list(by), sort=False) if by else [((), summary)]
    for key, group in groups:
        key = key if isinstance(key, tuple) else (key,)
        wide = {
            level: frame.set_index("replicate")
            for level, frame in group.groupby(factor, sort=False)
        }
        if reference not in wide:
            raise KeyError(f"{factor}: reference level {reference!r} is not in the study")
        for level, frame in wide.items():
            if level == reference:
                continue
            for outcome in outcomes:
                stats = paired(frame[outcome], wide[reference][outcome], seed)
                rows.append(
                    {**dict(zip(by, key, strict=True)), factor: level, "outcome": outcome, **stats}
                )
    return pd.DataFrame(rows)


def share_ci(values: pd.Series) -> tuple[float, float, float, int]:
    """(share, lower, upper, n) of a 0/1 series: Wilson 95% interval of a proportion."""
    x = pd.to_numeric(pd.Series(values), errors="coerce").dropna()
    n, k = len(x), int(x.sum())
    if n == 0:
        return (np.nan, np.nan, np.nan, 0)
    ci = stats.binomtest(k, n).proportion_ci(confidence_level=LEVEL, method="wilson")
    return (k / n, float(ci.low), float(ci.high), n)
