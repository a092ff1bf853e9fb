"""A sweep folder in, a report out: tidy tables, Markdown and PNG figures.

``csei-sim-report multirun/informal_vs_formal`` (or ``csei-sim report ...``) writes into
``<sweep_dir>/report/`` (``--out`` to choose):

- ``timeseries.parquet`` and ``summary.parquet``: the tidy tables of :func:`aggregate`;
- ``figures/membership.png``: members by scenario over time, mean and middle 95% of replicates;
- ``figures/outcomes.png``: final outcomes per scenario, mean and 95% confidence interval;
- ``figures/radar_<scenario>.png``: the CSEI radar of each scenario at the end of the run;
- ``report.md``: what was run, tables of outcomes with intervals, the figures.
"""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pandas as pd

from csei_sim import limits
from csei_sim.errors import CommandParser, Work, guarded
from csei_sim.experiment import figures, results
from csei_sim.experiment.results import aggregate, find_runs
from csei_sim.experiment.stats import interval
from csei_sim.metrics import RADAR
from csei_sim.params import ParameterError
from csei_sim.run import atomic_write

OUTCOMES = [
    "final_members",
    "peak_members",
    "members_end_2030",
    "members_end_2035",
    "reached_critical_mass",
    "time_to_critical_mass",
    "survival_after_funding",
    "joint_projects",
    "pilots",
    "mean_diversity",
    "total_exits",
]


def slug(text: str) -> str:
    """A file-name-safe version of a scenario label."""
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", text).strip("_") or "all"


def _outcomes(summary: pd.DataFrame) -> list[str]:
    present = [m for m in OUTCOMES if m in summary and summary[m].notna().any()]
    return present


def _fmt(value: float) -> str:
    if pd.isna(value):
        return "–"
    return f"{value:.3g}" if abs(value) < 1000 else f"{value:,.0f}"


def outcome_table(summary: pd.DataFrame, metrics: list[str]) -> pd.DataFrame:
    """Mean [95% CI] of each outcome per scenario, as text, plus the number of runs."""
    rows = []
    groups = dict(list(summary.groupby("scenario")))
    for scenario in figures.scenarios_of(summary):
        group = groups[scenario]
        row = {"scenario": scenario, "runs": len(group)}
        for metric in metrics:
            mean, lo, hi, n = interval(group[metric], metric)
            ci = f" [{_fmt(lo)}, {_fmt(hi)}]" if n > 1 else ""
            row[metric] = f"{_fmt(mean)}{ci}" + (f" (n={n})" if 0 < n < len(group) else "")
        rows.append(row)
    return pd.DataFrame(rows)


def _final_rows(timeseries: pd.DataFrame) -> pd.DataFrame:
    last = timeseries.groupby("run")["step"].transform("max") == timeseries["step"]
    return timeseries[last]


def write_report(sweep_dir: Path | str, out_dir: Path | str | None = None) -> Path:
    """Aggregate ``sweep_dir`` and write tables, figures and ``report.md``; return its path."""
    root = Path(sweep_dir)
    out = Path(out_dir) if out_dir is not None else root / "report"
    timeseries, summary = aggregate(root)
    unreadable = list(summary.attrs.get("unreadable", []))
    summary["reached_critical_mass"] = summary["time_to_critical_mass"].notna().astype(float)
    for df, name in ((timeseries, "timeseries.parquet"), (summary, "summary.parquet")):
        atomic_write(out / name, lambda tmp, df=df: df.to_parquet(tmp, index=False))
    metrics = _outcomes(summary)
    fig_dir = out / "figures"
    figures.membership_bands(timeseries, fig_dir / "membership.png")
    figures.outcome_intervals(summary, metrics, fig_dir / "outcomes.png")
    final = _final_rows(timeseries)
    radars = {}
    groups = dict(list(final.groupby("scenario")))
    for scenario in figures.scenarios_of(final):
        path = fig_dir / f"radar_{slug(scenario)}.png"
        radars[scenario] = figures.radar(groups[scenario], scenario, path)
    _, incomplete = find_runs(root)
    text = _markdown(root, summary, final, metrics, radars, incomplete, out, unreadable)
    atomic_write(out / "report.md", lambda tmp: Path(tmp).write_text(text))
    return out / "report.md"


def _markdown(
    root: Path,
    summary: pd.DataFrame,
    final: pd.DataFrame,
    metrics: list[str],
    radars: dict[str, Path],
    incomplete: list[Path],
    out: Path,
    unreadable: list[tuple[str, str]] = (),
) -> str:
    reps = summary.groupby("scenario")["replicate"].nunique()
    radar_cols = [f"radar_{k}" for k in RADAR]
    order = figures.scenarios_of(summary)
    radar_means = final.groupby("scenario")[radar_cols].mean().round(2).reindex(order)
    radar_means.columns = list(RADAR)
    archetypes = pd.crosstab(summary["scenario"], summary["archetype"]).reindex(order)
    lines = [
        f"# Report: {root.name}",
        "",
        f"Sweep folder `{root}`: {len(summary)} complete runs in {summary['scenario'].nunique()} "
        f"scenarios, {_span(reps)} replicates each, base seed(s) "
        f"{', '.join(str(s) for s in sorted(summary['base_seed'].unique()))}.",
        f"Incomplete runs left out: {len(incomplete)}." if incomplete else "All runs complete.",
        *(
            [f"Unreadable runs left out: {len(unreadable)}.", ""]
            + [f"- `{run}`: {reason}" for run, reason in unreadable]
            if unreadable
            else []
        ),
        "",
        "## Membership over time",
        "",
        "![members by scenario](figures/membership.png)",
        "",
        "Line: mean over replicates; shaded: the middle 95% of replicates (2.5th to 97.5th "
        "percentile) at each month.",
        "",
        "## Final outcomes",
        "",
        "Mean and t-based 95% confidence interval of the mean across replicates; (n=...) where "
        "an outcome is undefined in some runs (e.g. time to critical mass when it was never "
        "reached). `reached_critical_mass` is the share of runs that reached it, with a Wilson "
        "95% interval.",
        "",
        outcome_table(summary, metrics).to_markdown(index=False),
        "",
        "![final outcomes](figures/outcomes.png)",
        "",
        "## CSEI radar per scenario",
        "",
        "Mean scores at the end of the run (0 to 1):",
        "",
        radar_means.reset_index().to_markdown(index=False),
        "",
        *[f"![radar {s}](figures/{p.name})" for s, p in radars.items()],
        "",
        "Final archetype (runs per scenario):",
        "",
        archetypes.reset_index().to_markdown(index=False),
        "",
        "## Data",
        "",
        "`summary.parquet`: one row per run (run folder, scenario, seeds, choices, every "
        "parameter, outcomes). `timeseries.parquet`: one row per run and month.",
        "",
    ]
    return "\n".join(lines)


def _span(counts: pd.Series) -> str:
    low, high = int(counts.min()), int(counts.max())
    return str(low) if low == high else f"{low}–{high}"


def main(argv: list[str] | None = None) -> int:
    """``csei-sim-report SWEEP_DIR [--out DIR]``."""
    return guarded("csei-sim-report", list(sys.argv[1:] if argv is None else argv), _main)


def parser() -> CommandParser:
    p = CommandParser(prog="csei-sim-report", description=__doc__.splitlines()[0])
    p.add_argument("sweep_dir", type=Path, help="a sweep folder, e.g. multirun/<study>")
    p.add_argument("--out", type=Path, default=None, help="default: <sweep_dir>/report")
    return p


def _main(argv: list[str], work: Work) -> int:
    args = parser().parse_args(argv)
    try:
        if not args.sweep_dir.is_dir():
            raise ParameterError("sweep_dir", f"{args.sweep_dir} is not a folder")
        limits.check_folder("--out", args.out if args.out is not None else args.sweep_dir)
        with _warnings_as_one_line("csei-sim-report"):
            path = write_report(args.sweep_dir, args.out)
    except (FileNotFoundError, ParameterError) as err:
        print(f"csei-sim-report: error: {err}", file=sys.stderr)
        return 2
    print(f"wrote {path}")
    return 0


@contextmanager
def _warnings_as_one_line(prog: str) -> Iterator[None]:
    """The warnings of aggregation (runs skipped) as ``<prog>: warning: ...`` on stderr, whatever
    logging is configured elsewhere in the process."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter(f"{prog}: warning: %(message)s"))
    handler.setLevel(logging.WARNING)
    logger = logging.getLogger(results.log.name)
    logger.addHandler(handler)
    propagate, logger.propagate = logger.propagate, False
    try:
        yield
    finally:
        logger.removeHandler(handler)
        logger.propagate = propagate
