"""Replicates: the same scenario run with several seeds, and what the runs say together.

A replicate is one run of a scenario with its own random seed. One run is one possible history;
only many replicates show what a scenario does typically and how much runs differ. This module runs
replicates into one tidy table and summarises them two ways:

- a *band*: the range in which the central ``level`` share of single runs falls (where a new run
  would likely land);
- a *confidence interval* (t-based) for the mean over replicates (how sure we are of the average).

Used by the classroom notebooks; the sweeps of :mod:`csei_sim.experiment` do the same at scale.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from csei_sim.experiment.stats import mean_ci as stats_mean_ci
from csei_sim.params import Params
from csei_sim.run import simulate

LEVEL = 0.95
KEYS = ("scenario", "seed", "step")


def _check_seeds(seeds: Iterable[int]) -> list[int]:
    seeds = [int(s) for s in seeds]
    if not seeds:
        raise ValueError("seeds: give at least one seed, e.g. seeds=range(10)")
    if len(set(seeds)) != len(seeds):
        raise ValueError(f"seeds: must be distinct (the same seed repeats the same run): {seeds}")
    return seeds


def _check_level(level: float) -> float:
    if not 0 < level < 1:
        raise ValueError(f"level: must lie strictly between 0 and 1, e.g. 0.95; got {level!r}")
    return float(level)


def run_replicates(
    params: Params | Mapping[str, Any] | None = None,
    seeds: Iterable[int] = range(10),
    *,
    scenario: str = "",
    **overrides: Any,
) -> pd.DataFrame:
    """Run one scenario once per seed; one row per (seed, step), columns ``scenario, seed, step``
    first, then every time-series column of the model."""
    frames = []
    for seed in _check_seeds(seeds):
        ts = simulate(params, seed=seed, **overrides).timeseries
        frames.append(ts.reset_index().assign(scenario=scenario, seed=seed))
    tidy = pd.concat(frames, ignore_index=True)
    return tidy[[*KEYS, *(c for c in tidy.columns if c not in KEYS)]]


def run_scenarios(
    scenarios: Mapping[str, Params | Mapping[str, Any] | None],
    seeds: Iterable[int] = range(10),
    **overrides: Any,
) -> pd.DataFrame:
    """Replicates of several named scenarios with the same seeds, stacked into one tidy table."""
    if not scenarios:
        raise ValueError("scenarios: give at least one, e.g. {'informal': {...}}")
    seeds = _check_seeds(seeds)
    return pd.concat(
        [run_replicates(p, seeds, scenario=name, **overrides) for name, p in scenarios.items()],
        ignore_index=True,
    )


def mean_ci(values: Iterable[float], level: float = LEVEL) -> tuple[float, float, float, int]:
    """(mean, lower, upper, n): the mean of the non-missing values with its t confidence interval.

    The interval is missing (NaN) for fewer than two values: one run says nothing about spread.
    """
    return stats_mean_ci(pd.Series(list(values), dtype=float), _check_level(level))


def _check_column(df: pd.DataFrame, column: str) -> None:
    if column not in df.columns:
        raise KeyError(f"column {column!r} not in the table; allowed: {', '.join(df.columns)}")
    if not pd.api.types.is_numeric_dtype(df[column]):
        raise TypeError(f"column {column!r} is not numeric; bands need numbers")


def band(df: pd.DataFrame, column: str, level: float = LEVEL) -> pd.DataFrame:
    """Per scenario and step, over replicates: ``mean``, the band of single runs ``lower`` to
    ``upper`` (central ``level`` share), the mean's confidence interval ``ci_lower`` to
    ``ci_upper``, and ``n`` runs. Keeps ``date`` for plotting."""
    level = _check_level(level)
    _check_column(df, column)
    by = [k for k in ("scenario", "step") if k in df.columns]
    tail = (1 - level) / 2
    grouped = df.groupby(by, sort=False)[column]
    out = grouped.agg(mean="mean", n="count", sd="std")
    out["lower"] = grouped.quantile(tail)
    out["upper"] = grouped.quantile(1 - tail)
    t = stats.t.ppf(0.5 + level / 2, np.maximum(out["n"] - 1, 1))
    half = np.where(out["n"] > 1, t * out["sd"] / np.sqrt(out["n"]), np.nan)
    out["ci_lower"], out["ci_upper"] = out["mean"] - half, out["mean"] + half
    if "date" in df.columns:
        out["date"] = df.groupby(by, sort=False)["date"].first()
    cols = ["mean", "lower", "upper", "ci_lower", "ci_upper", "n"]
    return out[cols + (["date"] if "date" in df.columns else [])].reset_index()


def at(df: pd.DataFrame, when: str | int | None = None) -> pd.DataFrame:
    """Rows of one month: ``when`` is a date (YYYY-MM), a step number, or None (last step)."""
    if when is None:
        return df[df["step"] == df["step"].max()]
    key = "date" if isinstance(when, str) else "step"
    rows = df[df[key] == when]
    if rows.empty:
        first, last = df[key].min(), df[key].max()
        raise ValueError(f"when: {when!r} is not in the runs; they go from {first} to {last}")
    return rows


def compare(
    df: pd.DataFrame, column: str, when: str | int | None = None, level: float = LEVEL
) -> pd.DataFrame:
    """One row per scenario: ``column`` at ``when`` (see :func:`at`) as mean with its confidence
    interval, the standard deviation between runs, and the number of runs.

    ``df`` is a tidy table of runs (from :func:`run_replicates`), or any table with one row per
    run and a ``scenario`` column (then ``when`` is not used)."""
    _check_column(df, column)
    if "scenario" not in df.columns:
        raise KeyError(f"column 'scenario' not in the table; allowed: {', '.join(df.columns)}")
    if "step" in df.columns:
        rows = at(df, when)
    elif when is None:
        rows = df
    else:
        raise ValueError(f"when: {when!r} given, but the table has no 'step' column")
    table = []
    for scenario, values in rows.groupby("scenario", sort=False)[column]:
        mean, lower, upper, n = mean_ci(values, level)
        sd = float(values.std(ddof=1)) if n > 1 else np.nan
        table.append(
            {
                "scenario": scenario,
                "mean": mean,
                "ci_lower": lower,
                "ci_upper": upper,
                "sd": sd,
                "n": n,
            }
        )
    return pd.DataFrame(table).set_index("scenario")
