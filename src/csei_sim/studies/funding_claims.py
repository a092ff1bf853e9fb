"""What study 2's report says the model says, and its limits; each explanation checks its premise.

Numbers are computed from the results; see :mod:`csei_sim.studies.claims` for how a paragraph
whose premise no longer holds is withheld.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from csei_sim import presets
from csei_sim.agents import NGO
from csei_sim.params import Params
from csei_sim.studies import reporting as rp
from csei_sim.studies.claims import Claim, render
from csei_sim.studies.effects import paired
from csei_sim.studies.outcomes import members_at

G = Params().governance  # the defaults every study run uses (no study changes them)
COMMITTED = ("committed_2030", "cliff", "taper")  # scenarios with a committed grant that ends


def mean(r: Any, region: str, scenario: str, column: str) -> float:
    s = r.summary
    return float(s.loc[(s["region"] == region) & (s["funding"] == scenario), column].mean())


def verdict(r: Any, region: str, scenario: str, outcome: str) -> str:
    e = r.effects
    row = e[(e["region"] == region) & (e["funding"] == scenario) & (e["outcome"] == outcome)]
    return str(row["verdict"].iloc[0])


def versus(r: Any, region: str, treated: str, reference: str, column: str) -> dict:
    """Paired difference of two scenarios in one region."""
    s = r.summary[r.summary["region"] == region]
    pick = {k: s[s["funding"] == k].set_index("replicate")[column] for k in (treated, reference)}
    return paired(pick[treated], pick[reference])


def _each(r: Any, text) -> str:
    """``Hamburg 94, Västerbotten 34``: a value per region for running text."""
    return ", ".join(f"{rp.region_name(g)} {text(g)}" for g in r.design.regions)


# -- conclusions ---------------------------------------------------------------------------------


def _growth_holds(r: Any) -> bool:
    early, end = members_at(r.design.months[0]), members_at(r.design.months[1])

    def gap(g: str, column: str) -> float:
        return mean(r, g, "committed_2030", column) - mean(r, g, "none", column)

    return all(
        verdict(r, g, "committed_2030", early) == "higher" and gap(g, end) < gap(g, early)
        for g in r.design.regions
    )


def _growth_text(r: Any) -> str:
    early = members_at(r.design.months[0])
    return (
        "**Money speeds the start.** A committed grant pays for services from the first month "
        "and members value external income per member (docs/ODD.md 7.1, 7.9), so clusters with "
        f"one grow faster. Members at the end of {r.design.months[0]}, committed grant vs none: "
        + _each(
            r,
            lambda g: (
                f"{mean(r, g, 'committed_2030', early):.0f} vs {mean(r, g, 'none', early):.0f}"
            ),
        )
        + "; months to critical mass: "
        + _each(
            r,
            lambda g: (
                f"{mean(r, g, 'committed_2030', 'months_to_critical_mass'):.1f} vs "
                f"{mean(r, g, 'none', 'months_to_critical_mass'):.1f}"
            ),
        )
        + ". Later the gap narrows, as gradual clusters formalise and their offices live on fees."
    )


def _fees_holds(r: Any) -> bool:
    end = members_at(r.design.months[1])
    verdicts = [verdict(r, g, "fees_only", end) for g in r.design.regions]
    return "higher" not in verdicts and "lower" in verdicts


def _fees_text(r: Any) -> str:
    fee = presets.load("funding", "fees_only")["membership_fee"]
    end = members_at(r.design.months[1])
    ngo = NGO.cost_sensitivity * fee / (Params().behaviour.fee_reference * NGO.capacity_mean)
    lower = [
        rp.region_name(g) for g in r.design.regions if verdict(r, g, "fees_only", end) == "lower"
    ]
    return (
        f"**Fees alone do not buy growth.** A fee of {fee:g} EUR a month from the first member on "
        "weighs on an organisation in inverse proportion to its capacity (docs/ODD.md 7.9): for "
        f"an NGO of average capacity it alone takes {ngo:.2f} off a net benefit that must stay "
        f"above {Params().behaviour.benefit_reservation:g}. Once the cluster has formalised, the "
        "fees pay part of an office whose consultations recruit (7.3), which offsets some of "
        f"that cost where the pool is large. Members at the end of {r.design.months[1]}, fees "
        "only vs none: "
        + _each(r, lambda g: f"{mean(r, g, 'fees_only', end):.0f} vs {mean(r, g, 'none', end):.0f}")
        + f"; fewer in {', '.join(lower)}, and more in no region."
    )


def _after_holds(r: Any) -> bool:
    survival = [
        mean(r, g, s, "survival_after_funding") for g in r.design.regions for s in COMMITTED
    ]
    return min(survival) >= 0.9 and all(
        verdict(r, g, "committed_2030", "change_after_2030") == "lower" for g in r.design.regions
    )


def _after_text(r: Any) -> str:
    d = r.design
    survival = [mean(r, g, s, "survival_after_funding") for g in d.regions for s in COMMITTED]
    taper = {g: versus(r, g, "taper", "committed_2030", members_at(d.months[2])) for g in d.regions}
    return (
        "**After the money stops, clusters shrink a little and survive.** Two years after their "
        f"committed grant ends, clusters keep {min(survival):.0%}–{max(survival):.0%} of their "
        f"members (region and scenario means). Between {d.months[1]} and {d.months[2]} a "
        "cluster whose grant ended in 2030 changes by "
        + _each(r, lambda g: f"{mean(r, g, 'committed_2030', 'change_after_2030'):+.1f} members")
        + ", one that never had money by "
        + _each(r, lambda g: f"{mean(r, g, 'none', 'change_after_2030'):+.1f}")
        + ". The cliff is shallow because these clusters formalised long before the money ended "
        f"(gradual structuring): from then on their office is paid from fees ({G.formal_fee:g} "
        "EUR per member), and facilitation is paid by a sponsor throughout. The end of the "
        "grant takes away services and the value of external money, not coordination. A "
        "two-year taper instead of a cliff changes members at the end of "
        f"{d.months[2]} by " + _each(r, lambda g: rp.inline_effect(pd.Series(taper[g]))) + "."
    )


def _totals_holds(r: Any) -> bool:
    ext = r.summary.groupby(["region", "funding"])["external_income"].mean()
    return all(ext[(g, "project_grants")] > ext[(g, "committed_2030")] for g in r.design.regions)


def _totals_text(r: Any) -> str:
    ext = r.summary.groupby(["region", "funding"])["external_income"].mean() / 1000
    return (
        "**The scenarios do not pay the same money.** With the presets' numbers, project grants "
        "bring in more over the run than the commitment to 2030 ("
        + _each(
            r,
            lambda g: (
                f"{ext[(g, 'project_grants')]:,.0f} vs {ext[(g, 'committed_2030')]:,.0f} "
                "thousand EUR"
            ),
        )
        + "): they are won until the end of the run and are "
        f"{G.formal_grant_multiplier:g} times larger once the cluster has formalised. Differences "
        "between the scenarios above mix the amount of money with its timing and certainty; "
        "the stability comparison holds the expected amount fixed."
    )


def _effect_row(r: Any, region: str, contrast: str, outcome: str) -> pd.Series:
    c = r.contrasts
    rows = c[(c["region"] == region) & (c["contrast"] == contrast) & (c["outcome"] == outcome)]
    return rows.iloc[0]


def _stability_holds(r: Any) -> bool:
    end = members_at(r.design.months[1])
    rows = [_effect_row(r, g, "planning-stability effect", end) for g in r.design.regions]
    return any(row["verdict"] == "higher" for row in rows) and not any(
        row["verdict"] == "lower" for row in rows
    )


def _stability_text(r: Any) -> str:
    d = r.design
    end = members_at(d.months[1])
    valued = f"committed - grants, horizon {d.horizons[0]}"
    g = Params().governance
    return (
        "**A guaranteed horizon is worth members.** With the same expected money, committed up "
        "front rather than in uncertain one-year grants, clusters have at the end of "
        f"{d.months[1]}: "
        + _each(r, lambda x: rp.inline_effect(_effect_row(r, x, valued, end)) + " members")
        + ". The part of this that comes from planning stability itself (the contrast minus "
        "the same contrast when members do not value guaranteed horizons) is "
        + _each(r, lambda x: rp.inline_effect(_effect_row(r, x, "planning-stability effect", end)))
        + ". Planning stability acts in three places (docs/ODD.md 7.1, 7.7, 7.9): it scales "
        "the value members see in external money (by 0.5 to 1); members who can plan commit "
        f"staff time, gaining commitment ({Params().behaviour.stability_commitment:g} a month "
        "at full stability), which makes them less likely to leave; and an office funded from "
        f"month to month loses up to {g.vacancy_unplanned:.0%} of its staff time to vacancies, "
        "so it coordinates and recruits less. The last channel needs an office, so the effect is "
        "largest where a gradual cluster formalises early in a large pool."
    )


CONCLUSION_CLAIMS = [
    Claim(
        _growth_text,
        "a committed grant gives more members early in every region, and the gap narrows later",
        _growth_holds,
    ),
    Claim(
        _fees_text,
        "fees only gives fewer members than no money in some region and more in none",
        _fees_holds,
    ),
    Claim(
        _after_text,
        "clusters keep at least 90% of members after a grant ends, and lose "
        "members after 2030 relative to no money",
        _after_holds,
    ),
    Claim(
        _totals_text, "project grants bring in more money than the 2030 commitment", _totals_holds
    ),
    Claim(
        _stability_text,
        "the planning-stability effect on members is positive in some region and negative in none",
        _stability_holds,
    ),
]


def conclusions(results: Any) -> list[str]:
    return render(CONCLUSION_CLAIMS, results)


# each item a paragraph; ``{d.<field>}`` is filled from the design
LIMITS = (
    "- **Stylised presets.** Hamburg and Västerbotten are stylised readings of the RESIST "
    "piloting summary. The seed names no amounts: every grant, win rate and fee here is an "
    "assumption (see the funding presets), and so is the Hamburg pool of 120 organisations.",
    "- **Governance and facilitation are held fixed** (`{d.governance}`, "
    "`{d.facilitation}` paid by a sponsor). A funder who pays the facilitator out of the "
    "grant (`facilitation.facilitation_paid_by=budget`) would take facilitation away with "
    "the money, and a cluster that never formalises has no fee income to fall back on "
    "(study 1 runs informal governance with the 2030 commitment). In both cases the end of "
    "the money would also take coordination away; this study does not run those cases.",
    "- **How the model values money** (docs/ODD.md 7.1, 7.9): income pays services "
    "(and an office once formal); members value external income per member with a "
    "saturating curve, scaled by planning stability; they do not anticipate the end of a "
    "grant beyond that, do not follow money to other clusters and do not co-fund projects. "
    "Of what a guaranteed horizon buys in practice, staff who stay (the office's staffing) and "
    "members who invest (commitment) are represented; partners who plan their own budgets "
    "around the cluster are not.",
    "- **Scenario totals differ** (see the income mix), so differences between scenarios "
    "mix amount, timing and certainty; only the stability comparison equalises the expected "
    "amount, and there realised totals still vary from run to run.",
    "- **Survival after funding ends** is defined only where a committed grant ends, as "
    "members 24 months after its last month over members in that month; it says nothing "
    "about whether the cluster still delivers services.",
    "- **What the intervals mean.** The 95% intervals describe the model's randomness over "
    "{d.replicates} replicates with fixed seeds, not uncertainty about the assumed numbers.",
)


def limits(results: Any) -> list[str]:
    return [*(item.format(d=results.design) for item in LIMITS), ""]
