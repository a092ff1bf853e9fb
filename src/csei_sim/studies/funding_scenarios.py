"""Study 2 (Q2): what funding scenarios do to growth and to survival after the money stops.

Two designs under the same governance (gradual structuring) and facilitation:

- *scenarios*: the six funding presets x the Hamburg and Västerbotten presets; outcomes compared
  with no funding as the reference, plus the income mix of each scenario;
- *stability*: the same expected money either committed up front or won as uncertain short
  project grants (see :func:`stability_arms` for how the two are made equal), each with members
  who value a guaranteed horizon (``planning_horizon`` 36 months) and with members who do not
  (1 month); the difference between the two contrasts is the planning-stability effect.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from csei_sim.months import month_index, month_label
from csei_sim.studies import over_posterior, plots, scaffold
from csei_sim.studies import reporting as rp
from csei_sim.studies.design import Grid
from csei_sim.studies.effects import EFFECT_COLUMNS, compare, paired
from csei_sim.studies.funding_claims import conclusions, limits
from csei_sim.studies.funding_text import (
    design_section,
    headline,
    results_text,
    stability_section,
)
from csei_sim.studies.outcomes import (
    add_members_at,
    add_time_to_critical_mass,
    members_at,
    run_means,
    run_totals,
)
from csei_sim.studies.over_posterior import NOISE

SCENARIOS = ("none", "project_grants", "committed_2030", "cliff", "taper", "fees_only")
REFERENCE = "none"
SOURCES = {
    "income_committed_grant": "committed grant",
    "income_project_grants": "project grants",
    "income_fees": "fees",
    "income_sponsor": "sponsor (facilitation)",
}
ARMS = ("committed_up_front", "uncertain_grants")
START = "2025-01"  # the model's default first month; every study run starts there


@dataclass(frozen=True)
class Design:
    """What study 2 runs; :data:`FULL` is the committed study."""

    name: str = "funding_scenarios"
    regions: tuple[str, ...] = ("hamburg", "vasterbotten")
    scenarios: tuple[str, ...] = SCENARIOS
    governance: str = "gradual"
    facilitation: str = "light"
    replicates: int = 30
    steps: int = 144
    months: tuple[str, str, str] = ("2026-12", "2030-12", "2035-12")  # early, funding end, late
    amount: float = 8000.0  # EUR/month committed in the stability comparison
    grant_months: int = 12  # duration of one uncertain grant
    win_rate: float = 0.25  # monthly chance of winning one
    horizons: tuple[int, int] = (36, 1)  # planning horizon valued by members; 1 = not valued
    # a calibration folder or prior:<case> the runs drew their free parameters from (None: the
    # presets' values); set by csei-sim-study --posterior / --prior
    posterior: str | None = None

    def scenario_grid(self) -> Grid:
        return Grid(
            {"region": self.regions, "funding": self.scenarios},
            choices={"governance": self.governance, "facilitation": self.facilitation},
            overrides={"steps": self.steps},
        )

    def stability_grid(self) -> Grid:
        return Grid(
            {"region": self.regions, "planning_horizon": self.horizons, "arm": ARMS},
            choices={
                "governance": self.governance,
                "facilitation": self.facilitation,
                "funding": "none",
            },
            overrides={"steps": self.steps},
            variants={"arm": stability_arms(self)},
        )

    def outcomes(self) -> dict[str, str]:
        early, end, late = self.months
        return {
            members_at(early): f"members at end of {early}",
            "months_to_critical_mass": "time to critical mass (months)",
            members_at(end): f"members at end of {end}",
            members_at(late): f"members at end of {late}",
            "change_after_2030": f"change in members {end} to {late}",
            "survival_after_funding": "survival after funding ends",
            "total_exits": "exits over the run",
        }


def grant_amount(design: Design) -> float:
    """Monthly amount of one uncertain grant that makes its expected total equal the commitment's.

    A grant is won with chance r each month and pays g in that month and the next D - 1, so the
    expected number of grants running in month t is r * min(t, D) (at most one is won a month and
    the cap on concurrent grants is set to D, so it never binds). Over T months the expected total
    is r * g * sum_t min(t, D); the commitment pays amount * T. Setting them equal gives g.
    """
    t = np.arange(1, design.steps + 1)
    months_running = np.minimum(t, design.grant_months).sum()
    return design.amount * design.steps / (design.win_rate * months_running)


def stability_arms(design: Design) -> dict[str, dict[str, object]]:
    """The two ways of paying the same expected money, as parameter values."""
    # pays to the month that leaves a full planning horizon guaranteed in the run's last month
    committed_last = month_label(month_index(START) - 1 + design.steps + max(design.horizons))
    common = {"membership_fee": 0.0, "formal_grant_multiplier": 1.0}
    return {
        "committed_up_front": {
            **common,
            "committed_amount": design.amount,
            "committed_start": START,
            "committed_end": committed_last,
            "grant_win_rate": 0.0,
        },
        "uncertain_grants": {
            **common,
            "committed_amount": 0.0,
            "grant_win_rate": design.win_rate,
            "grant_amount": round(grant_amount(design), 2),
            "grant_duration": design.grant_months,
            "max_concurrent_grants": design.grant_months,
            "grant_min_members": 1,
        },
    }


FULL = Design()


@dataclass
class Results:
    """Everything the report shows, computed from the runs."""

    design: Design
    timeseries: pd.DataFrame  # scenario design
    summary: pd.DataFrame  # scenario design, with outcome columns and income totals
    effects: pd.DataFrame  # each scenario vs none, per region and outcome
    stability_ts: pd.DataFrame
    stability: pd.DataFrame  # stability design summary
    contrasts: pd.DataFrame  # committed - grants per region and horizon, and their difference
    runs: int
    predictive: pd.DataFrame | None = None  # over a posterior: prediction intervals and shares


def prepare(summary: pd.DataFrame, ts: pd.DataFrame, design: Design) -> pd.DataFrame:
    """Outcome columns, income totals by source and mean planning stability to the funding end."""
    out = add_time_to_critical_mass(add_members_at(summary, ts, design.months))
    out["change_after_2030"] = out[members_at(design.months[2])] - out[members_at(design.months[1])]
    totals = run_totals(ts, list(SOURCES))
    out = out.join(totals, on="run")
    out["external_income"] = out["income_committed_grant"] + out["income_project_grants"]
    funded = ts[ts["date"] <= design.months[1]]
    means = run_means(funded, ["planning_stability", "service_level"]).add_prefix("mean_")
    return out.join(means, on="run")


def grids(design: Design) -> dict[str, tuple[Grid, int]]:
    parts = {"scenarios": design.scenario_grid(), "stability": design.stability_grid()}
    return {name: (grid, design.replicates) for name, grid in parts.items()}


def analyse(design: Design, tidy: dict[str, scaffold.Runs]) -> Results:
    (ts, summary), (sts, ssum) = tidy["scenarios"], tidy["stability"]
    summary = prepare(summary, ts, design)
    effects = compare(summary, "funding", REFERENCE, list(design.outcomes()), by=["region"])
    ssum = prepare(ssum, sts, design)
    contrasts = stability_contrasts(ssum, design)
    results = Results(design, ts, summary, effects, sts, ssum, contrasts, len(summary) + len(ssum))
    noise = tidy.get(f"{NOISE}scenarios")
    if design.posterior is not None and noise is not None:
        results.predictive = over_posterior.predictive(
            summary, prepare(noise[1], noise[0], design), ["region", "funding"], compared(design)
        )
    return results


STABILITY_OUTCOMES = ("mean_planning_stability", "external_income")


def stability_contrasts(summary: pd.DataFrame, design: Design) -> pd.DataFrame:
    """Committed minus grants per region and horizon, and the difference between the horizons."""
    outcomes = [*STABILITY_OUTCOMES, members_at(design.months[1]), members_at(design.months[2])]
    per_horizon = compare(summary, "arm", ARMS[1], outcomes, by=["region", "planning_horizon"])
    rows = [
        per_horizon.assign(
            contrast=per_horizon["planning_horizon"].map(
                lambda h: f"committed - grants, horizon {h}"
            )
        )
    ]
    valued, unvalued = design.horizons
    for region, group in summary.groupby("region", sort=False):
        wide = group.pivot_table(
            index="replicate", columns=["planning_horizon", "arm"], values=outcomes, aggfunc="first"
        )
        for outcome in outcomes:
            diff = {
                h: wide[(outcome, h, ARMS[0])] - wide[(outcome, h, ARMS[1])]
                for h in design.horizons
            }
            stats = paired(diff[valued], diff[unvalued])
            rows.append(
                pd.DataFrame(
                    [
                        {
                            "region": region,
                            "outcome": outcome,
                            "contrast": "planning-stability effect",
                            **stats,
                        }
                    ]
                )
            )
    return pd.concat(rows, ignore_index=True)


# -- report -------------------------------------------------------------------------------------


def sections(results: Results) -> list[str]:
    """The design and results sections (the scaffold adds conclusions, limits and files)."""
    return [
        *posterior_section(results),
        *design_section(results),
        *results_text(results),
        *stability_section(results),
    ]


def posterior_section(results: Results) -> list[str]:
    """Prediction intervals and the parameters' share of the spread, over a posterior only."""
    if results.predictive is None:
        return []
    from csei_sim.calibration.posterior import source

    d = results.design
    return over_posterior.section(
        results.predictive, source(d.posterior), ["region", "funding"], members_at(d.months[1])
    )


MARKS = {"2027-12-15": "cliff grant ends", "2030-12-15": "2030 grant ends"}


def write_figures(results: Results, folder: Path) -> dict[str, Path]:
    d = results.design
    sts = results.stability_ts.assign(
        panel=lambda f: (
            f["region"]
            + ", planning horizon "
            + f["planning_horizon"].map(lambda h: f"{h} month" + ("s" if h != 1 else ""))
        )
    )
    return {
        "members": plots.trajectories(
            results.timeseries,
            "region",
            "funding",
            folder / "members_by_scenario.png",
            marks=MARKS,
            cols=2,
            title="Members over time by funding scenario (mean, 95% CI of the mean)",
        ),
        "income": plots.stacked_bars(
            income_mix(results.summary),
            ["region", "funding"],
            {k: v for k, v in SOURCES.items()},
            folder / "income_mix.png",
            xlabel="income over the 144 months, thousand EUR (mean over replicates)",
            title="Income mix by funding scenario",
        ),
        "forest": plots.forest(
            results.effects,
            compared(d),
            "region",
            "funding",
            folder / "effects.png",
            cols=3,
            title="Standardised difference vs no funding (Cohen's d, 95% CI; axis logarithmic "
            "beyond +-1)",
        ),
        "stability_members": plots.trajectories(
            sts,
            "panel",
            "arm",
            folder / "stability_members.png",
            cols=2,
            title="Same expected money, committed up front or in uncertain grants: members",
        ),
        "stability_score": plots.trajectories(
            sts,
            "panel",
            "arm",
            folder / "stability_score.png",
            cols=2,
            value="planning_stability",
            ylabel="planning stability",
            title="Planning stability (guaranteed share of the planning horizon)",
        ),
        "contrasts": plots.intervals(
            results.contrasts[
                results.contrasts["outcome"].isin([members_at(m) for m in d.months[1:]])
            ],
            "region",
            "contrast",
            {members_at(m): f"members at end of {m}" for m in d.months[1:]},
            folder / "stability_effect.png",
            xlabel="difference in members",
            title="Committed up front minus uncertain grants (difference, 95% CI)",
        ),
    }


def compared(design: Design) -> dict[str, str]:
    """Outcomes compared with no funding (survival is undefined without a grant that ends)."""
    return {k: v for k, v in design.outcomes().items() if k != "survival_after_funding"}


def income_mix(summary: pd.DataFrame) -> pd.DataFrame:
    """Mean income by source per region and scenario, in thousand EUR, with own-income shares."""
    mix = summary.groupby(["region", "funding"], sort=False)[list(SOURCES)].mean() / 1000
    own = mix[["income_committed_grant", "income_project_grants", "income_fees"]]
    shares = own.div(own.sum(axis=1).replace(0, np.nan), axis=0).add_suffix("_share")
    return mix.join(shares).reset_index()


def write_tables(results: Results, folder: Path) -> list[Path]:
    effects = results.effects[["region", "funding", "outcome", *EFFECT_COLUMNS]]
    contrasts = results.contrasts[["region", "contrast", "outcome", *EFFECT_COLUMNS]]
    written = [
        rp.write_csv(effects, folder / "effects_vs_none.csv"),
        rp.write_csv(income_mix(results.summary), folder / "income_mix.csv"),
        rp.write_csv(contrasts, folder / "stability_contrasts.csv"),
    ]
    if results.predictive is not None:
        written.append(rp.write_csv(results.predictive, folder / "predictive.csv"))
    return written


TITLE = "Study 2: funding scenarios, and the value of a guaranteed horizon"
STUDY = scaffold.Study(
    TITLE, grids, analyse, write_figures, headline, sections, write_tables, conclusions, limits
)
