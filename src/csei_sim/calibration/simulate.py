"""One simulation of a case at given parameter values, its summary statistics and its distance.

Summary statistics are the members at each observed month. The distance of a run from the
observations is the root mean square of its misses: a miss is how far the simulated count lies
outside the observed range (zero inside it), in units of ``scale`` times the observed midpoint
(at least one member), so that a miss of 10% weighs the same in a pool of 40 as in one of 400.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

import numpy as np

from csei_sim.calibration.cases import Case, Observation, Prior, split_key
from csei_sim.model import CSEIModel
from csei_sim.params import ParameterError

SHARE_GROUPS = {
    "region": ("share_municipality", "share_ngo", "share_firm", "share_university"),
    "facilitation": ("share_outreach", "share_dialogue", "share_mission"),
}


def stat_name(obs: Observation) -> str:
    return f"members_{obs.date}"


def apply(case: Case, theta: Mapping[str, float]) -> dict[str, Any]:
    """The case's nested parameters with the free ones set to ``theta``.

    Integer parameters are rounded; when a sector or hours share is free, the other shares of its
    group are rescaled so that the group still sums to 1.
    """
    nested = copy.deepcopy(case.base)
    integer = {p.key for p in case.priors if p.integer}
    for key, value in theta.items():
        group, name = split_key(key, f"priors.{key}")
        value = int(round(float(value))) if key in integer else float(value)
        (nested if group is None else nested.setdefault(group, {}))[name] = value
    for group, shares in SHARE_GROUPS.items():
        free = [s for s in shares if f"{group}.{s}" in theta]
        if free:
            _rebalance(nested[group], shares, free)
    nested["steps"] = case.steps
    return nested


def _rebalance(values: dict[str, Any], shares: tuple[str, ...], free: list[str]) -> None:
    from csei_sim.params import Params

    defaults = Params().to_dict()
    group = next(g for g, s in SHARE_GROUPS.items() if s == shares)
    current = {s: float(values.get(s, defaults[group][s])) for s in shares}
    fixed = [s for s in shares if s not in free]
    taken = sum(current[s] for s in free)
    if taken > 1 or not fixed:
        total = sum(current.values())
        values.update({s: current[s] / total for s in shares})
        return
    rest = sum(current[s] for s in fixed)
    for s in fixed:
        values[s] = (1 - taken) * (current[s] / rest if rest else 1 / len(fixed))


def members_at(case: Case, theta: Mapping[str, float], seed: int) -> dict[str, float]:
    """Members at each observed month of one run; NaN if the parameters are not allowed."""
    try:
        model = CSEIModel(apply(case, theta), rng=int(seed)).run()
    except ParameterError:
        return {stat_name(o): float("nan") for o in case.observations}
    # the collector's list, not model.timeseries(): building that table costs a tenth of a run
    members = model.datacollector.model_vars["members"]
    last = len(members) - 1
    return {
        stat_name(o): float(members[min(case.step_of(o.date), last)]) for o in case.observations
    }


def misses(case: Case, stats: Mapping[str, float], observations: list[Observation]) -> np.ndarray:
    """Scaled miss of each observation (zero inside its range)."""
    out = np.empty(len(observations))
    for i, obs in enumerate(observations):
        value = float(stats[stat_name(obs)])
        gap = max(obs.lo - value, 0.0, value - obs.hi)
        out[i] = gap / max(case.scale * obs.mid, 1.0) if np.isfinite(value) else np.inf
    return out


def distance(case: Case, stats: Mapping[str, float]) -> float:
    """Root mean square of the scaled misses of the fitted observations."""
    m = misses(case, stats, case.fitted)
    return float(np.sqrt(np.mean(m**2))) if np.all(np.isfinite(m)) else float("inf")


def prior_draws(priors: list[Prior], n: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """``n`` draws from each prior (independent), for prior predictive checks."""
    out = {}
    for p in priors:
        if p.dist == "loguniform":
            out[p.key] = np.exp(rng.uniform(np.log(p.lo), np.log(p.hi), n))
        else:
            out[p.key] = rng.uniform(p.lo, p.hi, n)
    return out
