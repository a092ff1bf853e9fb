"""Scenario discovery with PRIM (EMA Workbench): where in parameter space an outcome holds.

PRIM peels the factor space, one small slice at a time, toward a box where the cases of interest
are dense. Each step trades *coverage* (share of all cases that lie in the box) for *density*
(share of points in the box that are cases); the sequence of boxes is the trade-off (peeling)
curve. The box kept is the densest one that keeps at least ``min_coverage`` of the cases and
restricts at most ``max_dims`` factors (interpretable boxes), less the restrictions whose
quasi-p-value (a binomial test of each restriction) exceeds ``alpha``. Reproducibility: how often
half-size subsamples, treated the same way, restrict the same factor.
"""

from __future__ import annotations

import logging
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.stats import qmc

from csei_sim.sensitivity.factors import FactorSpace


def _ema_prim():
    """EMA Workbench's PRIM, imported on first use (it pulls in scikit-learn and statsmodels)."""
    with warnings.catch_warnings():  # it warns about optional parallel back ends
        warnings.simplefilter("ignore")
        from ema_workbench.analysis import prim

    logging.getLogger("EMA").setLevel(logging.WARNING)
    return prim


def sample(space: FactorSpace, n: int, seed: int = 1) -> pd.DataFrame:
    """Latin hypercube of ``n`` points over the factor ranges (seeded)."""
    if n < 4:
        raise ValueError(f"samples: need at least 4 points, got {n}")
    unit = qmc.LatinHypercube(d=len(space.factors), seed=np.random.default_rng(seed)).random(n)
    return space.scale(unit)


@dataclass(frozen=True)
class Rule:
    """How PRIM runs and which box is kept."""

    min_coverage: float = 0.5
    max_dims: int = 3
    alpha: float = 0.05  # restrictions whose quasi-p-value exceeds this are dropped
    peel_alpha: float = 0.05
    mass_min: float = 0.05


@dataclass
class Discovery:
    """What PRIM found for one case of interest."""

    case: str
    trajectory: pd.DataFrame  # coverage, density, mass, res_dim per box; kind: peel or dropped
    peeled: int  # the box chosen on the peeling curve
    chosen: int  # the same box after dropping insignificant restrictions
    limits: pd.DataFrame  # restricted factors: low, high, full range, qp values, reproducibility
    n_points: int
    n_cases: int

    @property
    def stats(self) -> dict[str, float]:
        row = self.trajectory.loc[self.chosen]
        return {
            "coverage": float(row["coverage"]),
            "density": float(row["density"]),
            "mass": float(row["mass"]),
            "res_dim": int(row["res_dim"]),
            "base_rate": self.n_cases / self.n_points,
        }


def choose(trajectory: pd.DataFrame, min_coverage: float, max_dims: int) -> int:
    """Densest box with coverage >= ``min_coverage`` and at most ``max_dims`` restrictions."""
    ok = trajectory[(trajectory["coverage"] >= min_coverage) & (trajectory["res_dim"] <= max_dims)]
    if ok.empty:
        return 0  # the unrestricted box: nothing narrower keeps enough cases
    best = ok["density"].max()
    return int(ok[ok["density"] >= best - 1e-12].index[0])  # the least peeled of equals


def _qp(value: float | None) -> float:
    return np.nan if value is None or value == -1 else float(value)


def _significance(box, i: int) -> dict[str, float]:
    """Smallest quasi-p-value of each restricted factor of box ``i``."""
    return {
        name: np.nanmin([_qp(v) for v in pair] + [np.inf]) for name, pair in box.p_values[i].items()
    }


def select(box, rule: Rule) -> tuple[int, int]:
    """(peeled, chosen): the box by ``choose``, then its insignificant restrictions dropped.

    Restrictions are dropped one at a time, the least significant first (EMA Workbench's
    ``drop_restriction`` adds each new box to the trajectory); one restriction always stays.
    """
    peeled = chosen = choose(box.peeling_trajectory, rule.min_coverage, rule.max_dims)
    while chosen:
        qps = _significance(box, chosen)
        worst = max(qps, key=qps.get)
        if len(qps) <= 1 or qps[worst] <= rule.alpha:
            break
        box.drop_restriction(worst, chosen)
        chosen = len(box.peeling_trajectory) - 1
    return peeled, chosen


def find(
    case: str,
    x: pd.DataFrame,
    y: np.ndarray,
    *,
    rule: Rule = Rule(),
    resamples: int = 10,
    seed: int = 1,
) -> Discovery:
    """Run PRIM on inputs ``x`` (numeric or categorical columns) and boolean cases ``y``."""
    y = np.asarray(y, dtype=bool)
    if len(y) != len(x):
        raise ValueError(f"{case}: {len(x)} points but {len(y)} outcomes")
    if not y.any() or y.all():
        raise ValueError(f"{case}: PRIM needs cases and non-cases; {int(y.sum())} of {len(y)}")
    x = x.reset_index(drop=True)
    box = _peel(x, y, rule)
    n_peel = len(box.peeling_trajectory)
    peeled, chosen = select(box, rule)
    trajectory = box.peeling_trajectory.copy()
    trajectory["kind"] = ["peel" if i < n_peel else "dropped" for i in range(len(trajectory))]
    limits = _limits(box, chosen, x)
    if resamples and not limits.empty:
        share = _reproducibility(x, y, resamples, seed, rule)
        limits["reproducibility"] = [share.get(name, 0.0) for name in limits.index]
    return Discovery(case, trajectory, peeled, chosen, limits, len(y), int(y.sum()))


def _peel(x: pd.DataFrame, y: np.ndarray, rule: Rule):
    with warnings.catch_warnings():  # pandas deprecations inside EMA Workbench
        warnings.simplefilter("ignore", FutureWarning)
        warnings.simplefilter("ignore", DeprecationWarning)
        prim = _ema_prim().Prim(x, y, peel_alpha=rule.peel_alpha, mass_min=rule.mass_min)
        return prim.find_box()


def _reproducibility(
    x: pd.DataFrame, y: np.ndarray, resamples: int, seed: int, rule: Rule
) -> dict[str, float]:
    """Share of half-size subsamples whose box (chosen by the same rule) restricts each factor."""
    rng = np.random.default_rng(seed)
    counts: dict[str, float] = {}
    for _ in range(resamples):
        idx = np.sort(rng.choice(len(y), size=len(y) // 2, replace=False))
        xs, ys = x.iloc[idx].reset_index(drop=True), y[idx]
        if not ys.any() or ys.all():
            continue
        box = _peel(xs, ys, rule)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            _, i = select(box, rule)
        for name in box.p_values[i]:
            counts[name] = counts.get(name, 0.0) + 1.0 / resamples
    return counts


def _limits(box, i: int, x: pd.DataFrame) -> pd.DataFrame:
    """Restricted factors of box ``i``: its range, the full range and the quasi-p-values."""
    lims, qps = box.box_lims[i], box.p_values[i]
    rows = {}
    for name, (qp_lo, qp_hi) in qps.items():
        lo, hi = lims[name].iloc[0], lims[name].iloc[1]
        if isinstance(lo, set):  # categorical: the categories kept
            rows[name] = {
                "low": ", ".join(sorted(map(str, lo))),
                "high": "",
                "full_low": np.nan,
                "full_high": np.nan,
            }
        else:
            rows[name] = {
                "low": float(lo),
                "high": float(hi),
                "full_low": float(x[name].min()),
                "full_high": float(x[name].max()),
            }
        rows[name].update(qp_low=_qp(qp_lo), qp_high=_qp(qp_hi))
    return pd.DataFrame.from_dict(rows, orient="index")
