"""Funding as data: a committed grant with a cliff or taper, project grants won by chance, fees.

Every scenario (none, project grants, a commitment to 2030, a cliff, a taper, fees only) is a choice
of numbers in :class:`~csei_sim.params.FundingParams`, not a code path. Members weigh how long the
money is guaranteed: the planning-stability score (seed: Hamburg's grant "until 2030 ... gives
planning stability and a long-term perspective").
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from csei_sim.months import month_index
from csei_sim.params import FundingParams

FEE_HORIZON = 12  # months a fee income counts as guaranteed: fees are renewed yearly (assumption)
INCOME_SOURCES = ("committed_grant", "project_grants", "fees", "sponsor")


@dataclass
class Grant:
    """A project grant: an amount per month until (and including) ``last_step``."""

    amount: float
    last_step: int


@dataclass
class FundingSchedule:
    """Income of the cluster month by month."""

    p: FundingParams
    start: str
    grants: list[Grant] = field(default_factory=list)
    grants_won: int = 0

    def __post_init__(self) -> None:
        base = month_index(self.start) - 1  # step t is month base + t
        self.committed_first = month_index(self.p.committed_start) - base
        self.committed_last = month_index(self.p.committed_end) - base

    @property
    def has_committed(self) -> bool:
        return self.p.committed_amount > 0

    def committed(self, step: int) -> float:
        """Committed grant in ``step``; tapers linearly over its last ``taper_months``."""
        if not self.has_committed or not self.committed_first <= step <= self.committed_last:
            return 0.0
        left = self.committed_last - step + 1
        if self.p.taper_months and left <= self.p.taper_months:
            return self.p.committed_amount * left / (self.p.taper_months + 1)
        return self.p.committed_amount

    def apply_for_grants(
        self, step: int, members: int, formal: bool, multiplier: float, rng: np.random.Generator
    ) -> int:
        """Drop ended grants, then maybe win one (always drawing, so streams stay aligned)."""
        self.grants = [g for g in self.grants if g.last_step >= step]
        draw = rng.random()
        eligible = members >= self.p.grant_min_members
        if (
            eligible
            and len(self.grants) < self.p.max_concurrent_grants
            and draw < self.p.grant_win_rate
        ):
            amount = self.p.grant_amount * (multiplier if formal else 1.0)
            self.grants.append(Grant(amount, step + self.p.grant_duration - 1))
            self.grants_won += 1
            return 1
        return 0

    def fee_per_member(self, formal: bool, formal_fee: float) -> float:
        return self.p.membership_fee + (formal_fee if formal else 0.0)

    def income(self, step: int, members: int, fee: float) -> dict[str, float]:
        """Money received in ``step`` by source (sponsor income is added by facilitation)."""
        return {
            "committed_grant": self.committed(step),
            "project_grants": float(sum(g.amount for g in self.grants)),
            "fees": fee * members,
        }

    def stability(self, step: int, income: dict[str, float]) -> float:
        """Income-weighted share of the planning horizon for which each source is guaranteed."""
        horizon = self.p.planning_horizon
        parts = [(income["committed_grant"], max(0, self.committed_last - step))]
        parts += [(g.amount, g.last_step - step) for g in self.grants]
        parts.append((income["fees"], FEE_HORIZON))
        total = sum(amount for amount, _ in parts)
        if total <= 0:
            return 0.0
        return sum(amount * min(1.0, months / horizon) for amount, months in parts) / total

    def funding_end_step(self) -> int | None:
        """Step in which the committed grant pays for the last time, if there is one."""
        return self.committed_last if self.has_committed else None
