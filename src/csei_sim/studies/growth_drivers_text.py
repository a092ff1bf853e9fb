"""What the growth-drivers study says, in sentences whose numbers come from its cell means."""

from __future__ import annotations

import pandas as pd

from csei_sim import presets
from csei_sim.studies import reporting as rp

FIRST, LATE = "members_2025_12", "members_2030_12"


def _at(m: pd.DataFrame, column: str, **keys) -> str:
    """Mean of ``column`` over the cells matching ``keys`` (levels compared as text)."""
    rows = m
    for key, value in keys.items():
        rows = rows[rows[key].astype(str) == str(value)]
    return rp.num(float(rows[column].mean()))


def conclusions(r) -> list[str]:
    """Five findings: recruiting, money, pool size, an office beyond its money, the horizon."""
    m, d = r.tables["cell_means"], r.design
    big, small = max(d.pools), min(d.pools)
    lean, staffed, largest = list(d.offices)[0], list(d.offices)[1], list(d.offices)[-1]
    core = presets.load("region", "hamburg")["core_size"]
    funded = {"funding_horizon": "2030-12", "governance": "formal"}
    informal = {"funding_horizon": "2030-12", "governance": "informal"}
    short = {"funding_horizon": "2026-12", "governance": "formal"}
    by_pool = ", ".join(_at(m, FIRST, n_organisations=n, **informal) for n in d.pools)
    pools = ", ".join(str(n) for n in d.pools)
    items = [
        f"**A funded office recruits.** With a grant to 2030 and a pool of {big}, a formal "
        f"cluster whose office has {staffed} FTE reaches "
        f"{_at(m, FIRST, n_organisations=big, office=staffed, **funded)} members by the end of "
        f"2025 from a core of {core}, against "
        f"{_at(m, FIRST, n_organisations=big, office=lean, **funded)} with {lean} FTE and "
        f"{_at(m, FIRST, n_organisations=big, **informal)} as an informal network: consultations "
        "introduce prospects to members and ask them to decide.",
        "**Without money the office does not recruit.** Unfunded, a formal cluster has "
        f"{_at(m, FIRST, funding_horizon='none', governance='formal')} members after a year on "
        "average whatever the office size: fees do not pay its staff.",
        f"**Pool size pays only with recruiting.** Informal first-year membership is {by_pool} "
        f"for pools of {pools}: the founding core's contacts set the pace. A funded formal "
        f"office with {staffed} FTE goes from "
        f"{_at(m, FIRST, n_organisations=small, office=staffed, **funded)} to "
        f"{_at(m, FIRST, n_organisations=big, office=staffed, **funded)}.",
        "**An office larger than its money costs members later.** By the end of 2030 a pool of "
        f"{big} with a {largest}-FTE office and the same grant has "
        f"{_at(m, LATE, n_organisations=big, office=largest, **funded)} members, against "
        f"{_at(m, LATE, n_organisations=big, office=lean, **funded)} with {lean} FTE: the "
        "overhead leaves little for services.",
        f"**The horizon matters most for a staffed office.** With {staffed} FTE and a pool of "
        f"{big}, a grant to 2026 leaves "
        f"{_at(m, LATE, n_organisations=big, office=staffed, **short)} members at the end of "
        f"2030, a grant to 2030 {_at(m, LATE, n_organisations=big, office=staffed, **funded)}.",
    ]
    return [*rp.bullet_list(items), ""]


def limits(r) -> list[str]:
    return [
        *rp.bullet_list(
            [
                "Office staff cost 6,000 EUR a month per FTE and the grant is 8,000 EUR a month in "
                "every funded cell, so a larger office is also a poorer one; a grant scaled to the "
                "office would separate the two.",
                "The founding core is the Hamburg preset's 12 in every pool: a larger metropolitan "
                "pool with a larger core would grow faster than shown.",
                "In informal cells the office factor does nothing (there is no office), so their "
                "three office rows repeat the same runs.",
            ]
        ),
        "",
    ]
