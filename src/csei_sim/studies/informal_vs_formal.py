"""Study 1 (Q1): informal networks vs early formalisation, gradual structuring, a lead organisation.

Two designs, with the same facilitation everywhere so that only governance, funding and the region
differ:

- *main*: the four governance modes x the funding conditions (none, project grants, a committed
  grant to 2030) x the six seed-region presets, ``replicates`` runs per cell; outcomes compared
  with informal governance as the reference within each region and funding condition (paired
  differences with 95% CIs, p-values adjusted over each outcome's family of comparisons, an
  equivalence margin for "no practical difference");
- *flip*: informal vs formal in the generic region while pool size, initial trust and the funding
  condition vary, to map where the answer on membership flips.

The short answer is computed per funding condition (:mod:`csei_sim.studies.informal_vs_formal_text`
renders it from Jinja2 templates): where informal is ahead early, where a structured mode is ahead
later, and where the answer flips between the two dates.

:data:`STUDY` plugs its steps into :mod:`csei_sim.studies.scaffold`; :func:`run` runs (or
resumes) both designs and writes the report; :data:`FULL` and :data:`QUICK` are the committed
study and the README's main job.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

import pandas as pd

from csei_sim.experiment.stats import CORRECTIONS
from csei_sim.params import Params, critical_mass_count
from csei_sim.studies import plots, scaffold
from csei_sim.studies import reporting as rp
from csei_sim.studies.design import BASE_SEED, Grid
from csei_sim.studies.effects import (
    CORRECTION,
    D_MAX,
    EFFECT_COLUMNS,
    MARGIN,
    check_margin,
    compare,
)
from csei_sim.studies.informal_vs_formal_text import conclusions, headline, limits
from csei_sim.studies.outcomes import add_members_at, add_time_to_critical_mass, members_at

REGIONS = ("agder", "hamburg", "pomorskie", "kurzeme", "vasterbotten", "voru")
MODES = ("informal", "gradual", "formal", "lead_organisation")
FUNDINGS = ("none", "project_grants", "committed_2030")  # presets in configs/funding
REFERENCE = "informal"


@dataclass(frozen=True)
class Design:
    """What study 1 runs; :data:`FULL` is the committed study."""

    name: str = "informal_vs_formal"
    regions: tuple[str, ...] = REGIONS
    modes: tuple[str, ...] = MODES
    fundings: tuple[str, ...] = FUNDINGS
    replicates: int = 30
    facilitation: str = "light"
    steps: int = 144
    months: tuple[str, str] = ("2026-12", "2035-12")  # early and late: members compared at both
    flip_region: str = "generic"
    flip_sizes: tuple[int, ...] = (20, 40, 80, 160)
    flip_trusts: tuple[float, ...] = (0.3, 0.45, 0.6)
    flip_hours: float = 40.0  # facilitation hours per month in the flip design
    flip_replicates: int = 20
    correction: str = CORRECTION  # over each outcome's family of comparisons: holm, bh or none
    margin: float = MARGIN  # equivalence margin, a share of the larger mean

    def __post_init__(self) -> None:
        check_margin(self.margin)
        if self.correction not in CORRECTIONS:
            raise ValueError(f"correction: {self.correction!r} is not one of: {CORRECTIONS}")
        unknown = [f for f in self.fundings if f not in FUNDINGS]
        if unknown or not self.fundings:
            raise ValueError(f"fundings: {unknown} not among {', '.join(FUNDINGS)}")
        if REFERENCE not in self.modes:
            raise ValueError(f"modes: the reference {REFERENCE!r} must be one of them")

    def main_grid(self) -> Grid:
        factors = {"region": self.regions, "funding": self.fundings, "governance": self.modes}
        return Grid(factors, {"facilitation": self.facilitation}, self._steps())

    def flip_grid(self) -> Grid:
        factors = {
            "funding": self.fundings,
            "initial_trust": self.flip_trusts,
            "n_organisations": self.flip_sizes,
            "governance": (REFERENCE, "formal"),
        }
        fixed = {"region": self.flip_region, "facilitation": self.facilitation}
        return Grid(factors, fixed, {**self._steps(), "facilitation_hours": self.flip_hours})

    def _steps(self) -> dict[str, int]:
        return {"steps": self.steps}

    def n_runs(self) -> int:
        """Simulations in both designs."""
        main = len(self.regions) * len(self.fundings) * len(self.modes) * self.replicates
        flip = len(self.flip_sizes) * len(self.flip_trusts) * len(self.fundings) * 2
        return main + flip * self.flip_replicates

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
    replicates=6,
    flip_sizes=(20, 160),
    flip_trusts=(0.45,),
    flip_replicates=6,
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
    options = {"correction": design.correction, "margin": design.margin}
    effects = compare(
        summary,
        "governance",
        REFERENCE,
        list(design.outcomes()),
        by=["region", "funding"],
        **options,
    )
    flip_summary = add_members_at(
        prepare(flip_summary, flip_ts, design), flip_ts, design.months, "aware"
    )
    keys = ["funding", "initial_trust", "n_organisations"]
    cells = compare(
        flip_summary,
        "governance",
        REFERENCE,
        [members_at(m) for m in design.months],
        by=keys,
        **options,
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


def cell_label(frame: pd.DataFrame) -> pd.Series:
    """``hamburg, none``: a region and funding condition as one label (rows of the figures)."""
    return frame["region"].astype(str) + ", " + frame["funding"].astype(str)


def write_figures(results: Results, folder: Path) -> dict[str, Path]:
    design = results.design
    ts = results.timeseries.assign(cell=lambda t: cell_label(t))
    effects = results.effects.assign(cell=lambda e: cell_label(e))
    marks = {"2030-12-15": "committed grant ends"}
    return {
        "members": plots.trajectories(
            ts,
            "cell",
            "governance",
            folder / "members_by_region.png",
            marks=marks,
            cols=len(design.fundings),
            title="Members over time by region, funding condition and governance mode "
            "(mean, 95% CI of the mean)",
        ),
        "forest": plots.forest(
            effects,
            design.outcomes(),
            "cell",
            "governance",
            folder / "effects.png",
            value="difference",
            title="Paired difference from informal governance (mean, 95% CI), by region and "
            "funding condition",
        ),
        "flip": plots.flip_map(
            results.flip,
            "n_organisations",
            "initial_trust",
            "month",
            "funding",
            folder / "flip_map.png",
            labels=FLIP_LABELS,
            title="Members, formal minus informal governance\nred: formal ahead, blue: "
            "informal ahead, hatched '?': undecided or equivalent",
        ),
        "flip_runs": plots.strips(
            largest_pool(results),
            ["funding", "initial_trust"],
            "governance",
            members_at(design.months[-1]),
            folder / "flip_runs.png",
            ylabel=f"members at end of {design.months[-1]}",
            xlabel="funding condition / initial trust",
            title=f"Every run in a pool of {max(design.flip_sizes)}: formal and informal",
        ),
    }


def largest_pool(results: Results) -> pd.DataFrame:
    runs = results.flip_runs
    return runs[runs["n_organisations"] == runs["n_organisations"].max()]


FLIP_LABELS = {
    "n_organisations": "organisations in the pool",
    "initial_trust": "initial trust",
    "funding": "funding",
    "month": "members at end of",
    "difference": "members, formal minus informal",
}
FLIP_KEYS = ["month", "funding", "initial_trust", "n_organisations"]
STAT_COLUMNS = [*EFFECT_COLUMNS, "p_value", "p_equivalent", "d_dropped"]


def write_tables(results: Results, folder: Path) -> list[Path]:
    return [
        rp.write_csv(means_table(results, raw=True), folder / "outcome_means.csv"),
        rp.write_csv(
            results.effects[["region", "funding", "governance", "outcome", *STAT_COLUMNS]],
            folder / "effects_vs_informal.csv",
        ),
        rp.write_csv(results.flip[[*FLIP_KEYS, *STAT_COLUMNS]], folder / "flip_cells.csv"),
    ]


def design_section(design: Design) -> list[str]:
    outcomes = design.outcomes()
    share = Params().critical_mass_share
    correction = {"holm": "Holm's", "bh": "the Benjamini-Hochberg", "none": "no"}[design.correction]
    return [
        "## Design",
        "",
        f"**Main comparison.** Governance modes {_codes(design.modes)} x funding conditions "
        f"{_codes(design.fundings)} x region presets {_codes(design.regions)}, "
        f"{design.replicates} replicates per cell, {design.steps} months from 2025-01. "
        f"Facilitation is the same everywhere (`facilitation={design.facilitation}`). The "
        "funding condition is a factor of the design because the answer depends on it: an "
        "office lives on fees alone without money, and a committed grant pays it in full. "
        "Survival after funding ends is defined only where a committed grant ends.",
        "",
        f"**Where the answer flips.** `informal` vs `formal` in the `{design.flip_region}` region "
        f"with pool size (`n_organisations`) in {_values(design.flip_sizes)}, initial trust "
        f"(`initial_trust`) in {_values(design.flip_trusts)} and each funding condition, "
        f"{design.flip_hours:g} facilitation hours a month; {design.flip_replicates} replicates "
        "per cell.",
        "",
        f"**Seeds and statistics.** Base seed {BASE_SEED}; replicate r of every scenario runs "
        "with the same spawned seed (common random numbers), so scenarios are compared replicate "
        "by replicate: the mean paired difference with a t-based 95% confidence interval and a "
        "paired t-test. The comparisons of one outcome (every mode, region and funding "
        f"condition: one family) are adjusted with {correction} correction. A second test, two "
        "one-sided t-tests (TOST), asks whether the difference lies within "
        f"+-{design.margin:g} of the larger of the two means: if so (adjusted p < 0.05) the "
        "verdict is *equivalent*, no practical difference. Otherwise the verdict is *higher* or "
        "*lower* when the adjusted paired test is below 0.05, else *undecided*; *identical "
        "runs* means every replicate gave the same value in both modes (a `gradual` cluster "
        "that never formalised runs exactly as an `informal` one with the same seed). The "
        "intervals shown are unadjusted 95% intervals. A standardised difference d is given "
        f"only where |d| <= {D_MAX:g}: beyond that the runs of the two modes do not overlap, d "
        "measures how small the spread of a stylised model is rather than how large the effect "
        "is, and the raw difference is the effect to read.",
        "",
        "**Outcomes** (from the run summary, see docs/ODD.md 7.12):",
        "",
        *rp.bullet_list(
            [
                f"{outcomes['months_to_critical_mass']}: first month with at least the critical "
                f"mass of members, a share {share:g} of the pool (at least 2; the count for each "
                "region is in the table of outcomes); runs that never get there count as the "
                "full horizon (a restricted mean), and the share of runs that got there is "
                "shown as well",
                f"{' and '.join(outcomes[members_at(m)] for m in design.months)}: the early "
                "and the late date of the comparison",
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


def _codes(values) -> str:
    return ", ".join(f"`{v}`" for v in values)


def _values(values) -> str:
    return ", ".join(f"{v:g}" for v in values)


def means_table(results: Results, raw: bool = False) -> pd.DataFrame:
    """Mean [95% CI] of every outcome per region, funding and mode (raw: numeric columns), with
    the critical mass as a share of the pool and as a count beside it."""
    share = {"reached_critical_mass": "share reaching critical mass"}
    outcomes = {**results.design.outcomes(), **share}
    keys = ["region", "funding", "governance"]
    table = scaffold.cell_means(results.summary, keys, outcomes, raw)
    first = results.summary.groupby(keys, sort=False).first().reset_index()
    count = [
        critical_mass_count(s, n)
        for s, n in zip(first["critical_mass_share"], first["n_organisations"], strict=True)
    ]
    table.insert(3, "pool", first["n_organisations"].to_numpy())
    table.insert(4, "critical mass share", first["critical_mass_share"].to_numpy())
    table.insert(5, "critical mass (members)", count)
    return table


def results_section(results: Results) -> list[str]:
    lines = [
        "## Results",
        "",
        "### Membership over time",
        "",
        *rp.figure(
            "figures/members_by_region.png",
            "Members per month by region, funding condition and governance mode: mean over "
            "replicates with the 95% confidence interval of the mean. Dotted: the committed "
            "grant ends (in `committed_2030` only).",
        ),
        "### Outcomes by region, funding condition and governance mode",
        "",
        "Mean [95% confidence interval] over replicates.",
        "",
        rp.table(means_table(results)),
        "",
        "### Differences from informal governance",
        "",
        "Each cell: the mean paired difference (mode minus informal) [unadjusted 95% CI]; d = "
        "standardised difference where it is informative. *(undecided)*: no adjusted test "
        "decides; *(equivalent)*: within the equivalence margin.",
        "",
    ]
    for outcome, name in results.design.outcomes().items():
        lines += [f"**{name}**", "", rp.table(effect_matrix(results.effects, outcome)), ""]
    lines += rp.figure(
        "figures/effects.png",
        "Paired differences from informal governance (mean with 95% interval) per outcome, "
        "region and funding condition.",
    )
    return lines


def effect_matrix(effects: pd.DataFrame, outcome: str) -> pd.DataFrame:
    """Region and funding as rows, modes as columns, formatted effects as cells."""
    rows = effects[effects["outcome"] == outcome].copy()
    rows["cell"] = rows.apply(rp.effect_cell, axis=1)
    wide = rows.pivot(index=["region", "funding"], columns="governance", values="cell")
    order = list(dict.fromkeys(zip(rows["region"], rows["funding"], strict=True)))
    wide = wide.reindex(index=pd.MultiIndex.from_tuples(order, names=["region", "funding"]))
    return wide[list(dict.fromkeys(rows["governance"]))].reset_index()


def flip_section(results: Results) -> list[str]:
    return [
        "### Where the answer flips",
        "",
        *rp.figure(
            "figures/flip_map.png",
            "Members under formal minus informal governance, by pool size (x), initial "
            "trust (y) and funding condition (columns), at the early and the late date "
            "(rows). Red: formal has more members; blue: informal has more; hatched with "
            "'?': undecided or equivalent after the adjustment.",
        ),
        "Pool sizes at which each mode is clearly ahead on membership (adjusted test), or the "
        "two are equivalent:",
        "",
        rp.table(boundary_table(results.flip)),
        "",
        "Means hide that outcomes in large pools can be bimodal: a cluster either takes off or "
        "stalls near its core. Each run of the largest pool:",
        "",
        *rp.figure(
            "figures/flip_runs.png",
            f"Members at the end of {results.design.months[-1]}, every run of the "
            f"largest pool ({max(results.design.flip_sizes)} organisations), by "
            "funding condition and initial trust (columns) and governance mode.",
        ),
    ]


def boundary_table(cells: pd.DataFrame) -> pd.DataFrame:
    """Per month, funding and trust: pool sizes where each mode is clearly ahead."""
    rows = []
    for key, group in cells.groupby(["month", "funding", "initial_trust"], sort=False):
        verdict = group["verdict"].replace("identical", "equivalent")
        sizes = {
            v: sorted(group.loc[verdict == v, "n_organisations"])
            for v in ("lower", "equivalent", "undecided", "higher")
        }
        rows.append(
            {
                "members at end of": key[0],
                "funding": key[1],
                "initial trust": f"{key[2]:g}",
                "informal ahead": _sizes(sizes["lower"]),
                "equivalent": _sizes(sizes["equivalent"]),
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
