"""The words of study 1's report: headline, conclusions and limits, computed where they cite data.

Sentences with numbers are generated from the results. Explanations are :class:`Claim` objects
whose premises are checked against the results (see :mod:`csei_sim.studies.claims`).
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from csei_sim import presets
from csei_sim.agents import NGO
from csei_sim.collaboration import W_STRAIN
from csei_sim.params import Params
from csei_sim.studies import reporting as rp
from csei_sim.studies.claims import Claim, render
from csei_sim.studies.outcomes import members_at

VERDICT_WORDS = {
    "higher": "more",
    "lower": "fewer",
    "undecided": "undecided",
    "identical": "identical runs",
}


def verdicts(effects: pd.DataFrame, outcome: str, mode: str) -> dict[str, list[str]]:
    """Regions by verdict for one mode vs informal on one outcome."""
    rows = effects[(effects["outcome"] == outcome) & (effects["governance"] == mode)]
    return {v: list(rows.loc[rows["verdict"] == v, "region"]) for v in VERDICT_WORDS}


def _regions(names: list[str]) -> str:
    """``Agder, Hamburg and Võru`` (region presets get their names; other text is kept)."""
    named = [rp.region_name(n) for n in names]
    if len(named) < 2:
        return named[0] if named else "none"
    return f"{', '.join(named[:-1])} and {named[-1]}"


def members_sentence(results: Any, month: str) -> list[str]:
    """One bullet per mode: in which regions it has more/fewer members than informal."""
    out = []
    for mode in results.design.modes:
        if mode == "informal":
            continue
        v = verdicts(results.effects, members_at(month), mode)
        out.append(
            f"`{mode}` vs `informal`, members at end of {month}: more in "
            f"{len(v['higher'])} regions ({_regions(v['higher'])}), fewer in "
            f"{len(v['lower'])} ({_regions(v['lower'])}), undecided in "
            f"{len(v['undecided'])} ({_regions(v['undecided'])})"
            + (f", identical runs in {_regions(v['identical'])}." if v["identical"] else ".")
        )
    return out


def flip_counts(flip: pd.DataFrame, month: str) -> dict[str, int]:
    rows = flip[flip["month"] == month]
    return {v: int((rows["verdict"] == v).sum()) for v in VERDICT_WORDS}


def flip_sentence(results: Any) -> list[str]:
    out = []
    for month in results.design.months:
        c = flip_counts(results.flip, month)
        total = sum(c.values())
        out.append(
            f"Flip map, members at end of {month}: formal clearly ahead in {c['higher']} of "
            f"{total} conditions, informal clearly ahead in {c['lower']}, undecided in "
            f"{c['undecided']}."
        )
    return out


def best_sentence(results: Any) -> str:
    """The mode with the most members at the last comparison date, region by region."""
    column = members_at(results.design.months[-1])
    means = results.summary.groupby(["region", "governance"], sort=False)[column].mean()
    parts = []
    for region in results.design.regions:
        ranked = means[region].sort_values(ascending=False)
        (best, top), (second, runner) = list(ranked.items())[:2]
        parts.append(f"{rp.region_name(region)} `{best}` {top:.0f} (next `{second}` {runner:.0f})")
    return (
        f"Most members at the end of {results.design.months[-1]} (means over replicates): "
        + ", ".join(parts)
        + "."
    )


def headline(results: Any) -> list[str]:
    d = results.design
    return [
        "**Question (Q1).** Do informal networks outperform early formalisation, gradual "
        "structuring or a lead organisation: on which outcome, for how long, and under which "
        "conditions does the answer flip?",
        "",
        f"**Short answer** ({len(d.regions)} region presets x {len(d.modes)} governance modes x "
        f"{d.replicates} replicates, plus {len(results.flip) // len(d.months)} flip conditions x "
        f"{d.flip_replicates} replicates):",
        "",
        f"- {best_sentence(results)}",
        *[f"- {s}" for s in members_sentence(results, d.months[-1])],
        *[f"- {s}" for s in flip_sentence(results)],
        "",
        "Details, effect sizes with 95% confidence intervals and the limits of these results "
        "follow below.",
        "",
    ]


def verdict_counts(results: Any) -> pd.DataFrame:
    """Per outcome and mode: regions where the mode is higher / lower / undecided vs informal."""
    rows = []
    for outcome, name in results.design.outcomes().items():
        for mode in results.design.modes:
            if mode == "informal":
                continue
            v = verdicts(results.effects, outcome, mode)
            rows.append(
                {
                    "outcome": name,
                    "mode": mode,
                    "higher than informal": len(v["higher"]),
                    "lower": len(v["lower"]),
                    "undecided": len(v["undecided"]),
                    "identical runs": len(v["identical"]),
                }
            )
    return pd.DataFrame(rows)


def conclusions(results: Any) -> list[str]:
    d = results.design
    lines = [
        f"Across the {len(d.regions)} region presets, number of regions in which each mode's "
        "outcome is clearly higher or lower than under informal governance (95% CI of the "
        "paired difference excludes 0):",
        "",
        verdict_counts(results).to_markdown(index=False),
        "",
        *[f"- {s}" for s in members_sentence(results, d.months[0])],
        *[f"- {s}" for s in members_sentence(results, d.months[-1])],
        "",
    ]
    if d.name != "informal_vs_formal":
        lines += [
            "> This report comes from a smaller design than the full study "
            "(experiments/informal_vs_formal/report.md in the repository). Explanations whose "
            "premise this design cannot show (fewer regions, replicates or flip conditions) are "
            "withheld below.",
            "",
        ]
    return lines + render(CONCLUSION_CLAIMS, results)


def limits(results: Any) -> list[str]:
    return [*_limit_lines(), ""]


G = Params().governance  # the defaults every study run uses (no study changes them)


def _hours(r: Any) -> float:
    return float(presets.load("facilitation", r.design.facilitation)["facilitation_hours"])


# -- accessors used by the claims ----------------------------------------------------------------


def _most(r: Any) -> int:
    """'Most regions': all but two, and at least one."""
    return max(1, len(r.design.regions) - 2)


def mean(r: Any, region: str, mode: str, column: str) -> float:
    s = r.summary
    return float(s.loc[(s["region"] == region) & (s["governance"] == mode), column].mean())


def regions_where(r: Any, outcome: str, mode: str, verdict: str) -> list[str]:
    return verdicts(r.effects, outcome, mode)[verdict]


def size(r: Any, region: str) -> int:
    return int(r.summary.loc[r.summary["region"] == region, "n_organisations"].iloc[0])


def late(r: Any) -> str:
    return members_at(r.design.months[-1])


def member_share(r: Any, region: str, mode: str, sector: str) -> float:
    """A sector's share of all members at the end of the run (pooled over replicates)."""
    ts = r.timeseries
    last = ts[(ts["step"] == ts["step"].max()) & (ts["region"] == region)]
    last = last[last["governance"] == mode]
    return float(last[f"members_{sector}"].sum() / max(last["members"].sum(), 1))


def flip_cells(r: Any, month: str, **where: float) -> pd.DataFrame:
    f = r.flip[r.flip["month"] == month]
    for key, value in where.items():
        f = f[f[key] == value]
    return f


# -- conclusions ---------------------------------------------------------------------------------


def _stall_holds(r: Any) -> bool:
    for region in r.design.regions:
        if mean(r, region, "informal", "peak_members") <= mean(r, region, "informal", late(r)):
            return False
        exits = {m: mean(r, region, m, "total_exits") for m in ("informal", "gradual", "formal")}
        if exits["informal"] <= max(exits["gradual"], exits["formal"]):
            return False
    return True


def _costliest(r: Any) -> list[str]:
    out = []
    for region in r.design.regions:
        costs = {m: mean(r, region, m, "cost_per_project") for m in r.design.modes}
        if max(costs, key=costs.get) == "informal":
            out.append(region)
    return out


def _stall_text(r: Any) -> str:
    big = max(r.design.regions, key=lambda g: size(r, g))
    costly = _costliest(r)
    return (
        "**Informal momentum, then a ceiling.** Informal clusters grow quickly at first, "
        f"then stall. Shared governance coordinates about {G.capacity_informal:g} members "
        f"unstrained, plus one per {G.hours_per_capacity:g} hours of facilitation "
        f"({G.capacity_informal + _hours(r) / G.hours_per_capacity:g} with this study's "
        f"{_hours(r):g} hours; docs/ODD.md 7.5). Beyond that, "
        "coordination strain divides the shared value of membership, raises its time cost and "
        "lowers the success of joint projects (7.6, 7.9). Members who see too little value "
        "leave and others join in their place: in every region informal clusters end below "
        "their peak and have more exits over the run than gradual or formal ones (in "
        f"{rp.region_name(big)}: {mean(r, big, 'informal', 'total_exits'):.0f} exits under "
        "informal governance, "
        f"{mean(r, big, 'formal', 'total_exits'):.0f} under formal). Strained projects fail more "
        "often, so informal governance is also the most expensive per joint project in "
        f"{len(costly)} of {len(r.design.regions)} regions ({_regions(costly)})."
    )


def _gradual_holds(r: Any) -> bool:
    more = regions_where(r, late(r), "gradual", "higher")
    others = [g for g in r.design.regions if g not in more]
    same_start = set(regions_where(r, "months_to_critical_mass", "gradual", "identical"))
    return (
        len(more) >= _most(r)
        and all(size(r, g) <= 40 for g in others)
        and same_start == set(r.design.regions)
    )


def _gradual_text(r: Any) -> str:
    more = regions_where(r, late(r), "gradual", "higher")
    others = [g for g in r.design.regions if g not in more]
    text = (
        "**Gradual structuring keeps the informal start and lifts the ceiling.** A `gradual` "
        f"cluster is informal until it has {G.formalise_min_members} members with a mean trust of "
        f"at least {G.formalise_min_trust:g} among "
        "them (docs/ODD.md 7.10). With the same seed it runs exactly like an informal one until "
        "then (hence the identical times to critical mass), and then the office lifts the "
        f"coordination ceiling (capacity {G.capacity_formal:g} instead of {G.capacity_informal:g} "
        "while the office is paid). It ends "
        f"{r.design.months[-1]} with more members than informal governance in {_regions(more)}."
    )
    if others:
        named = [f"{rp.region_name(g)} ({size(r, g)} organisations)" for g in others]
        text += (
            f" Not in {_regions(named)}: "
            "in a "
            "small pool the ceiling hardly binds, and the office's fee and entry criterion cost "
            "more members than the extra coordination wins."
        )
    return text


def _formal_holds(r: Any) -> bool:
    sooner = regions_where(r, "months_to_critical_mass", "formal", "lower")
    return len(sooner) >= _most(r)


def _formal_text(r: Any) -> str:
    sooner = regions_where(r, "months_to_critical_mass", "formal", "lower")
    big = max(r.design.regions, key=lambda g: size(r, g))
    office = Params().governance
    return (
        "**A paid office starts faster.** With the committed grant paying its office from the "
        f"first month, a formal cluster's staff ({office.office_staff:g} FTE, a share "
        f"{office.office_recruit_share:g} of their time) hold bilateral consultations: each "
        "introduces an aware organisation to the members closest to it and asks it to decide "
        "(docs/ODD.md 7.3). Formal clusters reach critical mass sooner than informal ones in "
        f"{len(sooner)} of {len(r.design.regions)} regions ({_regions(sooner)}), although they "
        f"charge {G.formal_fee:g} EUR per member and month and admit only organisations with a "
        f"capacity of at least {G.entry_min_capacity:g} (7.9), which weigh most on NGOs, the "
        f"sector with the least capacity ({NGO.capacity_mean:g} on average). In the largest "
        f"pool, {rp.region_name(big)}, formal governance ends {r.design.months[-1]} with "
        f"{mean(r, big, 'formal', late(r)):.0f} members (gradual "
        f"{mean(r, big, 'gradual', late(r)):.0f}, informal "
        f"{mean(r, big, 'informal', late(r)):.0f})."
    )


def _lead_holds(r: Any) -> bool:
    more = regions_where(r, late(r), "lead_organisation", "higher")
    small = [g for g in r.design.regions if size(r, g) <= 40]
    best = all(
        max(r.design.modes, key=lambda m: mean(r, g, m, late(r))) == "lead_organisation"
        for g in small
    )
    return len(more) >= _most(r) and bool(small) and best


def _lead_text(r: Any) -> str:
    more = regions_where(r, late(r), "lead_organisation", "higher")
    small = [
        f"{rp.region_name(g)} ({size(r, g)} organisations)"
        for g in r.design.regions
        if size(r, g) <= 40
    ]
    return (
        f"**A lead organisation** coordinates {G.capacity_lead:g} members unstrained (plus "
        "facilitation), "
        "charges no fee and sets no entry criterion; the other sectors lose a little benefit "
        f"(`lead_dominance` {G.lead_dominance:g}; docs/ODD.md 7.5, 7.9). It ends "
        f"{r.design.months[-1]} with more members than informal governance in {len(more)} of "
        f"{len(r.design.regions)} regions and is the best of the four modes in the small pools "
        f"({_regions(small)}), whose clusters stay near the size a lead organisation "
        "coordinates; in the large pools it falls behind gradual and formal governance."
    )


def _survival_holds(r: Any) -> bool:
    worse = [
        g
        for g in r.design.regions
        if mean(r, g, "informal", "survival_after_funding")
        < mean(r, g, "formal", "survival_after_funding")
    ]
    return len(worse) >= _most(r)


def _survival_text(r: Any) -> str:
    def span(mode: str) -> str:
        values = [mean(r, g, mode, "survival_after_funding") for g in r.design.regions]
        return f"{min(values):.0%}–{max(values):.0%}"

    return (
        "**After the money stops.** The committed grant ends in December 2030. Two years "
        f"later, informal clusters have kept {span('informal')} of their members (region means), "
        f"formal ones {span('formal')} and gradual ones {span('gradual')}. Without the grant, "
        "the cluster's services run down (services are paid from the balance; docs/ODD.md 7.1); "
        "a formal office is still paid in part from members' fees and keeps providing some "
        "services, and a formal cluster is less strained, so fewer members drift away."
    )


def _diversity_holds(r: Any) -> bool:
    lower = regions_where(r, "mean_diversity", "formal", "lower")
    return len(lower) >= 2


def _diversity_text(r: Any) -> str:
    lower = regions_where(r, "mean_diversity", "formal", "lower")
    ngo = [
        g
        for g in lower
        if member_share(r, g, "formal", "ngo") < member_share(r, g, "informal", "ngo")
    ]
    other = [g for g in lower if g not in ngo]
    text = (
        "**Diversity is where formalisation costs.** Formal governance has a lower sector "
        f"diversity than informal governance in {_regions(lower)}."
    )
    if ngo:
        text += (
            f" In {_regions(ngo)} the NGO share of members at the end is lower under formal "
            "governance: the fee and the entry criterion keep NGOs out."
        )
    if other:
        firms = ", ".join(
            f"{rp.region_name(g)} {member_share(r, g, 'formal', 'firm'):.0%} vs "
            f"{member_share(r, g, 'informal', 'firm'):.0%}"
            for g in other
        )
        text += (
            f" In {_regions(other)} it is not: there the mix shifts towards firms (their share "
            f"of members at the end under formal vs informal governance: {firms}), and the "
            "index, averaged over all months, also counts a formal cluster's slower and smaller "
            "start."
        )
    return text


def _flip_holds(r: Any) -> bool:
    d = r.design
    small = flip_cells(r, d.months[-1], n_organisations=min(d.flip_sizes))
    ahead = {m: flip_counts(r.flip, m)["higher"] for m in d.months}
    return (small["verdict"] == "lower").all() and ahead[d.months[-1]] > ahead[d.months[0]]


def _flip_text(r: Any) -> str:
    d = r.design
    low_hours = [h for h in d.flip_hours if h < max(d.flip_hours)]
    ahead = {
        m: r.flip[(r.flip["month"] == m) & r.flip["facilitation_hours"].isin(low_hours)]
        for m in d.months
    }
    formal = {m: f[f["verdict"] == "higher"] for m, f in ahead.items()}
    sizes = sorted(formal[d.months[-1]]["n_organisations"].unique())
    return (
        "**Where the answer flips.** In the smallest pool "
        f"({min(d.flip_sizes)} organisations) informal governance is ahead in every condition: "
        "there is little to coordinate, and the fee and entry criterion only cost members. "
        f"With {' or '.join(f'{h:g}' for h in low_hours)} facilitation hours a month, formal "
        f"governance is clearly ahead at the end of {d.months[-1]} in "
        f"{len(formal[d.months[-1]])} of these {len(ahead[d.months[-1]])} conditions, all in "
        f"pools of {_regions([str(int(v)) for v in sizes])} organisations, against "
        f"{len(formal[d.months[0]])} at the end of {d.months[0]}: its advantage comes once the "
        "informal cluster has hit its ceiling and, after 2030, lost its grant."
        + _undecided_text(ahead[d.months[-1]], min(d.flip_sizes))
    )


def _undecided_text(cells: pd.DataFrame, smallest: int) -> str:
    """A sentence on undecided large-pool cells, where there are several."""
    open_ = cells[(cells["verdict"] == "undecided") & (cells["n_organisations"] > smallest)]
    if len(open_) < 2:
        return ""
    return (
        f" {len(open_)} of these cells stay undecided (the 95% interval of the difference "
        "includes 0)."
    )


def _intensive(r: Any) -> tuple[pd.DataFrame, int, int]:
    """Flip cells at the most facilitation (end of the horizon), the largest pool where informal
    is ahead in every cell and the smallest where formal is."""
    d = r.design
    cells = flip_cells(r, d.months[-1], facilitation_hours=max(d.flip_hours))
    informal = cells.groupby("n_organisations")["verdict"].apply(lambda v: (v == "lower").all())
    formal = cells.groupby("n_organisations")["verdict"].apply(lambda v: (v == "higher").all())
    return cells, max(informal[informal].index, default=0), min(formal[formal].index, default=0)


def _intensive_holds(r: Any) -> bool:
    cells, informal_up_to, formal_from = _intensive(r)
    sizes = sorted(cells["n_organisations"].unique())
    return 0 < informal_up_to < formal_from and all(
        n <= informal_up_to or n >= formal_from for n in sizes
    )


def _intensive_text(r: Any) -> str:
    d = r.design
    hours = max(d.flip_hours)
    cells, informal_up_to, formal_from = _intensive(r)
    big = cells[cells["n_organisations"] == max(d.flip_sizes)]
    return (
        f"**Intensive facilitation moves the flip to larger pools.** With {hours:g} hours a "
        "month, facilitation adds one member of coordination capacity per "
        f"{G.hours_per_capacity:g} hours to every mode ({hours / G.hours_per_capacity:g} at "
        f"{hours:g} hours), which more than doubles what shared governance coordinates but adds "
        "little to an office. Informal governance is then ahead in every condition with pools of "
        f"up to {informal_up_to} organisations, and formal governance in every condition from "
        f"{formal_from} (in pools of {max(d.flip_sizes)}: {big['treated_mean'].mean():.0f} "
        f"members against {big['reference_mean'].mean():.0f} at the end of {d.months[-1]}, "
        "means over initial-trust levels). Dialogue events are hosted by members and invite the "
        "organisations they know (docs/ODD.md 7.3), so more facilitation no longer leaves a large "
        "pool aware but tied mostly to other non-members (Appendix D, note 2)."
    )


CONCLUSION_CLAIMS = [
    Claim(
        _stall_text,
        "informal clusters end below their peak and have more exits than gradual "
        "and formal ones in every region",
        _stall_holds,
    ),
    Claim(
        _gradual_text,
        "gradual has more members than informal at the end in all but the "
        "small pools, and the same time to critical mass everywhere",
        _gradual_holds,
    ),
    Claim(
        _formal_text,
        "formal reaches critical mass sooner than informal in most regions",
        _formal_holds,
    ),
    Claim(
        _lead_text,
        "a lead organisation has more members than informal in most regions and "
        "is best in the small pools",
        _lead_holds,
    ),
    Claim(
        _survival_text,
        "informal clusters keep fewer members after the grant ends than "
        "formal ones in most regions",
        _survival_holds,
    ),
    Claim(
        _diversity_text,
        "formal governance lowers diversity in at least two regions",
        _diversity_holds,
    ),
    Claim(
        _flip_text,
        "informal is ahead in the smallest pool, and formal is ahead in more "
        "conditions late than early",
        _flip_holds,
    ),
    Claim(
        _intensive_text,
        "at the most facilitation informal is ahead in every small pool and formal in every "
        "large one",
        _intensive_holds,
    ),
]


def _limit_lines() -> list[str]:
    return [
        "- **Stylised presets.** The six region presets are stylised readings of the RESIST "
        "piloting summary: apart from Västerbotten's starting core of 4–5 actors and Hamburg's "
        "funding to 2030, every number in them is an assumption (see the preset files and "
        "docs/ODD.md section 6). The results describe what the model's mechanisms do with these "
        "numbers, not what happened or will happen in the regions.",
        "- **A few assumed numbers decide the comparison** (docs/ODD.md Appendix A): shared "
        f"governance coordinates {G.capacity_informal:g} members, a lead organisation "
        f"{G.capacity_lead:g}, a paid office {G.capacity_formal:g}, each plus one per "
        f"{G.hours_per_capacity:g} facilitation hours; the office costs {G.office_cost:,.0f} EUR "
        f"a month for {G.office_staff:g} FTE of staff, a share {G.office_recruit_share:g} of whose "
        "time goes to consultations that recruit; a formal cluster charges "
        f"{G.formal_fee:g} EUR per member and admits only "
        f"organisations with capacity of at least {G.entry_min_capacity:g}; strain divides the "
        f"shared value of membership by (1 + strain) and costs {W_STRAIN:g} of project success "
        "per unit. None of these is measured. A larger informal capacity (say, good digital "
        "coordination), a cheaper office, an office that does not recruit or no entry "
        "criterion would move the boundaries of the flip map; a pool that never outgrows the "
        "informal capacity never meets the ceiling.",
        "- **Funding is held fixed.** Every cell has the same committed grant (`committed_2030`: "
        "8,000 EUR a month to the end of 2030), which pays a formal office in full until then. "
        "Without such money an office lives on fees alone, and early formalisation does worse "
        "(the model's pattern test P3: in a small unfunded pool informal governance ends with "
        "more members; docs/ODD.md 1.2). Study 2 varies funding, under gradual structuring only.",
        "- **Membership is the main yardstick.** 'Informal beats formal' is measured here mostly "
        "by members; on diversity formal governance can lose where on membership it wins. Which "
        "outcome matters is a choice the model does not make.",
        "- **What is not modelled:** clusters never de-formalise; leaders do not change; an "
        "office brings no legitimacy beyond its recruiting and larger project grants (and there "
        "are no project grants in this study); an informal network's members recruit only "
        "through events and word of mouth, never one to one; `gradual` formalises by a fixed rule "
        f"({G.formalise_min_members} members, trust {G.formalise_min_trust:g}), not by a "
        "decision of its members; organisations judge membership by the current month only.",
        "- **What the intervals mean.** The 95% intervals describe the model's randomness over "
        "the replicates, with fixed seeds, not uncertainty about the assumed numbers; the "
        "global sensitivity analysis (docs/ODD.md section 8) addresses those. Many differences "
        "are large in standardised terms because the replicate-to-replicate variation of a "
        "stylised model is small; read the differences in members, not d, for their size.",
    ]
