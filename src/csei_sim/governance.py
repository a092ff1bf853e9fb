"""Governance modes, coordination load and formalisation (Provan & Kenis 2008).

Shared (informal) governance coordinates few members cheaply; a lead organisation coordinates more;
a network administrative organisation (``formal``: an office, fees, entry criteria) scales furthest
but costs overhead. ``gradual`` starts informal and formalises once size and trust thresholds are
met (seed key learning: "informal networks provide momentum in early phases, while gradual
structuring supports sustainability and scaling").
"""

from __future__ import annotations

from dataclasses import dataclass

from csei_sim.params import GovernanceParams


@dataclass
class Governance:
    """The cluster's governance state."""

    p: GovernanceParams
    formal: bool = False
    formalised_at: int | None = None

    def __post_init__(self) -> None:
        self.formal = self.p.governance_mode == "formal"
        if self.formal:
            self.formalised_at = 0

    @property
    def state(self) -> str:
        """Effective mode this month: informal, lead_organisation or formal."""
        if self.formal:
            return "formal"
        return "lead_organisation" if self.p.governance_mode == "lead_organisation" else "informal"

    def capacity(self, facilitation_hours: float, office_staffed: float) -> float:
        """Members the cluster coordinates without strain.

        Facilitation relieves load; an office works as far as it is paid and staffed (0-1), and an
        unpaid or unstaffed one falls back to what shared governance manages.
        """
        base = {
            "informal": self.p.capacity_informal,
            "lead_organisation": self.p.capacity_lead,
            "formal": self.p.capacity_informal
            + office_staffed * (self.p.capacity_formal - self.p.capacity_informal),
        }[self.state]
        return base + facilitation_hours / self.p.hours_per_capacity

    def consider_formalising(self, step: int, members: int, member_trust: float) -> bool:
        """Gradual mode formalises once it is big and trusting enough; True when it happens."""
        if self.p.governance_mode != "gradual" or self.formal:
            return False
        if members >= self.p.formalise_min_members and member_trust >= self.p.formalise_min_trust:
            self.formal, self.formalised_at = True, step
            return True
        return False


def coordination_load(members: int, capacity: float) -> float:
    """Members per unit of coordination capacity; above 1 the cluster is strained."""
    return members / capacity
