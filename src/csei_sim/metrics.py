"""Outcome measures: diversity, the CSEI radar, archetypes and the one-row run summary."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

RADAR = ("governance", "membership", "services", "financing", "roles")
# Named profiles on the radar (governance, membership, services, financing, roles). The seed reports
# that CSEI archetypes were drawn from other clusters and added to the radar diagram; these five
# profiles are the model's own stylised reading of that idea (assumption).
ARCHETYPES: dict[str, tuple[float, ...]] = {
    "emerging initiative": (0.3, 0.2, 0.1, 0.1, 0.2),
    "open informal network": (0.5, 0.8, 0.2, 0.2, 0.7),
    "funded alliance": (0.6, 0.8, 0.7, 0.8, 0.5),
    "formal service cluster": (0.8, 0.8, 0.8, 0.5, 0.4),
    "dormant network": (0.3, 0.4, 0.1, 0.1, 0.1),
}
SURVIVAL_LAG = 24  # months after the funding end at which survival is measured


def blau(counts: np.ndarray) -> float:
    """Blau's index of heterogeneity, 1 - sum of squared shares (0 when empty)."""
    total = counts.sum()
    return float(1.0 - ((counts / total) ** 2).sum()) if total else 0.0


def radar_scores(
    *,
    consensus: float,
    load: float,
    formal: bool,
    members: int,
    critical_mass: int,
    diversity: float,
    service_level: float,
    stability: float,
    adequacy: float,
    active_share: float,
) -> dict[str, float]:
    """The five CSEI radar scores in [0, 1]."""
    fit = 1.0 / max(load, 1.0)
    return {
        "governance": 0.4 * consensus + 0.4 * fit + 0.2 * float(formal),
        "membership": min(1.0, members / critical_mass) * (0.5 + 0.5 * diversity / 0.75),
        "services": service_level,
        "financing": 0.5 * stability + 0.5 * min(1.0, adequacy),
        "roles": active_share,
    }


def archetype(scores: dict[str, float]) -> str:
    """The nearest named profile on the radar."""
    point = np.array([scores[k] for k in RADAR])
    return min(ARCHETYPES, key=lambda name: float(np.linalg.norm(point - ARCHETYPES[name])))


def _at(series: pd.Series, step: int) -> float:
    return float(series.loc[step]) if step in series.index else math.nan


def summarise(
    ts: pd.DataFrame, *, critical_mass: int, funding_end: int | None, step_2030: int, step_2035: int
) -> dict[str, float | str]:
    """One row of outcomes from a run's time series (indexed by step, step 0 = start)."""
    members = ts["members"]
    reached = members.index[members >= critical_mass]
    projects = float(ts["joint_projects_total"].iloc[-1])
    spending = float(ts["spending_cumulative"].iloc[-1])
    survival = after = math.nan
    # measured only when both the funding end and two years later lie inside the simulation
    if (
        funding_end is not None
        and funding_end in members.index
        and funding_end + SURVIVAL_LAG in members.index
    ):
        at_end, after = members.loc[funding_end], float(members.loc[funding_end + SURVIVAL_LAG])
        survival = float(after / at_end) if at_end else 0.0
    last = ts.iloc[-1]
    return {
        "time_to_critical_mass": float(reached[0]) if len(reached) else math.nan,
        "peak_members": int(members.max()),
        "final_members": int(members.iloc[-1]),
        "members_end_2030": _at(members, step_2030),
        "members_end_2035": _at(members, step_2035),
        "survival_after_funding": survival,
        "members_after_funding": after,
        "joint_projects": projects,
        "pilots": float(ts["pilots_total"].iloc[-1]),
        "mean_diversity": float(ts["blau_diversity"].iloc[1:].mean()) if len(ts) > 1 else 0.0,
        "cost_per_project": spending / projects if projects else math.nan,
        "total_exits": int(ts["exits"].sum()),
        "formalised_step": float(ts.index[ts["formalised"] > 0][0])
        if ts["formalised"].any()
        else math.nan,
        "archetype": archetype({k: float(last[f"radar_{k}"]) for k in RADAR}),
        "not_observed": not_observed(
            members.index, ts.get("date"), funding_end, step_2030, step_2035
        ),
    }


def not_observed(
    steps: pd.Index,
    dates: pd.Series | None,
    funding_end: int | None,
    step_2030: int,
    step_2035: int,
) -> str:
    """Why outcomes are NaN because the run cannot have them: its months do not reach the date.

    Empty when every dated outcome lies inside the run. A NaN that the run could have had (critical
    mass never reached, no joint project) is an outcome, not explained here.
    """
    end = str(dates.iloc[-1]) if dates is not None and len(dates) else f"step {steps[-1]}"
    reasons = []
    for name, step, year in (
        ("members_end_2030", step_2030, 2030),
        ("members_end_2035", step_2035, 2035),
    ):
        if step > steps[-1]:
            reasons.append(f"{name}: the run ends {end}, before the end of {year}")
        elif step not in steps:
            reasons.append(f"{name}: the run starts after the end of {year}")
    survival = "survival_after_funding, members_after_funding"
    if funding_end is None:
        reasons.append(f"{survival}: no funding ends in the run")
    elif funding_end + SURVIVAL_LAG not in steps:
        reasons.append(
            f"{survival}: the run ends {end}, before {SURVIVAL_LAG} months after the funding end"
        )
    return "; ".join(reasons)
