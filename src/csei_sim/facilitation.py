"""Facilitation: outreach, cross-sector dialogue events and mission work.

Facilitative leadership acts on the collaboration cycle (Ansell & Gash 2008): outreach makes
outsiders aware, dialogue events are the face-to-face encounters that build trust, and mission work
(the MOIP guide's strategy labs and systematic mapping; seed: Agder, Võru) lets visions converge
toward a shared mission, raising goal consensus.
"""

from __future__ import annotations

from functools import cache

import numpy as np

from csei_sim.agents import Status
from csei_sim.network import TieNetwork
from csei_sim.params import FacilitationParams
from csei_sim.population import Population

NEW_TIE_TRUST = 0.3  # trust between two organisations that just met (assumption)
MISSION_HALF_HOURS = 20.0  # hours of mission work per month at which its effect is half-saturated
CONSENSUS_SCALE = 0.25  # mean distance to the mission at which consensus is 1/e (assumption)
EVENT_COMMITMENT = 0.03  # commitment a member gains from attending an event (assumption)


def split_hours(p: FacilitationParams, hours: float) -> tuple[float, float, float]:
    """Effective hours on outreach, dialogue and mission work."""
    eff = hours * p.facilitation_effectiveness
    return eff * p.share_outreach, eff * p.share_dialogue, eff * p.share_mission * p.mission_skill


def outreach(pop: Population, hours: float, p: FacilitationParams, rng: np.random.Generator) -> int:
    """Each outreach hour reaches ``reach_per_hour`` outsiders on average; they become aware."""
    draws = rng.random(pop.n)
    outsiders = pop.is_(Status.OUTSIDER)
    count = int(outsiders.sum())
    if count == 0:
        return 0
    chance = min(1.0, hours * p.reach_per_hour / count)
    reached = np.flatnonzero(outsiders & (draws < chance))
    pop.set_status(reached, Status.AWARE)
    return len(reached)


def dialogue(
    pop: Population,
    ties: TieNetwork,
    hours: float,
    p: FacilitationParams,
    rng: np.random.Generator,
    step: int,
) -> int:
    """Dialogue events: every pair of participants meets, ties form or gain trust."""
    whole, part = divmod(hours / p.hours_per_event, 1.0)
    n_events = int(whole) + int(rng.random() < part)
    pool = np.flatnonzero(pop.is_(Status.MEMBER) | pop.is_(Status.AWARE))
    if len(pool) < 2:
        return 0
    size = min(p.event_size, len(pool))
    groups = [rng.choice(pool, size=size, replace=False) for _ in range(n_events)]
    if not groups:
        return 0
    # all events' ties in one call: new pairs get rows in the same order as event by event
    a, b = _pairs(size)
    people = np.stack(groups)
    all_rows = ties.add(people[:, a].ravel(), people[:, b].ravel(), NEW_TIE_TRUST, step)
    trust = ties.trust
    for group, rows in zip(groups, all_rows.reshape(n_events, -1), strict=True):
        trust[rows] += p.dialogue_trust_gain * (1.0 - trust[rows])  # a pair met twice gains twice
        members = group[pop.status[group] == Status.MEMBER]
        pop.commitment[members] += EVENT_COMMITMENT * (1.0 - pop.commitment[members])
    ties.touch(all_rows, step)
    return n_events


@cache
def _pairs(size: int) -> tuple[np.ndarray, np.ndarray]:
    """Every pair (i < j) of ``size`` participants, as two index arrays."""
    a, b = np.triu_indices(size, k=1)
    a.flags.writeable = b.flags.writeable = False
    return a, b


def mission_target(pop: Population) -> np.ndarray:
    """The shared mission: the members' mean vision (everyone's before anyone is in)."""
    members = pop.is_(Status.MEMBER)
    return pop.vision[members].mean(axis=0) if members.any() else pop.vision.mean(axis=0)


def mission_work(pop: Population, hours: float, p: FacilitationParams) -> float:
    """Visions move toward the mission, with diminishing returns; aware ones half as fast."""
    pull = p.mission_rate * 2.0 * hours / (hours + MISSION_HALF_HOURS) if hours > 0 else 0.0
    mission = mission_target(pop)
    rate = np.where(pop.is_(Status.MEMBER), pull, np.where(pop.is_(Status.AWARE), pull / 2, 0.0))
    pop.vision += np.minimum(rate, 1.0)[:, None] * (mission - pop.vision)
    return pull


def goal_consensus(pop: Population, mission: np.ndarray) -> float:
    """1 when members share the mission, falling with their mean distance from it."""
    members = pop.is_(Status.MEMBER)
    if not members.any():
        return 0.0
    dist = np.linalg.norm(pop.vision[members] - mission, axis=1).mean()
    return float(np.exp(-dist / CONSENSUS_SCALE))
