"""Join, stay or leave: a threshold on trusted contacts already in, plus expected net benefit.

An aware organisation considers joining once the trust-weighted share of its contacts who are
members reaches its personal threshold (Granovetter 1978); it then joins with a chance that rises
with its expected net benefit. Members leave with a chance that rises as net benefit falls, damped
by commitment (Ansell & Gash 2008) and by trust in fellow members (loyalty: trust keeps members
through hard times, Klos & Nooteboom 2001; Provan & Kenis 2008). Inertia sets how often an
organisation reconsiders at all. Exited organisations can be won back, more slowly. Applicants to
an open call who meet the entry requirements are admitted.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from csei_sim.agents import Status
from csei_sim.network import TieNetwork
from csei_sim.params import BehaviourParams
from csei_sim.population import Population

CONTACT_SCALE = 10.0  # members of other sectors at which contacts are worth 1 - 1/e (assumption)
FUNDING_SCALE = 200.0  # external EUR per member per month at which funding is worth 1 - 1/e
VISIBILITY_WEIGHT = 0.15  # weight of recent visible pilots on expected benefit (seed: pilots)
PILOT_REFERENCE = 3.0  # pilots within the window at which visibility is full
PILOT_WINDOW = 12  # months over which pilots stay visible
ALIGNMENT_SCALE = 0.25  # vision distance to the mission at which alignment is 1/e
SOCIAL_WEIGHT = 0.25  # weight of trusted contacts already in (Klos & Nooteboom: trust vs profit)


@dataclass
class ClusterOffer:
    """What the cluster offers this month, seen by every organisation."""

    members_by_sector: np.ndarray  # (4,)
    service_level: float
    external_income: float  # committed grant + project grants, EUR per month
    stability: float
    mission: np.ndarray
    visibility: float  # [0, 1]
    fee: float  # EUR per member per month
    strain: float
    lead_sector: int | None = None
    lead_dominance: float = 0.0
    entry_min_capacity: float = 0.0


def net_benefit(
    pop: Population, offer: ClusterOffer, b: BehaviourParams, share_in: np.ndarray
) -> np.ndarray:
    """Expected net benefit of membership per organisation, less its reservation level."""
    members = offer.members_by_sector.sum()
    others = members - offer.members_by_sector[pop.sector]
    contacts = 1.0 - np.exp(-others / CONTACT_SCALE)
    per_member = offer.external_income / max(members, 1)
    funding = (0.5 + 0.5 * offer.stability) * (1.0 - np.exp(-per_member / FUNDING_SCALE))
    distance = np.linalg.norm(pop.vision - offer.mission, axis=1)
    alignment = np.exp(-distance / ALIGNMENT_SCALE)
    w = pop.weights
    # What members gain together (contacts, services, shared mission, trusted partners) is realised
    # only as far as the cluster can coordinate: overload dilutes it (Provan & Kenis 2008).
    shared = w[:, 0] * contacts + w[:, 1] * offer.service_level + w[:, 3] * alignment
    shared += SOCIAL_WEIGHT * share_in
    value = shared / (1.0 + offer.strain) + w[:, 2] * funding
    # pilots show the value to those not yet inside (seed key learnings)
    value += VISIBILITY_WEIGHT * offer.visibility * ~pop.is_(Status.MEMBER)
    if offer.lead_sector is not None:
        value -= offer.lead_dominance * (pop.sector != offer.lead_sector)
    cost = pop.cost_sensitivity * (
        b.time_cost * (1.0 + offer.strain) + offer.fee / (b.fee_reference * pop.capacity)
    )
    return value + b.confidence - cost - b.benefit_reservation


def _respond(net: np.ndarray, b: BehaviourParams) -> np.ndarray:
    """Logistic response of a decision to net benefit."""
    return 1.0 / (1.0 + np.exp(-np.clip(b.decision_sharpness * net, -50, 50)))


@dataclass
class Decisions:
    joined: np.ndarray
    left: np.ndarray


def decide(
    pop: Population,
    ties: TieNetwork,
    offer: ClusterOffer,
    b: BehaviourParams,
    rng: np.random.Generator,
    prompted: np.ndarray | None = None,
    applied: np.ndarray | None = None,
) -> Decisions:
    """Everyone decides from the same state; status changes are applied afterwards.

    ``prompted`` organisations (just consulted or introduced) reconsider this month whatever their
    inertia; ``applied`` ones (applicants to an open call) join if they meet the entry criteria.
    """
    member = pop.is_(Status.MEMBER)
    share_in = ties.trusted_share_in(member.astype(float))
    net = net_benefit(pop, offer, b, share_in)
    respond = _respond(net, b)
    reconsider = 1.0 - pop.inertia
    if prompted is not None and len(prompted):
        reconsider = reconsider.copy()
        reconsider[prompted] = 1.0
    draws = rng.random(pop.n)

    candidate = pop.is_(Status.AWARE) | pop.is_(Status.EXITED)
    convinced = share_in >= pop.threshold
    eligible = pop.capacity >= offer.entry_min_capacity
    join_p = b.join_rate * reconsider * respond
    join_p = np.where(pop.is_(Status.EXITED), join_p * b.rejoin_factor, join_p)
    joining = candidate & convinced & eligible & (draws < join_p)
    if applied is not None and len(applied):
        joining[applied] |= candidate[applied] & eligible[applied]
    joined = np.flatnonzero(joining)

    leave_p = b.leave_rate * reconsider * (1.0 - respond) * (1.0 - pop.commitment)
    leave_p *= 1.0 - b.trust_loyalty * member_bond(ties, member)
    left = np.flatnonzero(member & (draws < leave_p))
    return Decisions(joined, left)


def member_bond(ties: TieNetwork, member: np.ndarray) -> np.ndarray:
    """Per organisation: mean trust on its ties to members (0 without any); O(their ties)."""
    return ties.mean_trust_to(member)


def spread_awareness(
    pop: Population,
    ties: TieNetwork,
    b: BehaviourParams,
    visibility: float,
    pilot_orgs: np.ndarray,
    rng: np.random.Generator,
) -> int:
    """Outsiders hear of the cluster through trusted member contacts, more so when pilots are seen.

    Contacts of a pilot's partners hear of it directly (seed: "starting with concrete pilots or use
    cases helps stakeholders understand the value").
    """
    member = pop.is_(Status.MEMBER).astype(float)
    heard = np.clip(b.awareness_via_contact * ties.trust_to(member) * (1.0 + visibility), 0, 1)
    showcase = np.zeros(pop.n)
    showcase[pilot_orgs] = 1.0
    heard = np.maximum(heard, np.clip(ties.trust_to(showcase), 0, 1) * 0.5)
    outsiders = pop.is_(Status.OUTSIDER)
    told = np.flatnonzero(outsiders & (rng.random(pop.n) < heard))
    pop.set_status(told, Status.AWARE)
    return len(told)
