"""Months as text (YYYY-MM) and as integer indices."""

from __future__ import annotations


def month_index(month: str) -> int:
    """Months since year 0 for a ``YYYY-MM`` string."""
    year, mon = month.split("-")
    return int(year) * 12 + int(mon) - 1


def month_label(index: int) -> str:
    """``YYYY-MM`` for a month index."""
    return f"{index // 12:04d}-{index % 12 + 1:02d}"
