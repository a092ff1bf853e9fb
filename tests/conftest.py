"""Shared helpers for the tests."""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd
import pytest

from csei_sim import CSEIModel


def _logger_state() -> dict[str, tuple]:
    manager = logging.Logger.manager
    named = {n: lg for n, lg in manager.loggerDict.items() if isinstance(lg, logging.Logger)}
    named[""] = logging.getLogger()
    return {n: (lg, lg.handlers[:], lg.level, lg.propagate, lg.disabled) for n, lg in named.items()}


@pytest.fixture(autouse=True)
def _isolated_logging():
    """Undo the logging set-up of in-process Hydra runs after each test.

    Hydra's job logging points handlers at the streams of the moment, which pytest's capture
    closes after the test; a later test's log records would then fail on a closed stream.
    """
    before = _logger_state()
    yield
    for name, (lg, *_rest) in _logger_state().items():
        handlers, level, propagate, disabled = before.get(
            name, (lg, [], logging.NOTSET, True, False)
        )[1:]
        lg.handlers[:] = handlers
        lg.setLevel(level)
        lg.propagate, lg.disabled = propagate, disabled


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


# The base of the small calibration cases (test_calibration.py, test_calibration_sbc.py): a pool
# of 16 with a core of 3 and informal governance without funding, so that a fit takes seconds.
CALIBRATION_BASE = {
    "region": "generic",
    "governance": "informal",
    "funding": "none",
    "facilitation": "light",
    "start": "2025-01",
    "overrides": {"region.n_organisations": 16, "region.core_size": 3},
}


def calibration_case(name: str, **parts) -> dict:
    """A case file's data on :data:`CALIBRATION_BASE` (a fresh copy) with ``parts``."""
    import copy

    return {"name": name, "base": copy.deepcopy(CALIBRATION_BASE), **copy.deepcopy(parts)}
