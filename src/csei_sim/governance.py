"""Governance modes, coordination capacity, formalisation and its cost (Provan & Kenis 2008).

Shared (informal) governance coordinates as many members as their trust and goal consensus allow;
a lead organisation adds its own capacity; a network administrative organisation (``formal``: an
office, fees, entry criteria) adds paid staff but costs overhead. Capacity is not a fixed number
per mode: Provan & Kenis name trust and goal consensus as what decides how far shared governance
works, and staff as what an administrative organisation adds. ``gradual`` starts informal and
formalises once size and trust thresholds are met (seed key learning: "informal networks provide
momentum in early phases, while gradual structuring supports sustainability and scaling").

Formalising is neither free nor instant: a chosen office first spends ``setup_months`` on rules,
legal form and services (seed: Pomorskie spent 2025 in six workshops defining membership rules,
legal form and a service portfolio before operating as a cluster), and an office that cannot be
paid for ``deformalise_months`` closes, the cluster reverting to shared governance.
"""

from __future__ import annotations

from dataclasses import dataclass

from csei_sim.params import GovernanceParams

OFFICE_PAID_MIN = 0.5  # share of its cost an office must be paid in a month to count as paid


@dataclass
class Governance:
    """The cluster's governance state."""

    p: GovernanceParams
    formal: bool = False  # an office has been chosen (it may still be setting up)
    formalised_at: int | None = None
    setup_left: int = 0  # months of set-up still to go
    unpaid_months: int = 0  # consecutive months the operating office was not paid
    closed_at: int | None = None  # month the office closed, if it did

    def __post_init__(self) -> None:
        if self.p.governance_mode == "formal":
            self._choose_office(0)

    def _choose_office(self, step: int) -> None:
        self.formal, self.formalised_at = True, step
        self.setup_left = self.p.setup_months

    @property
    def setting_up(self) -> bool:
        """An office has been chosen but is still being set up."""
        return self.formal and self.setup_left > 0

    @property
    def operating(self) -> bool:
        """The office runs: consults, charges fees and applies its entry requirements."""
        return self.formal and self.setup_left == 0

    @property
    def state(self) -> str:
        """Effective mode this month: informal, lead_organisation or formal."""
        if self.formal:
            return "formal"
        return "lead_organisation" if self.p.governance_mode == "lead_organisation" else "informal"

    def capacity(
        self,
        facilitation_hours: float,
        office_staffed: float,
        member_trust: float,
        consensus: float,
    ) -> float:
        """Members the cluster coordinates without strain.

        Shared governance coordinates ``shared_capacity`` scaled by mean member trust and goal
        consensus (both 0-1); a lead organisation adds ``capacity_lead``; an operating office adds
        ``capacity_per_fte`` per staffed position as far as it is paid and staffed (0-1).
        Facilitation relieves load in every mode.
        """
        p = self.p
        base = p.shared_capacity * member_trust * consensus
        if self.state == "lead_organisation":
            base += p.capacity_lead
        if self.operating:
            base += p.capacity_per_fte * p.office_staff * office_staffed
        return max(1.0, base + facilitation_hours / p.hours_per_capacity)

    def month_done(self, office_paid: float) -> bool:
        """Advance set-up and the unpaid count after a month; True when the office closes."""
        if self.setting_up:
            self.setup_left -= 1
            return False
        if not self.operating or self.p.deformalise_months == 0:
            return False
        self.unpaid_months = self.unpaid_months + 1 if office_paid < OFFICE_PAID_MIN else 0
        if self.unpaid_months >= self.p.deformalise_months:
            self.formal, self.unpaid_months = False, 0
            return True
        return False

    def close(self, step: int) -> None:
        """The office has closed: the cluster reverts to shared governance for good."""
        self.closed_at = step

    def consider_formalising(self, step: int, members: int, member_trust: float) -> bool:
        """Gradual mode formalises once it is big and trusting enough; True when it happens."""
        if self.p.governance_mode != "gradual" or self.formal or self.closed_at is not None:
            return False
        if members >= self.p.formalise_min_members and member_trust >= self.p.formalise_min_trust:
            self._choose_office(step)
            return True
        return False


def coordination_load(members: int, capacity: float) -> float:
    """Members per unit of coordination capacity; above 1 the cluster is strained."""
    return members / capacity
