"""Distances between regions and the choice of exchange partners.

Two distances, each scaled to a mean of 1 over all pairs so that they can be mixed: one between
region parameters (standardised across the regions of the run, fixed for the run), one between the
current CSEI radar profiles (changing as the clusters develop).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from csei_sim.metrics import RADAR
from csei_sim.params import GOVERNANCE_MODES, Params


def features(p: Params) -> np.ndarray:
    """What makes two regions alike: pool, ties, trust, visions, governance, facilitation, money."""
    r, g, f, fa = p.region, p.governance, p.funding, p.facilitation
    mode = [float(g.governance_mode == m) for m in GOVERNANCE_MODES]
    return np.array(
        [
            np.log(r.n_organisations),
            r.share_municipality,
            r.share_ngo,
            r.share_firm,
            r.share_university,
            r.core_size / r.n_organisations,
            r.initial_aware_share,
            r.mean_degree,
            r.cross_sector_share,
            r.initial_trust,
            r.vision_spread,
            r.threshold_mean,
            r.threshold_spread,
            *mode,
            np.log1p(fa.facilitation_hours),
            fa.share_mission,
            np.log1p(f.committed_amount),
            f.grant_win_rate,
        ]
    )


def _pairwise(points: np.ndarray) -> np.ndarray:
    """Euclidean distances, scaled to a mean of 1 over distinct pairs (all 0 stays 0)."""
    d = np.linalg.norm(points[:, None, :] - points[None, :, :], axis=-1)
    n = len(points)
    mean = d.sum() / (n * (n - 1)) if n > 1 else 0.0
    return d / mean if mean > 0 else d


def parameter_distance(params: Sequence[Params]) -> np.ndarray:
    """Distances between region parameters, each feature standardised across the regions."""
    x = np.array([features(p) for p in params])
    sd = x.std(axis=0)
    z = np.divide(x - x.mean(axis=0), sd, out=np.zeros_like(x), where=sd > 0)
    return _pairwise(z)


def radar_distance(profiles: np.ndarray) -> np.ndarray:
    """Distances between current radar profiles (rows: regions, columns: the five scores)."""
    return _pairwise(np.asarray(profiles, dtype=float))


def radar_profile(metrics: dict) -> np.ndarray:
    return np.array([metrics[f"radar_{k}"] for k in RADAR], dtype=float)


def choice_weights(distance: np.ndarray, choice: str, sharpness: float) -> np.ndarray:
    """Unnormalised weight of each candidate: near ones for "similar", far ones for "dissimilar"."""
    sign = {"similar": -1.0, "dissimilar": 1.0, "random": 0.0}[choice]
    return np.exp(sign * sharpness * (distance - distance.min()))


def choose(
    chooser: int,
    count: int,
    distance: np.ndarray,
    choice: str,
    sharpness: float,
    rng: np.random.Generator,
) -> np.ndarray:
    """``count`` distinct partners of ``chooser`` (fewer if there are not enough regions)."""
    others = np.flatnonzero(np.arange(len(distance)) != chooser)
    count = min(count, len(others))
    if count == 0:
        return others
    w = choice_weights(distance[chooser, others], choice, sharpness)
    return rng.choice(others, size=count, replace=False, p=w / w.sum())
