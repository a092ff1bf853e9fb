"""Predictive bands of a case and their scores against the observations.

The prior predictive (``--validate``) runs the case from its structural inputs and priors alone;
the posterior predictive runs it from the fitted particles. For each observation: the 50% and 90%
predictive intervals, whether they cover the observation, and the continuous ranked probability
score (CRPS, properscoring's ensemble estimate; lower is better, in members). An observed range is
covered when the interval overlaps it, and scored at its midpoint.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import properscoring

from csei_sim.calibration.cases import Case
from csei_sim.calibration.simulate import stat_name

LEVELS = (0.5, 0.9)


def bands(case: Case, runs: pd.DataFrame) -> pd.DataFrame:
    """One row per observation: the observed range, the predictive median and its intervals."""
    rows = []
    for obs in case.observations:
        values = runs[stat_name(obs)].dropna().to_numpy(dtype=float)
        row = {
            "date": obs.date,
            "observed_lo": obs.lo,
            "observed_hi": obs.hi,
            "use": obs.use,
            "median": float(np.median(values)) if len(values) else np.nan,
            "runs": len(values),
        }
        for level in LEVELS:
            lo, hi = (
                np.quantile(values, [(1 - level) / 2, (1 + level) / 2])
                if len(values)
                else (
                    np.nan,
                    np.nan,
                )
            )
            pct = int(level * 100)
            row[f"lo{pct}"], row[f"hi{pct}"] = float(lo), float(hi)
            row[f"covered{pct}"] = bool(lo <= obs.hi and hi >= obs.lo)
        row["crps"] = float(properscoring.crps_ensemble(obs.mid, values)) if len(values) else np.nan
        rows.append(row)
    return pd.DataFrame(rows)


def scores(table: pd.DataFrame) -> dict[str, float]:
    """Coverage rates of the 50% and 90% intervals and the mean CRPS over observations."""
    out = {
        f"coverage{int(lv * 100)}": float(table[f"covered{int(lv * 100)}"].mean()) for lv in LEVELS
    }
    out["crps"] = float(table["crps"].mean())
    out["observations"] = len(table)
    return out
