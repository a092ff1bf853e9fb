"""Outcome columns the studies compare, derived from the run summaries and time series."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd


def members_at(month: str, column: str = "members") -> str:
    """Column name of a count (members, aware, ...) at the end of ``month`` (YYYY-MM)."""
    return f"{column}_{month.replace('-', '_')}"


def add_members_at(
    summary: pd.DataFrame,
    timeseries: pd.DataFrame,
    months: Sequence[str],
    column: str = "members",
) -> pd.DataFrame:
    """A time-series column at the end of each month, per run (missing past the horizon)."""
    out = summary.copy()
    for month in months:
        at = timeseries.loc[timeseries["date"] == month].set_index("run")[column]
        out[members_at(month, column)] = out["run"].map(at).astype(float)
    return out


def add_time_to_critical_mass(summary: pd.DataFrame) -> pd.DataFrame:
    """Restricted time to critical mass (never reached = the run's horizon) and whether reached."""
    out = summary.copy()
    out["reached_critical_mass"] = out["time_to_critical_mass"].notna().astype(float)
    horizon = out["steps"].astype(float)
    out["months_to_critical_mass"] = out["time_to_critical_mass"].astype(float).fillna(horizon)
    return out


def run_means(timeseries: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    """Mean over the months 1..steps of each column, per run."""
    months = timeseries[timeseries["step"] > 0]
    return months.groupby("run")[list(columns)].mean()


def run_totals(timeseries: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    """Sum over all months of each column, per run."""
    return timeseries.groupby("run")[list(columns)].sum()


# outcomes on which less is better: a mode lower on them is *ahead*
LOWER_IS_BETTER = frozenset({"months_to_critical_mass", "cost_per_project"})
