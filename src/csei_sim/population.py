"""Organisation state as arrays, and the initial pool of a region."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from csei_sim.agents import SECTOR_CLASSES, Status
from csei_sim.params import RegionParams

VISION_DIMS = 3  # e.g. social, ecological and economic emphasis of an organisation's vision
# Directions in which each sector's mean vision is offset (differing stakeholder visions, seed:
# Kurzeme); fixed unit vectors so that the gap parameter alone sets how far sectors lie apart.
_SECTOR_DIRECTIONS = np.array(
    [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0], [-1.0, -1.0, 0.0]]
) / np.array([[1.0], [1.0], [1.0], [np.sqrt(2.0)]])


@dataclass
class Population:
    """One row per organisation."""

    sector: np.ndarray  # int, index into SECTOR_CLASSES
    status: np.ndarray  # int8, Status
    capacity: np.ndarray  # [0, 1] resources an organisation can commit
    weights: np.ndarray  # (n, 4) what it values: contacts, services, funding, mission
    cost_sensitivity: np.ndarray
    inertia: np.ndarray  # [0, 1) share of months it does not reconsider
    threshold: np.ndarray  # [0, 1] share of trusted contacts that must be in before it joins
    vision: np.ndarray  # (n, VISION_DIMS) in [0, 1]
    commitment: np.ndarray  # [0, 1]
    time_in_status: np.ndarray  # months
    projects: np.ndarray  # joint projects taken part in
    last_project: np.ndarray  # step of the last successful joint project (-1000: never)
    ever_member: np.ndarray  # bool

    @property
    def n(self) -> int:
        return len(self.sector)

    def is_(self, status: Status) -> np.ndarray:
        # int(): numpy compares with an IntEnum member ten times slower than with its value
        return self.status == int(status)

    def is_open(self) -> np.ndarray:
        """Organisations that can still be won: outsiders and the aware."""
        return self.is_(Status.OUTSIDER) | self.is_(Status.AWARE)

    def make_aware(self, idx: np.ndarray) -> np.ndarray:
        """Outsiders among ``idx`` hear of the cluster; returns them (the others keep status)."""
        newcomers = idx[self.status[idx] == Status.OUTSIDER]
        self.set_status(newcomers, Status.AWARE)
        return newcomers

    def set_status(self, idx: np.ndarray, status: Status) -> None:
        self.status[idx] = status
        self.time_in_status[idx] = 0
        if status == Status.MEMBER:
            self.ever_member[idx] = True


def sector_counts(n: int, shares: list[float]) -> np.ndarray:
    """Split ``n`` by ``shares`` with largest remainders, so counts sum to ``n``."""
    raw = np.asarray(shares) * n
    counts = np.floor(raw).astype(int)
    counts[np.argsort(-(raw - counts), kind="stable")[: n - counts.sum()]] += 1
    return counts


def create_population(r: RegionParams, rng: np.random.Generator) -> Population:
    """Draw the region's organisations, ordered by sector, all outsiders."""
    shares = [r.share_municipality, r.share_ngo, r.share_firm, r.share_university]
    sector = np.repeat(np.arange(4), sector_counts(r.n_organisations, shares))
    n = len(sector)
    table = SECTOR_CLASSES
    cap_mean = np.array([c.capacity_mean for c in table])[sector]
    weights = np.array([c.values for c in table], dtype=float)[sector]
    mean_vision = 0.5 + r.sector_vision_gap * _SECTOR_DIRECTIONS[sector]
    vision = mean_vision + rng.normal(0.0, r.vision_spread, (n, VISION_DIMS)) if n else mean_vision
    return Population(
        sector=sector,
        status=np.full(n, Status.OUTSIDER, dtype=np.int8),
        capacity=np.clip(cap_mean + rng.normal(0.0, 0.15, n), 0.05, 1.0),
        weights=weights,
        cost_sensitivity=np.array([c.cost_sensitivity for c in table])[sector],
        inertia=np.array([c.inertia for c in table])[sector],
        threshold=np.clip(rng.normal(r.threshold_mean, r.threshold_spread, n), 0.0, 1.0),
        vision=np.clip(vision, 0.0, 1.0),
        commitment=np.zeros(n),
        time_in_status=np.zeros(n, dtype=np.int64),
        projects=np.zeros(n, dtype=np.int64),
        last_project=np.full(n, -1000, dtype=np.int64),
        ever_member=np.zeros(n, dtype=bool),
    )
