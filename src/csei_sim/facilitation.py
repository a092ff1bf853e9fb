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
EVENT_COMMITMENT = 0.03  # commitment a member gains from hosting an event (assumption)
INTRODUCTIONS = 3  # members a consultation introduces an organisation to (assumption)
OPEN_CALL = 0.2  # invitation weight of an aware organisation no member knows (trust units)
TIE_SCALE = 0.5  # vision distance at which an acquaintance forms with 1/e of the top chance
MISSION_CONSENSUS = 0.5  # goal consensus above which mission work binds members (assumption)


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


def _count(expected: float, rng: np.random.Generator) -> int:
    """Whole events from an expected number: the fraction happens with that chance."""
    whole, part = divmod(expected, 1.0)
    return int(whole) + int(rng.random() < part)


def _guest_weights(pop: Population, ties: TieNetwork) -> np.ndarray:
    """Whom members invite: organisations they trust, and aware ones through an open call."""
    outside = ~pop.is_(Status.MEMBER)
    known = ties.trust_to(pop.is_(Status.MEMBER).astype(float))
    return outside * (known + OPEN_CALL * pop.is_(Status.AWARE))


def dialogue(
    pop: Population,
    ties: TieNetwork,
    hours: float,
    p: FacilitationParams,
    rng: np.random.Generator,
    step: int,
) -> tuple[int, int]:
    """Dialogue events hosted by members for invited guests; returns (events, newly aware).

    Members take ``host_share`` of the seats and invite the rest from outside. Every pair at an
    event meets: a pair with a tie gains trust; a pair without one becomes acquainted with a chance
    that falls with the distance between their visions (shared interest). Outsiders who attend
    become aware of the cluster.
    """
    n_events = _count(hours / p.hours_per_event, rng)
    if n_events == 0:  # no guest list to draw up (it costs a pass over every tie)
        return 0, 0
    members = np.flatnonzero(pop.is_(Status.MEMBER))
    weight = _guest_weights(pop, ties)
    pool = np.flatnonzero(weight > 0)
    hosts = min(len(members), int(round(p.host_share * p.event_size)))
    guests = min(len(pool), p.event_size - hosts)
    if hosts + guests < 2:
        return 0, 0
    chance = weight[pool] / weight[pool].sum() if guests else None
    people = np.empty((n_events, hosts + guests), dtype=np.int64)
    for row in people:
        row[:hosts] = rng.choice(members, size=hosts, replace=False)
        if guests:
            row[hosts:] = rng.choice(pool, size=guests, replace=False, p=chance)
    a, b = _pairs(hosts + guests)
    us, vs = people[:, a].ravel(), people[:, b].ravel()
    rows = ties.rows_of(us, vs)
    similarity = np.exp(-np.linalg.norm(pop.vision[us] - pop.vision[vs], axis=1) / TIE_SCALE)
    forms = (rows < 0) & (rng.random(len(us)) < p.event_tie_chance * similarity)
    rows[forms] = ties.add(us[forms], vs[forms], NEW_TIE_TRUST, step)
    _meet_again(ties, rows, us, vs, forms, len(a))
    trust = ties.trust
    for met in rows.reshape(n_events, -1):
        met = met[met >= 0]
        trust[met] += p.dialogue_trust_gain * (1.0 - trust[met])  # a pair met twice gains twice
    for hosting in people[:, :hosts]:  # a member hosting twice gains twice
        pop.commitment[hosting] += EVENT_COMMITMENT * (1.0 - pop.commitment[hosting])
    ties.touch(rows, step)
    attending = np.unique(people[:, hosts:])
    return n_events, len(pop.make_aware(attending))


def _meet_again(
    ties: TieNetwork,
    rows: np.ndarray,
    us: np.ndarray,
    vs: np.ndarray,
    forms: np.ndarray,
    per_event: int,
) -> None:
    """A pair acquainted at one event this month has a tie at its later events that month."""
    pending = np.flatnonzero(rows < 0)
    if not forms.any() or not len(pending):
        return
    event = np.arange(len(rows)) // per_event
    formed, first = np.unique(rows[forms], return_index=True)  # each new tie's first event
    found = ties.rows_of(us[pending], vs[pending])  # only ties formed this month are found
    hit, tie = pending[found >= 0], found[found >= 0]
    keep = event[hit] >= event[forms][first][np.searchsorted(formed, tie)]
    rows[hit[keep]] = tie[keep]


def consultations(
    pop: Population,
    ties: TieNetwork,
    hours: float,
    p: FacilitationParams,
    rng: np.random.Generator,
    step: int,
) -> np.ndarray:
    """Bilateral consultations by office staff; returns the organisations consulted.

    Each one meets an aware organisation, introduces it to the ``INTRODUCTIONS`` members whose
    visions are closest (the pairs become acquainted, or gain trust if they already were), and
    asks it to decide this month (seed, Kurzeme: "targeted bilateral consultations to assess
    readiness for engagement, identify synergies and barriers, and clarify the added value").
    """
    wanted = _count(hours / p.hours_per_consultation, rng)
    aware = np.flatnonzero(pop.is_(Status.AWARE))
    members = np.flatnonzero(pop.is_(Status.MEMBER))
    if wanted == 0 or len(aware) == 0 or len(members) == 0:
        return np.zeros(0, dtype=np.int64)
    met = rng.choice(aware, size=min(wanted, len(aware)), replace=False)
    introduce(pop, ties, met, members, p, step)
    return met


def introduce(
    pop: Population,
    ties: TieNetwork,
    met: np.ndarray,
    members: np.ndarray,
    p: FacilitationParams,
    step: int,
) -> None:
    """Introduce each of ``met`` to the ``INTRODUCTIONS`` members closest in vision.

    The pairs become acquainted, or gain trust if they already were; O(met x members).
    """
    if not len(met) or not len(members):
        return
    gap = np.linalg.norm(pop.vision[met][:, None, :] - pop.vision[members][None, :, :], axis=2)
    k = min(INTRODUCTIONS, len(members))
    closest = members[np.argsort(gap, axis=1, kind="stable")[:, :k]]
    rows = ties.add(np.repeat(met, k), closest.ravel(), NEW_TIE_TRUST, step)
    ties.trust[rows] += p.dialogue_trust_gain * (1.0 - ties.trust[rows])
    ties.touch(rows, step)


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


def mission_binding(pop: Population, hours: float, consensus: float, p: FacilitationParams) -> None:
    """Mission work pays back in commitment when consensus holds, and costs it when it does not.

    With consensus at or above ``MISSION_CONSENSUS`` members close to the mission (within
    ``CONSENSUS_SCALE``) gain commitment, so they leave less often (a shared mission binds:
    Mazzucato 2018, seed: Agder's and Võru's mission work); below it, members far from the mission
    lose commitment (time spent on a mission they do not share).
    """
    if hours <= 0 or p.mission_commitment == 0:
        return
    rate = p.mission_commitment * 2.0 * hours / (hours + MISSION_HALF_HOURS)
    members = pop.is_(Status.MEMBER)
    close = np.linalg.norm(pop.vision - mission_target(pop), axis=1) <= CONSENSUS_SCALE
    c = pop.commitment
    if consensus >= MISSION_CONSENSUS:
        bound = members & close
        c[bound] += rate * (1.0 - c[bound])
    else:
        strained = members & ~close
        c[strained] -= rate * c[strained]


def goal_consensus(pop: Population, mission: np.ndarray) -> float:
    """1 when members share the mission, falling with their mean distance from it."""
    members = pop.is_(Status.MEMBER)
    if not members.any():
        return 0.0
    dist = np.linalg.norm(pop.vision[members] - mission, axis=1).mean()
    return float(np.exp(-dist / CONSENSUS_SCALE))
