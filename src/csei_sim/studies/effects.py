"""Effect sizes between scenarios of a study, with 95% confidence intervals: one module for all.

All scenarios of a study share their replicate seeds (common random numbers: replicate r starts
from the same random stream in every scenario), so each replicate gives one *paired* difference
``treated - reference``. Reported for each comparison (:data:`EFFECT_COLUMNS`):

- both means, the mean paired difference with a t-based 95% confidence interval, the difference
  relative to the reference mean, and the paired t-test's p-value;
- the p-value of an equivalence test (two one-sided t-tests, TOST) against a margin of
  ``margin`` times the larger of the two means' magnitudes: "no practical difference";
- both p-values adjusted over the *family* of the comparison (by default every comparison of
  the same outcome in one :func:`compare` call) with Holm's correction (or Benjamini-Hochberg);
- a standardised difference, Cohen's d_av: the mean difference over the root mean square of the
  two scenarios' standard deviations across replicates, with a paired percentile-bootstrap 95%
  interval (resampling replicates; fixed bootstrap seed, so reports regenerate exactly). Where
  the spread across replicates is tiny, d says more about the spread than about the effect: it
  is dropped (nan, ``d_dropped``) when its size exceeds :data:`D_MAX`, and the raw difference
  with its interval is the effect to read;
- a verdict: ``identical`` when every replicate gave the same value in both scenarios,
  ``equivalent`` when the adjusted equivalence test shows the difference inside the margin,
  ``higher`` or ``lower`` when the adjusted paired test shows a difference, else ``undecided``.
  Whether higher is *ahead* depends on the outcome (:func:`standing`).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import stats

from csei_sim.experiment.stats import CORRECTIONS, adjust, mean_ci, tost

LEVEL = 0.95
BOOTSTRAP = 2000  # resamples for the interval of d
BOOTSTRAP_SEED = 20250101  # fixed, so that a report's intervals regenerate exactly
ALPHA = 1 - LEVEL  # familywise (Holm) or false-discovery (BH) level of the verdicts
MARGIN = (
    0.1  # equivalence margin: a tenth of the larger mean's magnitude is no practical difference
)
CORRECTION = "holm"
D_MAX = (
    3.0  # |d| beyond this: the two scenarios' runs do not overlap; d is dropped as uninformative
)
VERDICTS = ("higher", "lower", "equivalent", "undecided", "identical")


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


def verdict(
    difference: float,
    p_adjusted: float,
    p_equivalent_adjusted: float,
    identical: bool = False,
    alpha: float = ALPHA,
) -> str:
    """``identical`` when every paired difference is 0 (e.g. gradual governance that never
    formalised); ``equivalent`` when the adjusted equivalence test is below ``alpha`` (a
    difference inside the margin, however precisely estimated, is no practical difference);
    ``higher``/``lower`` when the adjusted paired test is; else ``undecided``."""
    if identical:
        return "identical"
    if p_equivalent_adjusted < alpha:
        return "equivalent"
    if p_adjusted < alpha:
        return "higher" if difference > 0 else "lower"
    return "undecided"


def standing(verdict: str, lower_is_better: bool = False) -> str:
    """``ahead``/``behind``/``equivalent``/``undecided`` of the treated scenario on one outcome."""
    if verdict in ("higher", "lower"):
        return "ahead" if (verdict == "higher") != lower_is_better else "behind"
    return "equivalent" if verdict in ("equivalent", "identical") else "undecided"


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
    "p_adjusted",
    "p_equivalent_adjusted",
    "verdict",
]


def paired(
    treated: pd.Series,
    reference: pd.Series,
    seed: int = BOOTSTRAP_SEED,
    margin: float = MARGIN,
) -> dict[str, float]:
    """Both means, the paired difference and d with intervals; series indexed by replicate.

    Also the difference relative to the reference mean, the paired t-test's and the equivalence
    test's unadjusted p-values, and a verdict from them alone (:func:`compare` adjusts them over
    the family and gives the verdict the reports use).
    """
    both = pd.concat([treated, reference], axis=1, keys=["t", "r"]).astype(float).dropna()
    t, r = both["t"].to_numpy(), both["r"].to_numpy()
    diff, lo, hi, n = mean_ci(t - r, LEVEL)
    identical = n > 1 and bool(np.all(t == r))
    d = 0.0 if identical else cohens_d(t, r) if n > 1 else np.nan
    d_lo, d_hi = (0.0, 0.0) if identical else d_interval(t, r, seed)
    dropped = bool(np.isfinite(d) and abs(d) > D_MAX)
    if dropped:
        d = d_lo = d_hi = np.nan
    scale = max(abs(float(t.mean())), abs(float(r.mean()))) if n else np.nan
    p, p_eq = p_value(t, r), (tost(t - r, margin * scale) if n > 1 else np.nan)
    return {
        "n": n,
        "reference_mean": float(r.mean()) if n else np.nan,
        "treated_mean": float(t.mean()) if n else np.nan,
        "difference": diff,
        "diff_lo": lo,
        "diff_hi": hi,
        "relative": diff / r.mean() if n and r.mean() else np.nan,
        "d": d,
        "d_lo": d_lo,
        "d_hi": d_hi,
        "d_dropped": dropped,
        "p_value": p,
        "p_equivalent": p_eq,
        "identical": identical,
        "verdict": _verdict(diff, p, p_eq, identical, n),
    }


def _verdict(diff: float, p: float, p_eq: float, identical: bool, n: int) -> str:
    if n < 2:
        return "undecided"
    return verdict(diff, _or_one(p), _or_one(p_eq), identical)


def _or_one(p: float) -> float:
    return 1.0 if not np.isfinite(p) else float(p)


def p_value(treated: np.ndarray, reference: np.ndarray) -> float:
    """Paired t-test; with no spread in the paired differences, 0 when they are not 0 (the
    difference is certain) and nan when they are (identical runs)."""
    diff = treated - reference
    if len(diff) < 2:
        return np.nan
    if np.allclose(diff, diff[0]):
        return 0.0 if diff[0] != 0 else np.nan
    return float(stats.ttest_rel(treated, reference).pvalue)


def compare(
    summary: pd.DataFrame,
    factor: str,
    reference: str,
    outcomes: Sequence[str],
    by: Sequence[str] = (),
    seed: int = BOOTSTRAP_SEED,
    *,
    correction: str = CORRECTION,
    margin: float = MARGIN,
    family: Sequence[str] = ("outcome",),
) -> pd.DataFrame:
    """Every level of ``factor`` against ``reference``, per group of ``by``, for each outcome.

    Returns one row per group, level and outcome: the ``by`` columns, ``factor``, ``outcome`` and
    the fields of :func:`paired`, with the p-values adjusted by ``correction`` over each family
    (rows sharing the ``family`` columns) and the verdict taken from the adjusted p-values.
    """
    check_margin(margin)
    if correction not in CORRECTIONS:
        raise ValueError(f"correction: {correction!r} is not one of: {', '.join(CORRECTIONS)}")
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
                stats = paired(frame[outcome], wide[reference][outcome], seed, margin)
                rows.append(
                    {**dict(zip(by, key, strict=True)), factor: level, "outcome": outcome, **stats}
                )
    return adjust_family(pd.DataFrame(rows), correction, list(family))


def adjust_family(effects: pd.DataFrame, correction: str, family: list[str]) -> pd.DataFrame:
    """Adjusted p-values per family and the verdicts that follow from them."""
    if effects.empty:
        return effects.assign(p_adjusted=[], p_equivalent_adjusted=[])
    out = effects.copy()
    out["p_adjusted"] = np.nan
    out["p_equivalent_adjusted"] = np.nan
    for _, rows in out.groupby(family, sort=False):
        out.loc[rows.index, "p_adjusted"] = adjust(rows["p_value"], correction)
        out.loc[rows.index, "p_equivalent_adjusted"] = adjust(rows["p_equivalent"], correction)
    out["verdict"] = [
        _verdict(r.difference, r.p_adjusted, r.p_equivalent_adjusted, r.identical, r.n)
        for r in out.itertuples()
    ]
    return out


def check_margin(margin: float) -> float:
    """The equivalence margin is a share of the larger mean: in (0, 1)."""
    if isinstance(margin, bool) or not isinstance(margin, int | float) or not 0 < margin < 1:
        raise ValueError(f"equivalence margin: expected a number in (0, 1), got {margin!r}")
    return float(margin)


def share_ci(values: pd.Series) -> tuple[float, float, float, int]:
    """(share, lower, upper, n) of a 0/1 series: Wilson 95% interval of a proportion."""
    x = pd.to_numeric(pd.Series(values), errors="coerce").dropna()
    n, k = len(x), int(x.sum())
    if n == 0:
        return (np.nan, np.nan, np.nan, 0)
    ci = stats.binomtest(k, n).proportion_ci(confidence_level=LEVEL, method="wilson")
    return (k / n, float(ci.low), float(ci.high), n)
