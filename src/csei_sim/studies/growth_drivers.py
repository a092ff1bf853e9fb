"""Growth drivers in a metropolitan alliance (preset ``hamburg``): members after the first year and
at the end of 2030 across pool size x office staff x funding horizon x governance."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from csei_sim.studies import growth_drivers_text as text
from csei_sim.studies import plots, scaffold
from csei_sim.studies import reporting as rp
from csei_sim.studies.design import BASE_SEED, Grid
from csei_sim.studies.outcomes import add_members_at, members_at, run_means

# office staff and funding horizon are variants: each level is a set of parameter values
COST_PER_FTE = 6000.0  # EUR a month per full-time office post: office_cost follows office_staff
OFFICES = {f"{x:g}": {"office_staff": x, "office_cost": COST_PER_FTE * x} for x in (0.5, 2, 4)}
GRANT = {"committed_amount": 8000.0, "committed_start": "2025-01"}
HORIZONS = {
    "none": {"committed_amount": 0.0},
    **{end: {**GRANT, "committed_end": end} for end in ("2026-12", "2030-12")},
}
FIRST, LATE = "2025-12", "2030-12"  # the end of the first year (step 12) and of 2030 (step 72)
FACTORS = ("n_organisations", "office", "funding_horizon", "governance")
OUTCOMES = {
    members_at(FIRST): f"members at end of {FIRST}",
    members_at(LATE): f"members at end of {LATE}",
    "growth_first_year": "joins per month in the first year",
}


@dataclass(frozen=True)
class Design:
    name: str = "growth_drivers"
    pools: tuple[int, ...] = (60, 120, 240)
    offices: dict[str, dict[str, float]] = field(default_factory=lambda: OFFICES)
    horizons: dict[str, dict[str, Any]] = field(default_factory=lambda: HORIZONS)
    modes: tuple[str, ...] = ("informal", "formal")
    replicates: int = 20
    steps: int = 72


def grids(d: Design) -> dict[str, tuple[Grid, int]]:
    factors = dict(zip(FACTORS, (d.pools, list(d.offices), list(d.horizons), d.modes), strict=True))
    choices = {"region": "hamburg", "funding": "none", "facilitation": "light"}
    variants = {"office": d.offices, "funding_horizon": d.horizons}
    return {"cells": (Grid(factors, choices, {"steps": d.steps}, variants), d.replicates)}


def analyse(d: Design, tidy: dict[str, scaffold.Runs]) -> scaffold.Results:
    ts, summary = tidy["cells"]
    summary = add_members_at(summary, ts, [FIRST, LATE])
    joins = run_means(ts[ts["step"] <= 12], ["joins"])["joins"]  # months 1 to 12
    summary["growth_first_year"] = summary["run"].map(joins)
    means = scaffold.cell_means(summary, FACTORS, OUTCOMES, raw=True)
    return scaffold.Results(d, summary, {"cell_means": means})


def figures(r: scaffold.Results, folder: Path) -> dict[str, Path]:
    means, facets = r.tables["cell_means"], ["funding_horizon", "governance"]
    return {
        key: plots.means_by(means, "n_organisations", "office", facets, key, folder, ylabel=name)
        for key, name in OUTCOMES.items()
    }


def headline(r: scaffold.Results) -> list[str]:
    late, m = members_at(LATE), r.tables["cell_means"]
    best, worst = m.loc[m[late].idxmax()], m.loc[m[late].idxmin()]
    cell = {i: ", ".join(f"{k}={m.loc[i, k]}" for k in FACTORS) for i in (best.name, worst.name)}
    return [
        f"Mean members at the end of {LATE} range from {rp.num(worst[late])} "
        f"({cell[worst.name]}) to {rp.num(best[late])} ({cell[best.name]}).",
        "",
    ]


def sections(r: scaffold.Results) -> list[str]:
    d, results = r.design, "## Results\n\nMean [95% CI] over all runs at each level of a factor:"
    lines = [
        "## Design",
        "",
        f"Region `hamburg`, funding `none` plus the horizon (a committed grant of 8000 EUR a "
        f"month from 2025-01), facilitation `light`; office staff cost {COST_PER_FTE:g} EUR a "
        f"month per FTE; {d.steps} months; {d.replicates} replicates per cell, base seed "
        f"{BASE_SEED}, the same seeds in every cell.\n\n{results}",
        "",
    ]
    for factor in FACTORS:
        lines += [rp.table(scaffold.cell_means(r.summary, [factor], OUTCOMES)), ""]
    for key, name in OUTCOMES.items():
        lines += rp.figure(f"figures/{key}.png", f"{name}: mean and 95% CI per cell")
    return lines


TITLE = "Growth drivers: pool size, office staff, funding horizon and governance"
STEPS = (grids, analyse, figures, headline, sections)
STUDY = scaffold.Study(TITLE, *STEPS, conclusions=text.conclusions, limits=text.limits)
FULL = Design()
