"""Joint projects among members: partner search, success, and what success and failure do to trust.

Partner search follows the SKIN model (Gilbert, Pyka & Ahrweiler 2001): most searches go to existing
contacts, chosen in proportion to trust; the rest to strangers in the cluster. Cross-sector
(complementary) pairs risk more but make visible pilots more often (Cowan, Jonard & Zimmermann
2004). Success raises trust and commitment, failure lowers trust (Klos & Nooteboom 2001); successes
are the "small wins" of Ansell & Gash (2008).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from csei_sim.agents import Status
from csei_sim.facilitation import NEW_TIE_TRUST
from csei_sim.network import TieNetwork
from csei_sim.params import BehaviourParams
from csei_sim.population import Population

# Success chance: base + TRUST*trust + VISION*(similarity - 0.75) + CONSENSUS*consensus
#                 - CROSS*cross_sector - STRAIN*strain   (coefficients are assumptions)
W_TRUST, W_VISION, W_CONSENSUS, W_CROSS, W_STRAIN = 0.4, 0.6, 0.15, 0.1, 0.3
PILOT_CROSS, PILOT_SAME = 1.5, 0.5  # pilot chance relative to pilot_share, across vs within sector
COMMITMENT_GAIN = 0.1  # share of missing commitment gained from a successful project


@dataclass
class Outcome:
    attempts: int = 0
    successes: int = 0
    pilots: int = 0
    pilot_orgs: np.ndarray | None = None


def choose_partners(
    members: np.ndarray,
    initiators: np.ndarray,
    pop: Population,
    ties: TieNetwork,
    b: BehaviourParams,
    rng: np.random.Generator,
) -> np.ndarray:
    """A partner for each initiator: a trusted member contact, else a stranger member."""
    contact, row = ties.random_neighbour(initiators, rng)
    accept = rng.random(len(initiators))
    stranger = rng.random(len(initiators)) < b.stranger_share
    trust = np.where(row >= 0, ties.trust[np.maximum(row, 0)] if ties.m else 0.0, 0.0)
    usable = (contact >= 0) & ~stranger & (accept < trust)
    usable &= pop.status[np.maximum(contact, 0)] == Status.MEMBER
    others = members[rng.integers(0, len(members), len(initiators))]
    return np.where(usable, contact, others)


def collaborate(
    pop: Population,
    ties: TieNetwork,
    b: BehaviourParams,
    consensus: float,
    strain: float,
    rng: np.random.Generator,
    step: int,
) -> Outcome:
    """One month of joint projects among members."""
    members = np.flatnonzero(pop.is_(Status.MEMBER))
    if len(members) < 2:
        return Outcome(pilot_orgs=np.zeros(0, dtype=np.int64))
    k = int(rng.poisson(b.collab_rate * len(members)))
    initiators = members[rng.integers(0, len(members), k)]
    partners = choose_partners(members, initiators, pop, ties, b, rng)
    keep = partners != initiators
    i, j = initiators[keep], partners[keep]
    rows = ties.add(i, j, NEW_TIE_TRUST, step)
    trust = ties.trust
    t = trust[rows]
    similarity = 1.0 - np.linalg.norm(pop.vision[i] - pop.vision[j], axis=1) / np.sqrt(3.0)
    cross = pop.sector[i] != pop.sector[j]
    chance = (
        b.base_success
        + W_TRUST * t
        + W_VISION * (similarity - 0.75)
        + W_CONSENSUS * consensus
        - W_CROSS * cross
        - W_STRAIN * strain
    )
    draws = rng.random((2, len(i)))
    win = draws[0] < np.clip(chance, 0.01, 0.95)
    trust[rows] = np.where(win, t + b.trust_gain * (1.0 - t), t * (1.0 - b.trust_loss))
    ties.touch(rows, step)
    pair = np.concatenate([i[win], j[win]])
    np.add.at(pop.projects, pair, 1)
    pop.last_project[pair] = step
    pop.commitment[pair] += COMMITMENT_GAIN * (1.0 - pop.commitment[pair])
    pilot = win & (draws[1] < b.pilot_share * np.where(cross, PILOT_CROSS, PILOT_SAME))
    return Outcome(len(i), int(win.sum()), int(pilot.sum()), np.concatenate([i[pilot], j[pilot]]))
