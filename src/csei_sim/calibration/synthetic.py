"""Synthetic data sets: a case's observations replaced by one run at known parameter values.

Fitting such data sets and checking that the known values fall inside the posterior intervals at
about the nominal rate is the simulation-based calibration check (Talts et al. 2018) of the
whole chain: model, summary statistics, distance, priors and sampler.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

from csei_sim.calibration.cases import Case, Observation
from csei_sim.calibration.simulate import members_at, stat_name


def synthetic_case(case: Case, theta: Mapping[str, float], seed: int) -> Case:
    """The case with each observation replaced by the members of one run at ``theta``."""
    values = members_at(case, theta, seed)
    observations = [
        Observation(
            o.date, values[stat_name(o)], values[stat_name(o)], f"synthetic (seed {seed})", o.use
        )
        for o in case.observations
    ]
    return dataclasses.replace(case, observations=observations, name=f"{case.name}-synthetic")
