"""The words of study 1's report: headline, conclusions and limits, computed from the results.

Every sentence that states a result is rendered from a Jinja2 template in
``csei_sim/studies/templates/`` with data computed here, per funding condition: the short answer
is never one unconditional sentence. A mode is *ahead* of informal governance on an outcome when
the adjusted paired test decides in its favour (more members, sooner critical mass), *behind* when
it decides against it, *equivalent* when the difference lies inside the equivalence margin (or
the runs are identical), else *undecided*.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
from jinja2 import Environment, PackageLoader, StrictUndefined

from csei_sim.params import Params, critical_mass_count
from csei_sim.studies import reporting as rp
from csei_sim.studies.effects import D_MAX, standing
from csei_sim.studies.outcomes import LOWER_IS_BETTER, members_at

STANDINGS = ("ahead", "behind", "equivalent", "undecided")
STRUCTURED = ("gradual", "formal")  # the modes of the seed's "gradual structuring" and an office
FUNDING_TITLES = {
    "none": "Without funding",
    "project_grants": "With project grants only",
    "committed_2030": "With a committed grant to 2030",
}
CORRECTION_NAMES = {"holm": "Holm's correction", "bh": "Benjamini-Hochberg", "none": "none"}

ENV = Environment(
    loader=PackageLoader("csei_sim.studies", "templates"),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
)


def region_list(names: list[str]) -> str:
    """``Agder, Hamburg and Võru`` (region presets get their names; other text is kept)."""
    named = [rp.region_name(n) for n in names]
    if len(named) < 2:
        return named[0] if named else "none"
    return f"{', '.join(named[:-1])} and {named[-1]}"


def counted(names: list[str]) -> str:
    """``2 (Agder and Võru)``, or ``none``."""
    return f"{len(names)} ({region_list(names)})" if names else "none"


def codes(values: list[str]) -> str:
    """Names as code, separated by commas."""
    return ", ".join(f"`{v}`" for v in values)


ENV.filters["region"] = rp.region_name
ENV.filters["regions"] = region_list
ENV.filters["counted"] = counted
ENV.filters["codes"] = codes


def render(template: str, **data: Any) -> list[str]:
    """A template's text as report lines."""
    return ENV.get_template(template).render(**data).rstrip("\n").split("\n") + [""]


# -- what the templates say ----------------------------------------------------------------------


def standings(effects: pd.DataFrame, outcome: str, mode: str, funding: str) -> dict[str, list]:
    """Regions by standing of ``mode`` against informal on one outcome in one funding condition."""
    rows = effects[
        (effects["outcome"] == outcome)
        & (effects["governance"] == mode)
        & (effects["funding"] == funding)
    ]
    out: dict[str, list] = {s: [] for s in STANDINGS}
    for region, verdict in zip(rows["region"], rows["verdict"], strict=True):
        out[standing(verdict, outcome in LOWER_IS_BETTER)].append(region)
    return out


def mode_answer(results: Any, mode: str, funding: str) -> dict[str, Any]:
    """Early and late standing on members, the regions where the lead passes, critical mass."""
    early, late = (members_at(m) for m in results.design.months)
    e = standings(results.effects, early, mode, funding)
    lt = standings(results.effects, late, mode, funding)
    return {
        "mode": mode,
        "early": e,
        "late": lt,
        "to_mode": [g for g in e["behind"] if g in lt["ahead"]],
        "to_informal": [g for g in e["ahead"] if g in lt["behind"]],
        "critical": standings(results.effects, "months_to_critical_mass", mode, funding),
    }


def flip_counts(flip: pd.DataFrame, funding: str, month: str) -> dict[str, Any]:
    """Flip-map cells of one funding condition and month by standing of formal, with pools."""
    rows = flip[(flip["funding"] == funding) & (flip["month"] == month)]
    out: dict[str, Any] = {"cells": len(rows)}
    for name in STANDINGS:
        hit = rows[[standing(v) == name for v in rows["verdict"]]]
        out[name] = len(hit)
        out[f"{name}_pools"] = sorted({int(n) for n in hit["n_organisations"]})
    return out


def condition(results: Any, funding: str) -> dict[str, Any]:
    """The short answer's data for one funding condition."""
    d = results.design
    modes = [mode_answer(results, m, funding) for m in d.modes if m != "informal"]
    pattern = sorted(
        {g for m in modes if m["mode"] in STRUCTURED for g in m["to_mode"]},
        key=d.regions.index,
    )
    return {
        "funding": funding,
        "title": FUNDING_TITLES.get(funding, f"Funding `{funding}`"),
        "modes": modes,
        "pattern": pattern,
        "flip": {m: flip_counts(results.flip, funding, m) for m in d.months},
    }


def funding_flips(results: Any) -> list[dict[str, Any]]:
    """Per mode and region at the late date: funding conditions where the mode is ahead and
    where it is behind, when there are both (the funding condition flips the answer)."""
    d = results.design
    late = members_at(d.months[-1])
    out = []
    for mode in (m for m in d.modes if m != "informal"):
        by_funding = {f: standings(results.effects, late, mode, f) for f in d.fundings}
        for region in d.regions:
            ahead = [f for f in d.fundings if region in by_funding[f]["ahead"]]
            behind = [f for f in d.fundings if region in by_funding[f]["behind"]]
            if ahead and behind:
                out.append({"mode": mode, "region": region, "ahead": ahead, "behind": behind})
    return out


def context(results: Any) -> dict[str, Any]:
    d = results.design
    return {
        "d": d,
        "early": d.months[0],
        "late": d.months[-1],
        "conditions": [condition(results, f) for f in d.fundings],
        "funding_flips": funding_flips(results),
        "n_flip": len(results.flip) // max(1, len(d.months) * len(d.fundings)),
        "correction": CORRECTION_NAMES[d.correction],
        "share": Params().critical_mass_share,
        "pools": critical_masses(results),
        "d_max": D_MAX,
        "full": d.name == "informal_vs_formal",
    }


def critical_masses(results: Any) -> list[dict[str, Any]]:
    """Each region's pool and its critical mass as a share and as a count of members."""
    first = results.summary.groupby("region", sort=False).first()
    return [
        {
            "region": region,
            "pool": int(row["n_organisations"]),
            "share": float(row["critical_mass_share"]),
            "count": critical_mass_count(row["critical_mass_share"], row["n_organisations"]),
        }
        for region, row in first.iterrows()
    ]


# -- the report's parts --------------------------------------------------------------------------


def headline(results: Any) -> list[str]:
    return render("informal_vs_formal_headline.md.j2", **context(results))


def standing_counts(results: Any) -> pd.DataFrame:
    """Per funding condition, outcome and mode: regions where the mode is ahead / behind / ..."""
    rows = []
    d = results.design
    for funding in d.fundings:
        for outcome, name in d.outcomes().items():
            for mode in (m for m in d.modes if m != "informal"):
                s = standings(results.effects, outcome, mode, funding)
                rows.append(
                    {"funding": funding, "outcome": name, "mode": mode}
                    | {k: len(v) for k, v in s.items()}
                )
    return pd.DataFrame(rows)


def conclusions(results: Any) -> list[str]:
    table = rp.table(standing_counts(results))
    return render("informal_vs_formal_conclusions.md.j2", table=table, **context(results))


def limits(results: Any) -> list[str]:
    return render("informal_vs_formal_limits.md.j2", **context(results))
