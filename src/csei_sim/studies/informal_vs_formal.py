"""Study 1 (Q1): informal networks vs early formalisation, gradual structuring, a lead organisation.

Two designs, both with the same funding and facilitation everywhere so that only governance and
the region differ:

- *main*: the four governance modes x the six seed-region presets, ``replicates`` runs per cell;
  outcomes compared with informal governance as the reference (paired differences and d, 95% CIs);
- *flip*: informal vs formal in the generic region while pool size, initial trust and facilitation
  hours vary, to map where the answer on membership flips.

:data:`STUDY` plugs its steps into :mod:`csei_sim.studies.scaffold`; :func:`run` runs (or
resumes) both designs and writes the report; :data:`FULL` and :data:`QUICK` are the committed
study and the README's main job.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

import pandas as pd

from csei_sim.studies import plots, scaffold
from csei_sim.studies import reporting as rp
from csei_sim.studies.design import BASE_SEED, Grid
from csei_sim.studies.effects import EFFECT_COLUMNS, compare
from csei_sim.studies.informal_vs_formal_text import conclusions, headline, limits
from csei_sim.studies.outcomes import add_members_at, add_time_to_critical_mass, members_at

REGIONS = ("agder", "hamburg", "pomorskie", "kurzeme", "vasterbotten", "voru")
MODES = ("informal", "gradual", "formal", "lead_organisation")
REFERENCE = "informal"


@dataclass(frozen=True)
class Design:
    """What study 1 runs; :data:`FULL` is the committed study."""

    name: str = "informal_vs_formal"
    regions: tuple[str, ...] = REGIONS
    modes: tuple[str, ...] = MODES
    replicates: int = 30
    funding: str = "committed_2030"
    facilitation: str = "light"
    steps: int = 144
    months: tuple[str, str] = ("2030-12", "2035-12")  # membership is compared at these dates
    flip_region: str = "generic"
    flip_sizes: tuple[int, ...] = (20, 40, 80, 160)
    flip_trusts: tuple[float, ...] = (0.3, 0.45, 0.6)
    flip_hours: tuple[float, ...] = (0.0, 40.0, 120.0)
    flip_replicates: int = 20

    def main_grid(self) -> Grid:
        fixed = {"funding": self.funding, "facilitation": self.facilitation}
        return Grid({"region": self.regions, "governance": self.modes}, fixed, self._steps())

    def flip_grid(self) -> Grid:
        factors = {
            "facilitation_hours": self.flip_hours,
            "initial_trust": self.flip_trusts,
            "n_organisations": self.flip_sizes,
            "governance": (REFERENCE, "formal"),
        }
        fixed = {"region": self.flip_region, "funding": self.funding}
        return Grid(factors, {**fixed, "facilitation": self.facilitation}, self._steps())

    def _steps(self) -> dict[str, int]:
        return {"steps": self.steps}

    def n_runs(self) -> int:
        """Simulations in both designs."""
        flip = len(self.flip_sizes) * len(self.flip_trusts) * len(self.flip_hours) * 2
        return len(self.regions) * len(self.modes) * self.replicates + flip * self.flip_replicates

    def outcomes(self) -> dict[str, str]:
        """Outcome column -> its name in tables and figures."""
        early, late = self.months
        return {
            "months_to_critical_mass": "time to critical mass (months)",
            members_at(early): f"members at end of {early}",
            members_at(late): f"members at end of {late}",
            "mean_diversity": "sector diversity (mean Blau index)",
            "joint_projects": "joint projects",
            "survival_after_funding": "survival after funding ends",
            "cost_per_project": "cost per joint project (EUR)",
        }


FULL = Design()
QUICK = replace(
    FULL,
    name="quick",
    regions=("hamburg", "pomorskie", "vasterbotten"),
    replicates=10,
    flip_sizes=(20, 60, 160),
    flip_trusts=(0.3, 0.6),
    flip_hours=(40.0,),
    flip_replicates=10,
)


@dataclass
class Results:
    """Everything the report shows, computed from the runs."""

    design: Design
    timeseries: pd.DataFrame  # main design
    summary: pd.DataFrame  # main design, with outcome columns
    effects: pd.DataFrame  # main design: each mode vs informal, per region and outcome
    flip: pd.DataFrame  # flip design: formal vs informal per cell and month
    flip_runs: pd.DataFrame  # flip design: one row per run, with members and aware at the dates
    runs: int


def prepare(summary: pd.DataFrame, timeseries: pd.DataFrame, design: Design) -> pd.DataFrame:
    """Add the compared outcomes (members at the dates, restricted time to critical mass)."""
    return add_time_to_critical_mass(add_members_at(summary, timeseries, design.months))


def grids(design: Design) -> dict[str, tuple[Grid, int]]:
    main, flip = design.main_grid(), design.flip_grid()
    return {"main": (main, design.replicates), "flip": (flip, design.flip_replicates)}


def analyse(design: Design, tidy: dict[str, scaffold.Runs]) -> Results:
    (ts, summary), (flip_ts, flip_summary) = tidy["main"], tidy["flip"]
    summary = prepare(summary, ts, design)
    effects = compare(summary, "governance", REFERENCE, list(design.outcomes()), by=["region"])
    flip_summary = add_members_at(
        prepare(flip_summary, flip_ts, design), flip_ts, design.months, "aware"
    )
    keys = ["facilitation_hours", "initial_trust", "n_organisations"]
    cells = compare(
        flip_summary, "governance", REFERENCE, [members_at(m) for m in design.months], by=keys
    )
    cells["month"] = cells["outcome"].map({members_at(m): m for m in design.months})
    runs = len(summary) + len(flip_summary)
    return Results(design, ts, summary, effects, cells, flip_summary, runs)


# -- report -------------------------------------------------------------------------------------


def sections(results: Results) -> list[str]:
    """The design and results sections (the scaffold adds conclusions, limits and files)."""
    return [
        *design_section(results.design),
        *results_section(results),
        *flip_section(results),
    ]


def write_figures(results: Results, folder: Path) -> dict[str, Path]:
    design = results.design
    ts = results.timeseries
    marks = {"2030-12-15": "funding ends"}
    figs = {
        "members": plots.trajectories(
            ts,
            "region",
            "governance",
            folder / "members_by_region.png",
            marks=marks,
            title="Members over time by region and governance mode (mean, 95% CI of the mean)",
        ),
        "forest": plots.forest(
            results.effects,
            design.outcomes(),
            "region",
            "governance",
            folder / "effects.png",
            title="Standardised difference vs informal governance (Cohen's d, 95% CI; "
            "axis logarithmic beyond +-1)",
        ),
        "flip": plots.flip_map(
            results.flip,
            "n_organisations",
            "initial_trust",
            "month",
            "facilitation_hours",
            folder / "flip_map.png",
            labels=FLIP_LABELS,
            title="Members, formal minus informal governance\nred: formal ahead, blue: "
            "informal ahead, hatched '?': 95% CI includes 0",
        ),
        "flip_runs": plots.strips(
            largest_pool(results),
            ["facilitation_hours", "initial_trust"],
            "governance",
            members_at(design.months[-1]),
            folder / "flip_runs.png",
            ylabel=f"members at end of {design.months[-1]}",
            xlabel="facilitation hours per month / initial trust",
            title=f"Every run in a pool of {max(design.flip_sizes)}: formal and informal",
        ),
    }
    return figs


def largest_pool(results: Results) -> pd.DataFrame:
    runs = results.flip_runs
    return runs[runs["n_organisations"] == runs["n_organisations"].max()]


FLIP_LABELS = {
    "n_organisations": "organisations in the pool",
    "initial_trust": "initial trust",
    "facilitation_hours": "facilitation h/month",
    "month": "members at end of",
    "difference": "members, formal minus informal",
}


def write_tables(results: Results, folder: Path) -> list[Path]:
    flip_keys = ["month", "facilitation_hours", "initial_trust", "n_organisations"]
    return [
        rp.write_csv(means_table(results, raw=True), folder / "outcome_means.csv"),
        rp.write_csv(
            results.effects[["region", "governance", "outcome", *EFFECT_COLUMNS]],
            folder / "effects_vs_informal.csv",
        ),
        rp.write_csv(results.flip[[*flip_keys, *EFFECT_COLUMNS]], folder / "flip_cells.csv"),
    ]


def design_section(design: Design) -> list[str]:
    outcomes = design.outcomes()
    return [
        "## Design",
        "",
        f"**Main comparison.** Governance modes {', '.join(f'`{m}`' for m in design.modes)} x "
        f"region presets {', '.join(f'`{r}`' for r in design.regions)}, {design.replicates} "
        f"replicates per cell, {design.steps} months from 2025-01. Every cell has the same "
        f"funding (`funding={design.funding}`) and facilitation "
        f"(`facilitation={design.facilitation}`), so only governance and the region preset "
        "differ; with a committed grant that ends, survival after funding ends is defined "
        "everywhere.",
        "",
        f"**Where the answer flips.** `informal` vs `formal` in the `{design.flip_region}` region "
        f"with pool size (`n_organisations`) in {_values(design.flip_sizes)}, initial trust "
        f"(`initial_trust`) in {_values(design.flip_trusts)} and facilitation hours per month "
        f"(`facilitation_hours`) in {_values(design.flip_hours)}; same funding and facilitation "
        f"split as above; {design.flip_replicates} replicates per cell.",
        "",
        f"**Seeds and statistics.** Base seed {BASE_SEED}; replicate r of every scenario runs "
        "with the same spawned seed (common random numbers), so scenarios are compared replicate "
        "by replicate: the mean paired difference with a t-based 95% confidence interval, and "
        "the standardised difference d (mean difference over the root mean square of the two "
        "scenarios' standard deviations) with a paired bootstrap 95% interval. A difference is "
        "called *higher*/*lower* when its interval excludes 0, else *undecided*; *identical "
        "runs* means every replicate gave the same value in both modes (a `gradual` cluster "
        "that never formalised runs exactly as an `informal` one with the same seed).",
        "",
        "**Outcomes** (from the run summary, see docs/ODD.md 7.12):",
        "",
        *rp.bullet_list(
            [
                f"{outcomes['months_to_critical_mass']}: first month with at least 15 members; "
                "runs that never get there count as the full horizon (a restricted mean), and "
                "the share of runs that got there is shown as well",
                f"{' and '.join(outcomes[members_at(m)] for m in design.months)}",
                f"{outcomes['mean_diversity']}: Blau index of the members' sectors (0 to 0.75), "
                "averaged over the months",
                f"{outcomes['joint_projects']}: successful joint projects over the whole run",
                f"{outcomes['survival_after_funding']}: members 24 months after the committed "
                "grant's last month divided by members in that month",
                f"{outcomes['cost_per_project']}: all spending (office, services and "
                "sponsor-paid facilitation) over the run divided by joint projects",
            ]
        ),
        "",
    ]


def _values(values) -> str:
    return ", ".join(f"{v:g}" for v in values)


def means_table(results: Results, raw: bool = False) -> pd.DataFrame:
    """Mean [95% CI] of every outcome per region and mode (raw: numeric columns instead)."""
    outcomes = {**results.design.outcomes(), "reached_critical_mass": "share reaching 15"}
    return scaffold.cell_means(results.summary, ["region", "governance"], outcomes, raw)


def results_section(results: Results) -> list[str]:
    lines = [
        "## Results",
        "",
        "### Membership over time",
        "",
        *rp.figure(
            "figures/members_by_region.png",
            "Members per month by region and governance mode: mean over replicates with "
            "the 95% confidence interval of the mean. Dotted: the committed grant ends.",
        ),
        "### Outcomes by region and governance mode",
        "",
        "Mean [95% confidence interval] over replicates.",
        "",
        rp.table(means_table(results)),
        "",
        "### Differences from informal governance",
        "",
        "Each cell: the mean paired difference (mode minus informal) [95% CI]; d = standardised "
        "difference. *(undecided)*: the interval includes 0.",
        "",
    ]
    for outcome, name in results.design.outcomes().items():
        lines += [f"**{name}**", "", rp.table(effect_matrix(results.effects, outcome)), ""]
    lines += rp.figure(
        "figures/effects.png",
        "Standardised differences from informal governance (d with paired "
        "bootstrap 95% interval) per outcome and region.",
    )
    return lines


def effect_matrix(effects: pd.DataFrame, outcome: str) -> pd.DataFrame:
    """Regions as rows, modes as columns, formatted effects as cells."""
    rows = effects[effects["outcome"] == outcome].copy()
    rows["cell"] = rows.apply(rp.effect_cell, axis=1)
    wide = rows.pivot(index="region", columns="governance", values="cell")
    wide = wide.reindex(
        index=list(dict.fromkeys(rows["region"])), columns=list(dict.fromkeys(rows["governance"]))
    )
    return wide.reset_index()


def flip_section(results: Results) -> list[str]:
    lines = [
        "### Where the answer flips",
        "",
        *rp.figure(
            "figures/flip_map.png",
            "Members under formal minus informal governance, by pool size (x), initial "
            "trust (y) and facilitation hours (columns), at the end of each comparison "
            "year (rows). Red: formal has more members; blue: informal has more; "
            "hatched with '?': the 95% CI of the paired difference includes 0.",
        ),
        "Pool sizes at which each mode is clearly ahead on membership (the 95% CI of the "
        "paired difference excludes 0):",
        "",
        rp.table(boundary_table(results.flip)),
        "",
        "Means hide that outcomes in large pools are bimodal: a cluster either takes off or "
        "stalls near its core. Each run of the largest pool:",
        "",
        *rp.figure(
            "figures/flip_runs.png",
            f"Members at the end of {results.design.months[-1]}, every run of the "
            f"largest pool ({max(results.design.flip_sizes)} organisations), by "
            "facilitation hours and initial trust (columns) and governance mode.",
        ),
    ]
    return lines


def boundary_table(cells: pd.DataFrame) -> pd.DataFrame:
    """Per month, facilitation hours and trust: pool sizes where each mode is clearly ahead."""
    rows = []
    keys = ["month", "facilitation_hours", "initial_trust"]
    for key, group in cells.groupby(keys, sort=True):
        verdict = group["verdict"].replace("identical", "undecided")
        sizes = {
            v: sorted(group.loc[verdict == v, "n_organisations"])
            for v in ("lower", "undecided", "higher")
        }
        rows.append(
            {
                "members at end of": key[0],
                "facilitation h/month": f"{key[1]:g}",
                "initial trust": f"{key[2]:g}",
                "informal ahead": _sizes(sizes["lower"]),
                "undecided": _sizes(sizes["undecided"]),
                "formal ahead": _sizes(sizes["higher"]),
            }
        )
    return pd.DataFrame(rows)


def _sizes(values: list) -> str:
    return ", ".join(str(int(v)) for v in values) or "–"


TITLE = "Study 1: informal networks vs early formalisation"
STUDY = scaffold.Study(
    TITLE, grids, analyse, write_figures, headline, sections, write_tables, conclusions, limits
)
