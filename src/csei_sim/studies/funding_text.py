"""The words and tables of study 2's report, computed where they cite numbers.

Explanations are :class:`~csei_sim.studies.claims.Claim` objects whose premises are checked
against the results, so that a changed model cannot leave a stale explanation in the report.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from csei_sim import presets
from csei_sim.experiment.stats import mean_ci
from csei_sim.studies import reporting as rp
from csei_sim.studies.effects import CORRECTION, D_MAX, MARGIN
from csei_sim.studies.outcomes import members_at
from csei_sim.studies.scaffold import cell_means


def describe_funding(name: str) -> str:
    """One line on what a funding preset pays, from its values (so it cannot drift from them)."""
    f = presets.load("funding", name)
    parts = []
    if f.get("committed_amount", 0) > 0:
        taper = f.get("taper_months", 0)
        parts.append(
            f"a committed grant of {f['committed_amount']:,.0f} EUR/month from "
            f"{f.get('committed_start', '2025-01')} to {f['committed_end']}"
            + (f", phased out linearly over its last {taper} months" if taper else "")
        )
    if f.get("grant_win_rate", 0) > 0:
        parts.append(
            f"project grants won with chance {f['grant_win_rate']:g} a month, "
            f"{f['grant_amount']:,.0f} EUR/month for {f['grant_duration']} months, at most "
            f"{f['max_concurrent_grants']} at once"
        )
    if f.get("membership_fee", 0) > 0:
        parts.append(f"a fee of {f['membership_fee']:g} EUR per member and month")
    return "; ".join(parts) or "no money of the cluster's own"


def design_section(results: Any) -> list[str]:
    d = results.design
    return [
        "## Design",
        "",
        f"**Funding scenarios.** {len(d.scenarios)} funding presets x region presets "
        f"{', '.join(f'`{r}`' for r in d.regions)}, {d.replicates} replicates per cell, "
        f"{d.steps} months from 2025-01, all under `governance={d.governance}` (informal until "
        "15 members with mean trust 0.35, then an office with fees and an entry criterion) and "
        f"`facilitation={d.facilitation}` (paid by a sponsor in every scenario, so facilitation "
        "does not depend on the cluster's money). What each scenario pays:",
        "",
        *rp.bullet_list(f"`{s}`: {describe_funding(s)}" for s in d.scenarios),
        "",
        "Scenarios share their replicate seeds, so each is compared with `none` replicate by "
        "replicate (mean paired difference with a t-based 95% CI; standardised difference d with "
        f"a paired bootstrap 95% interval, left out where |d| > {D_MAX:g}, the runs not "
        "overlapping). Verdicts come from the paired t-tests of each outcome, adjusted "
        f"({CORRECTION}) over the outcome's comparisons, and an equivalence test (TOST) against "
        f"a margin of {MARGIN:g} of the larger mean: "
        "*equivalent* when the difference is inside it, *undecided* when neither test decides "
        "(docs/ODD.md 8.3).",
        "",
    ]


def means_table(summary: pd.DataFrame, by: list[str], columns: dict[str, str]) -> pd.DataFrame:
    """Mean [95% CI] of each column per group (t-based for every column, shares too)."""
    return cell_means(summary, by, columns, shares=(), count=False)


def effect_matrix(effects: pd.DataFrame, outcome: str, column: str) -> pd.DataFrame:
    rows = effects[effects["outcome"] == outcome].copy()
    rows["cell"] = rows.apply(rp.effect_cell, axis=1)
    wide = rows.pivot(index="region", columns=column, values="cell")
    return wide.reindex(columns=list(dict.fromkeys(rows[column]))).reset_index()


def results_text(results: Any) -> list[str]:
    d = results.design
    outcomes = {
        **d.outcomes(),
        "reached_critical_mass": "share reaching 15",
        "mean_planning_stability": f"mean planning stability to {d.months[1]}",
    }
    lines = [
        "## Results",
        "",
        "### Growth and membership after the money stops",
        "",
        *rp.figure(
            "figures/members_by_scenario.png",
            "Members per month by funding scenario: mean over replicates with the 95% "
            "confidence interval of the mean. Dotted: the cliff grant ends (2027-12), the "
            "2030 grant ends (2030-12).",
        ),
        "Mean [95% CI] over replicates:",
        "",
        rp.table(means_table(results.summary, ["region", "funding"], outcomes)),
        "",
        "Survival after funding ends is defined only where a committed grant ends "
        "(`committed_2030`, `cliff`, `taper`): members 24 months after its last month over "
        "members in that month.",
        "",
        "### Differences from no funding",
        "",
        "Each cell: mean paired difference (scenario minus `none`) [unadjusted 95% CI]; d = "
        "standardised difference; *(undecided)*: no adjusted test decides; *(equivalent)*: "
        "within the equivalence margin.",
        "",
    ]
    from csei_sim.studies.funding_scenarios import compared

    for outcome, name in compared(d).items():
        lines += [
            f"**{name}**",
            "",
            rp.table(effect_matrix(results.effects, outcome, "funding")),
            "",
        ]
    lines += rp.figure(
        "figures/effects.png",
        "Standardised differences from no funding (d with paired bootstrap 95% "
        "interval) per outcome and region.",
    )
    return lines + income_text(results)


def income_text(results: Any) -> list[str]:
    from csei_sim.studies.funding_scenarios import SOURCES, income_mix

    mix = income_mix(results.summary)
    table = pd.DataFrame(
        {
            "region": mix["region"],
            "funding": mix["funding"],
            **{name: mix[col].map(lambda v: f"{v:,.0f}") for col, name in SOURCES.items()},
            "share of own income from fees": mix["income_fees_share"].map(
                lambda v: "–" if pd.isna(v) else f"{v:.0%}"
            ),
        }
    )
    return [
        "### Income mix",
        "",
        "Mean income over the whole run by source, thousand EUR. *Own income* is all income but "
        "the sponsor's payment for facilitation (the same in every scenario).",
        "",
        rp.table(table),
        "",
        *rp.figure(
            "figures/income_mix.png",
            "Income over the run by source (mean over "
            "replicates), per region and funding scenario.",
        ),
    ]


def construction(results: Any) -> list[str]:
    """How the two arms get the same expected money, with the design's numbers."""
    from csei_sim.studies.funding_scenarios import ARMS, grant_amount, stability_arms

    d = results.design
    total = f"{d.amount * d.steps:,.0f}"
    end = stability_arms(d)[ARMS[0]]["committed_end"]
    return [
        "**Construction: the same expected money, two ways.** Both arms receive, in "
        f"expectation, {d.amount:,.0f} EUR a month over the {d.steps} simulated months, "
        f"{total} EUR in all:",
        "",
        f"- `{ARMS[0]}`: a committed grant of {d.amount:,.0f} EUR/month from 2025-01 to {end}, "
        "beyond the run, so that in every simulated month at least "
        f"{max(d.horizons)} months (the planning horizon) are guaranteed; the run receives "
        f"exactly {total} EUR.",
        f"- `{ARMS[1]}`: no commitment; a project grant of g = {grant_amount(d):,.2f} EUR/month "
        f"for D = {d.grant_months} months is won with chance r = {d.win_rate:g} each month. At "
        f"most one grant is won a month, the cap on concurrent grants is set to D so that it "
        "never binds, and one member suffices to apply, so the expected income in month t is "
        f"r x g x min(t, D). g solves r x g x (sum over t = 1..{d.steps} of min(t, D)) = "
        f"{total}; in steady state about {d.win_rate * d.grant_months:g} grants run at once, "
        "and the realised total varies from run to run.",
        "- Both: no membership fee preset and `formal_grant_multiplier` = 1 (a cluster that "
        "formalises gets no larger grants); everything else as in the scenarios above.",
        "",
        "Members value external money by how much of it is guaranteed for the planning horizon "
        "(docs/ODD.md 7.1 step 7 and 7.9: the funding value is scaled by 0.5 + 0.5 x planning "
        f"stability). Each arm is run with the default horizon of {d.horizons[0]} months and "
        f"with a horizon of {d.horizons[1]} month, under which nearly every euro counts as "
        "guaranteed: the second pair isolates what the two money streams do through the budget "
        "alone (timing and variability of income and services). The *planning-stability "
        "effect* is the first contrast minus the second, replicate by replicate.",
        "",
    ]


def contrast_table(results: Any) -> pd.DataFrame:
    """Contrasts per region (rows) and outcome (columns), formatted."""
    d = results.design
    names = {
        "mean_planning_stability": f"mean planning stability to {d.months[1]}",
        "external_income": "external income (EUR)",
        members_at(d.months[1]): f"members at end of {d.months[1]}",
        members_at(d.months[2]): f"members at end of {d.months[2]}",
    }
    contrast = results.contrasts.assign(
        cell=results.contrasts.apply(rp.effect_cell, axis=1),
        outcome=results.contrasts["outcome"].map(names),
    )
    wide = contrast.pivot_table(
        index=["region", "contrast"], columns="outcome", values="cell", aggfunc="first"
    )
    return wide.reindex(columns=list(names.values())).reset_index()


def stability_section(results: Any) -> list[str]:
    totals = means_table(
        results.stability,
        ["region", "planning_horizon", "arm"],
        {"external_income": "external income over the run (EUR)"},
    )
    return [
        "## The planning-stability effect of a guaranteed horizon",
        "",
        *construction(results),
        "Realised external income (a check of the construction), mean [95% CI]:",
        "",
        rp.table(totals),
        "",
        "Contrasts, mean paired difference [95% CI]; d standardised:",
        "",
        rp.table(contrast_table(results)),
        "",
        *rp.figure(
            "figures/stability_effect.png",
            "Committed up front minus uncertain grants: the contrast at each planning "
            "horizon and their difference (the planning-stability effect).",
        ),
        *rp.figure(
            "figures/stability_score.png",
            "Planning stability per month in each arm (mean, 95% CI of the mean).",
        ),
        *rp.figure(
            "figures/stability_members.png",
            "Members per month in each arm (mean, 95% CI of the mean).",
        ),
    ]


def _best(results: Any, outcome: str) -> list[str]:
    means = results.summary.groupby(["region", "funding"], sort=False)[outcome].mean()
    out = []
    for region in results.design.regions:
        ranked = means[region].sort_values(ascending=False)
        ranking = ", ".join(f"`{s}` {v:.0f}" for s, v in ranked.items())
        out.append(f"{rp.region_name(region)}: {ranking}")
    return out


def _survival(results: Any) -> list[str]:
    out = []
    for (region, scenario), group in results.summary.groupby(["region", "funding"], sort=False):
        mean, lo, hi, n = mean_ci(group["survival_after_funding"])
        if n:
            out.append(f"{rp.region_name(region)}, `{scenario}`: {rp.with_ci(mean, lo, hi)}")
    return out


def stability_effect(results: Any, outcome: str) -> pd.DataFrame:
    c = results.contrasts
    return c[(c["contrast"] == "planning-stability effect") & (c["outcome"] == outcome)]


def headline(results: Any) -> list[str]:
    d = results.design
    late = members_at(d.months[2])
    effect = stability_effect(results, members_at(d.months[1]))
    return [
        "**Question (Q2).** What does a funding scenario — no money, short project grants, a "
        "commitment to 2030 as in Hamburg, a cliff, a taper, fees only — do to growth and to "
        "survival after the money stops? And what is a guaranteed horizon worth, compared with "
        "the same money in uncertain short grants?",
        "",
        f"**Short answer** ({len(d.regions)} regions x {len(d.scenarios)} scenarios x "
        f"{d.replicates} replicates, plus the stability comparison):",
        "",
        f"- Members at end of {d.months[1]}, scenarios ranked by mean: "
        + "; ".join(_best(results, members_at(d.months[1])))
        + ".",
        f"- Members at end of {d.months[2]}: " + "; ".join(_best(results, late)) + ".",
        "- Survival 24 months after a committed grant ends, mean [95% CI]: "
        + "; ".join(_survival(results))
        + ".",
        *[
            f"- Planning-stability effect on members at end of {d.months[1]}, "
            f"{rp.region_name(row['region'])}: {rp.inline_effect(row)}."
            for _, row in effect.iterrows()
        ],
        "",
    ]
