"""Shared helpers for the tests."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from csei_sim import CSEIModel


def replicate(seeds: range, base: dict | None = None, **params) -> list[pd.DataFrame]:
    """Time series of one run per seed (``base``: nested parameters, e.g. composed presets)."""
    return [CSEIModel(base, rng=seed, **params).run().timeseries() for seed in seeds]


def mean_and_se(values) -> tuple[float, float]:
    values = np.asarray(values, dtype=float)
    return float(values.mean()), float(values.std(ddof=1) / np.sqrt(len(values)))


def clearly_greater(a, b, z: float = 2.0) -> bool:
    """Mean of ``a`` exceeds mean of ``b`` by more than ``z`` standard errors of the difference."""
    (ma, sa), (mb, sb) = mean_and_se(a), mean_and_se(b)
    return ma - mb > z * float(np.hypot(sa, sb))


@pytest.fixture
def small_run():
    return CSEIModel(rng=7, steps=36).run()
