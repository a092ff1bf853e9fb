"""The cluster's budget ledger: income by source, spending by purpose, balance."""

from __future__ import annotations

from dataclasses import dataclass, field

SPENDING_PURPOSES = ("facilitation", "office", "services")


@dataclass
class Ledger:
    """Money in and out; spending can never exceed what is there, so the balance stays >= 0."""

    balance: float = 0.0
    income: dict[str, float] = field(default_factory=dict)  # this month, by source
    spending: dict[str, float] = field(default_factory=dict)  # this month, by purpose
    total_income: float = 0.0
    total_spending: float = 0.0

    def open_month(self) -> None:
        self.income = {}
        self.spending = {}

    def receive(self, source: str, amount: float) -> None:
        self.income[source] = self.income.get(source, 0.0) + amount
        self.balance += amount
        self.total_income += amount

    def spend(self, purpose: str, wanted: float) -> float:
        """Spend up to ``wanted``; returns what was actually spent."""
        paid = max(0.0, min(wanted, self.balance))
        self.spending[purpose] = self.spending.get(purpose, 0.0) + paid
        self.balance -= paid
        self.total_spending += paid
        return paid

    def discrepancy(self) -> float:
        """Balance minus (all income - all spending): zero for a ledger that balances."""
        return self.balance - (self.total_income - self.total_spending)
