"""Interpretive text that checks its own premise against the results it interprets.

A report's numbers regenerate from the runs, but sentences that explain them are written by hand.
A :class:`Claim` pairs such a paragraph with a test of the result it explains; when the model or
the design changes and the test fails, the report prints a visible note in place of the paragraph
instead of an explanation of something that no longer happens.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Claim:
    """A paragraph, the premise it rests on (in words), and a test of that premise."""

    text: str | Callable[[Any], str]  # a callable gets the results (to cite their numbers)
    premise: str
    holds: Callable[[Any], bool]


def render(claims: Sequence[Claim], results: Any) -> list[str]:
    """Each claim's paragraph if its premise holds for ``results``, else a note that it does not."""
    lines = []
    for claim in claims:
        try:
            ok = bool(claim.holds(results))
        except (KeyError, IndexError, ValueError):
            ok = False
        if ok:
            lines += [claim.text(results) if callable(claim.text) else claim.text, ""]
        else:
            lines += [
                f"> Note: a paragraph is withheld here because its premise ({claim.premise}) "
                "does not hold for these results.",
                "",
            ]
    return lines
