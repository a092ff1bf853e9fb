"""Simulation-based calibration: fitted to data simulated from known parameters, the 90%
posterior intervals hold the known values at about the nominal rate (Talts et al. 2018).

Marked ``slow`` (a few minutes on two cores); the fast suite's fixed-seed and synthetic
recovery tests are in test_calibration.py.
"""

from __future__ import annotations

import copy

import numpy as np
import pandas as pd
import pytest

from conftest import calibration_case
from csei_sim.calibration import abc
from csei_sim.calibration.cases import parse_case
from csei_sim.calibration.report import weighted_quantile
from csei_sim.calibration.synthetic import synthetic_case

DATA_SETS = 20
LEVEL = 0.9
CASE = calibration_case(
    "sbc",
    observations=[
        {"date": month, "members": 1, "source": "replaced by the synthetic run"}
        for month in ("2025-02", "2025-04")
    ],
    priors={"behaviour.join_rate": {"lo": 0.05, "hi": 0.6, "why": "the known parameter"}},
    abc={"populations": 2, "population_size": 15},
)


@pytest.mark.slow
def test_true_values_fall_in_the_90_percent_posterior_intervals_at_the_nominal_rate(tmp_path):
    case = parse_case(copy.deepcopy(CASE))
    prior = case.priors[0]
    rng = np.random.default_rng(18)
    truths = rng.uniform(prior.lo, prior.hi, DATA_SETS)
    inside, widths = [], []
    for i, truth in enumerate(truths):
        data = synthetic_case(case, {prior.key: truth}, seed=1000 + i)
        out = tmp_path / f"set{i}"
        abc.run(data, out, abc.Settings(seed=i, workers=2))
        post = pd.read_parquet(out / abc.POSTERIOR)
        v, w = post[prior.key].to_numpy(), post["weight"].to_numpy()
        lo = weighted_quantile(v, w, (1 - LEVEL) / 2)
        hi = weighted_quantile(v, w, (1 + LEVEL) / 2)
        inside.append(lo <= truth <= hi)
        widths.append(hi - lo)
    # binomial tolerance: three standard deviations of the count of hits around n * 0.9
    sd = np.sqrt(DATA_SETS * LEVEL * (1 - LEVEL))
    hits = int(np.sum(inside))
    assert DATA_SETS * LEVEL - 3 * sd <= hits <= DATA_SETS * LEVEL + 3 * sd, (hits, widths)
    # and the data inform: the intervals are narrower than the prior's own 90% interval
    assert np.mean(widths) < LEVEL * (prior.hi - prior.lo)
