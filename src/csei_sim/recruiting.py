"""Member-led recruiting and open membership calls.

Members recruit in every governance mode: each month each member introduces the contacts it trusts,
with a chance in proportion to its commitment, the tie's trust and the support that facilitation
gives (seed: Västerbotten grew from "four or five engaged actors" to "15–20 organisations" within a
year without a formal organisation; Kurzeme's "targeted bilateral consultations"; members' own
networks are the main recruitment channel of collaborative networks, Ansell & Gash 2008). An
introduction works like a consultation: the organisation becomes aware, the tie gains trust, and it
reconsiders joining this month, and the member brings it to meet the members closest to it in
vision, as a consultation does. An office's consultations come on top of this.

An open call is a publicised membership offer: it reaches a share of the non-members, those whose
interest (alignment with the mission) passes a bar apply, and the membership rules (entry
requirements) admit them, so metropolitan alliances grow in waves (seed, Hamburg).
"""

from __future__ import annotations

import numpy as np

from csei_sim import facilitation as fac
from csei_sim.agents import Status
from csei_sim.decisions import ALIGNMENT_SCALE
from csei_sim.network import TieNetwork
from csei_sim.params import FacilitationParams, GovernanceParams
from csei_sim.population import Population

RECRUIT_HALF_HOURS = 20.0  # effective facilitation hours at which members' support is half full


def support(hours: float) -> float:
    """How far facilitation backs members' recruiting (0 without hours, toward 1 with many)."""
    return hours / (hours + RECRUIT_HALF_HOURS) if hours > 0 else 0.0


def member_recruiting(
    pop: Population,
    ties: TieNetwork,
    hours: float,
    p: FacilitationParams,
    rng: np.random.Generator,
    step: int,
) -> np.ndarray:
    """Members introduce trusted outside contacts; returns the organisations introduced.

    A pass over the ties that touch members; a draw per tie is always taken so that the stream
    does not depend on how many members there are.
    """
    m = ties.m
    draws = rng.random(m)
    if m == 0 or p.recruit_rate == 0:
        return np.zeros(0, dtype=np.int64)
    u, v, trust = ties.u[:m], ties.v[:m], ties.trust
    member = pop.is_(Status.MEMBER)
    open_ = pop.is_open()
    # the member end of each tie that joins a member to an organisation it can recruit
    near = ties.rows_touching(member)
    nu, nv = u[near], v[near]
    recruiter = np.where(member[nu] & open_[nv], nu, np.where(member[nv] & open_[nu], nv, -1))
    rows, who = near[recruiter >= 0], recruiter[recruiter >= 0]
    if not len(rows):
        return np.zeros(0, dtype=np.int64)
    chance = p.recruit_rate * support(hours) * pop.commitment[who] * trust[rows]
    hit = rows[draws[rows] < chance]
    if not len(hit):
        return np.zeros(0, dtype=np.int64)
    target = np.where(member[u[hit]], v[hit], u[hit])
    trust[hit] += p.dialogue_trust_gain * (1.0 - trust[hit])
    ties.touch(hit, step)
    introduced = np.unique(target)
    pop.make_aware(introduced)
    # the member brings its contact to meet the members closest to it, as a consultation does
    fac.introduce(pop, ties, introduced, np.flatnonzero(member), p, step)
    return introduced


def interest(pop: Population, mission: np.ndarray) -> np.ndarray:
    """Interest in the cluster's call: alignment of an organisation's vision with the mission."""
    return np.exp(-np.linalg.norm(pop.vision - mission, axis=1) / ALIGNMENT_SCALE)


def open_call(
    pop: Population,
    mission: np.ndarray,
    p: GovernanceParams,
    step: int,
    publicised: bool,
    rng: np.random.Generator,
) -> np.ndarray:
    """Applicants to this month's open call (none in months without one); O(organisations).

    The call reaches ``open_call_reach`` of the outsiders and aware organisations; those reached
    become aware, and those whose interest passes ``open_call_bar`` apply. Entry requirements are
    applied by the membership decision.
    """
    draws = rng.random(pop.n)
    due = p.open_call_interval > 0 and step % p.open_call_interval == 0
    if not (due and publicised):
        return np.zeros(0, dtype=np.int64)
    open_ = pop.is_open()
    reached = np.flatnonzero(open_ & (draws < p.open_call_reach))
    pop.make_aware(reached)
    return reached[interest(pop, mission)[reached] >= p.open_call_bar]
