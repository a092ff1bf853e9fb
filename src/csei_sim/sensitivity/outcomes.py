"""The outcomes the analyses explain, read from the run summaries.

``time_to_critical_mass`` is NaN in a run that never reaches critical mass; the analyses need a
number, so such a run counts as reaching it one month after the horizon (``steps + 1``), the
smallest value consistent with what was observed. The report gives the share of such runs.

``survival`` is the run summary's ratio of members 24 months after the committed grant ends to
members in its last month, capped at 1: a cluster that grows after the money stops counts as fully
surviving. Uncapped, the few runs still taking off when the grant ends (ratios up to 3) dominate
the variance and make the Sobol estimators unstable; the raw ratio stays as ``survival_ratio``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class Outcome:
    """One analysed outcome: the summary column it comes from and how it reads."""

    name: str
    column: str
    label: str


OUTCOMES: tuple[Outcome, ...] = (
    Outcome("members_2035", "members_end_2035", "members at the end of 2035"),
    Outcome(
        "survival",
        "survival_after_funding",
        "members 24 months after the committed grant ends over members at its end (capped at 1)",
    ),
    Outcome("joint_projects", "joint_projects", "joint projects (cumulative, to the horizon)"),
    Outcome(
        "time_to_critical_mass",
        "time_to_critical_mass",
        "months to critical mass (never reached = horizon + 1)",
    ),
)
NAMES = tuple(o.name for o in OUTCOMES)
LABELS = {o.name: o.label for o in OUTCOMES}
TITLES = {  # short labels for figure panels
    "members_2035": "members at the end of 2035",
    "survival": "survival: members 24 months after the grant ends / at its end (<= 1)",
    "joint_projects": "joint projects (cumulative)",
    "time_to_critical_mass": "months to critical mass (never = horizon + 1)",
}


def outcome_row(summary: Mapping[str, Any], steps: int) -> dict[str, float]:
    """The analysed outcomes of one run summary (``None`` in a summary is NaN)."""
    row = {}
    for o in OUTCOMES:
        value = summary.get(o.column)
        row[o.name] = np.nan if value is None else float(value)
    row["survival_ratio"] = row["survival"]
    row["survival"] = min(row["survival"], 1.0)  # NaN stays NaN
    row["never_critical"] = float(np.isnan(row["time_to_critical_mass"]))
    if row["never_critical"]:
        row["time_to_critical_mass"] = float(steps + 1)
    return row


def replicate_means(runs: pd.DataFrame, keys: Iterable[str]) -> pd.DataFrame:
    """Outcomes averaged over replicates for each combination of ``keys`` (e.g. point)."""
    cols = [*NAMES, "never_critical"]
    return runs.groupby(list(keys), sort=True)[cols].mean()


def noise_share(runs: pd.DataFrame, keys: Iterable[str]) -> pd.Series:
    """Share of the variance of replicate-averaged outcomes that is run-to-run noise.

    The within-point variance over replicates, divided by the number of replicates, estimates the
    noise left in a point's mean; divided by the variance of those means across the design it says
    how much of what the indices decompose is noise rather than parameters. NaN with 1 replicate.
    """
    keys = list(keys)
    grouped = runs.groupby(keys)[list(NAMES)]
    reps = grouped.size().mean()
    if reps < 2:
        return pd.Series(np.nan, index=list(NAMES))
    within = grouped.var(ddof=1).mean() / reps
    between = grouped.mean().var(ddof=1)
    return (within / between.replace(0, np.nan)).clip(upper=1.0)
