"""The stated origin and plausible range of each number in a preset file.

A preset line reads ``key: value # KIND [lo, hi]: reason``, where KIND is ``seed`` (the seed
document says so), ``source`` (a named public source, given in the reason) or ``assumption``.
The range is what the value could plausibly be; calibration priors default to it.
Months are ranges of YYYY-MM, e.g. ``committed_start: 2025-01 # source [2024-02, 2025-03]: ...``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from csei_sim.presets import CONFIG_DIR

KINDS = ("seed", "source", "assumption")
# Numbers and months a preset of its group states about the region (what issue 18 calls
# structural): they must carry a range.
STRUCTURAL = {
    "region": (
        "n_organisations",
        "share_municipality",
        "share_ngo",
        "share_firm",
        "share_university",
        "core_size",
    ),
    "governance": ("office_staff",),
    "funding": ("committed_amount", "committed_start"),
}
_LINE = re.compile(r"^(?P<key>[A-Za-z_]\w*):\s*(?P<value>[^#\s]+)\s*#\s*(?P<comment>.*)$")
_KIND = re.compile(r"^(?P<kind>seed|source|assumption)\b")
_RANGE = re.compile(r"\[\s*(?P<lo>[^\],\s]+)\s*,\s*(?P<hi>[^\]\s]+)\s*\]")
_MONTH = re.compile(r"[0-9]{4}-[0-9]{2}")


@dataclass(frozen=True)
class Stated:
    """One preset number: its value, where it comes from, and its range (None if none given)."""

    key: str
    value: float | str
    kind: str | None
    lo: float | str | None
    hi: float | str | None
    comment: str

    def contains_value(self) -> bool:
        return self.lo is not None and self.lo <= self.value <= self.hi


def _number(text: str) -> float | str:
    """A number, or a month kept as text (YYYY-MM sorts as it counts)."""
    text = text.strip().strip("'\"")
    if _MONTH.fullmatch(text):
        return text
    return float(text)


def parse_text(text: str) -> dict[str, Stated]:
    """Every ``key: value # comment`` line of a preset file, by key."""
    out: dict[str, Stated] = {}
    for line in text.splitlines():
        match = _LINE.match(line)
        if not match:
            continue
        try:
            value = _number(match["value"])
        except ValueError:
            continue  # a name or a choice, not a number
        comment = match["comment"].strip()
        kind = _KIND.match(comment)
        span = _RANGE.search(comment)
        lo = hi = None
        if span:
            try:
                lo, hi = _number(span["lo"]), _number(span["hi"])
            except ValueError:
                lo = hi = None
        key = match["key"]
        out[key] = Stated(key, value, kind["kind"] if kind else None, lo, hi, comment)
    return out


def preset_path(group: str, name: str) -> Path:
    return Path(str(CONFIG_DIR / group / f"{name}.yaml"))


def stated(group: str, name: str) -> dict[str, Stated]:
    """The stated numbers of one preset, e.g. ``stated("region", "hamburg")``."""
    path = preset_path(group, name)
    if not path.is_file():
        raise KeyError(f"no {group} preset {name!r} (looked for {path})")
    return parse_text(path.read_text(encoding="utf-8"))


def preset_range(group: str, name: str, key: str) -> tuple[float, float] | None:
    """The range a preset states for one key, or None."""
    entry = stated(group, name).get(key)
    if entry is None or entry.lo is None:
        return None
    return entry.lo, entry.hi
