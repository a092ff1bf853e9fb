"""The steps every study takes, each a function a study plugs in.

    design -> runs -> tidy table -> effects -> tables/figures -> report

A study is a :class:`Study`: a title and one function per step. :func:`run` takes a study and a
design (any object with ``name`` and whatever the study's functions read), runs or resumes every
grid of the design with :func:`csei_sim.studies.design.run_grid`, hands the tidy tables to the
study's ``analyse`` (outcome columns and effects, with :mod:`csei_sim.studies.effects`), then has
the study write its figures and tables and returns the path of ``report.md``, which it frames
the same way for every study: title, headline, how to regenerate, the study's sections, files.

A new study is a design, a :class:`Study` and an entry in :data:`csei_sim.studies.cli.STUDIES`;
:mod:`csei_sim.studies.growth_drivers` is a small complete one.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from csei_sim.experiment.stats import mean_ci
from csei_sim.studies import reporting as rp
from csei_sim.studies.design import Grid, run_grid
from csei_sim.studies.effects import share_ci

Runs = tuple[pd.DataFrame, pd.DataFrame]  # (timeseries, summary) of one grid, factor columns on


@dataclass
class Results:
    """What a small study's ``analyse`` may return (a larger one keeps its own class)."""

    design: Any
    summary: pd.DataFrame  # one row per run, with the outcome columns
    tables: dict[str, pd.DataFrame]  # name -> table; :func:`write_tables` writes <name>.csv


def write_tables(results: Any, folder: Path) -> list[Path]:
    """Each of ``results.tables`` as ``folder/<name>.csv``."""
    return [rp.write_csv(table, folder / f"{name}.csv") for name, table in results.tables.items()]


@dataclass(frozen=True)
class Study:
    """A study's title and its steps; ``results`` is whatever ``analyse`` returns."""

    title: str
    # None for a study whose runs come from elsewhere (the peer-exchange Hydra sweep): such a
    # study makes its results itself and uses only :func:`write_report`
    grids: Callable[[Any], Mapping[str, tuple[Grid, int]]] | None  # design -> {part: (grid, reps)}
    analyse: Callable[[Any, Mapping[str, Runs]], Any] | None  # design, tidy runs -> results
    figures: Callable[[Any, Path], Mapping[str, Path]]  # results, folder -> {name: png}
    headline: Callable[[Any], list[str]]  # results -> the lines under the title
    sections: Callable[[Any], list[str]]  # results -> design and results sections
    tables: Callable[[Any, Path], Sequence[Path]] = write_tables  # results, folder -> csv files
    conclusions: Callable[[Any], list[str]] | None = None  # "What the model says"
    limits: Callable[[Any], list[str]] | None = None  # "Limits of what it can say"

    def run(
        self,
        design: Any,
        runs_dir: Path | str | None = None,
        out_dir: Path | str | None = None,
        **options: Any,
    ) -> Path:
        """:func:`run` this study on ``design``."""
        return run(self, design, runs_dir, out_dir, **options)


def run(
    study: Study,
    design: Any,
    runs_dir: Path | str | None = None,
    out_dir: Path | str | None = None,
    *,
    n_jobs: int = 2,
    command: str | None = None,
    progress: bool = True,
    posterior: str | None = None,
    per_draw: int = 1,
) -> Path:
    """Run (or resume) the study's runs, then write its report; return the report's path.

    With ``posterior`` (a calibration folder or ``prior:<case>``) every run draws the free
    parameters from it, ``per_draw`` runs per draw (:func:`csei_sim.studies.design.run_grid`).
    """
    if study.grids is None or study.analyse is None:
        raise ValueError(f"{study.title}: its runs are made elsewhere; write its report instead")
    runs = Path(runs_dir or f"multirun/study_{design.name}")
    out = Path(out_dir or f"experiments/{design.name}")
    tidy = {
        part: run_grid(
            grid,
            runs / part,
            replicates=replicates,
            n_jobs=n_jobs,
            progress=progress,
            posterior=posterior,
            per_draw=per_draw,
        )
        for part, (grid, replicates) in study.grids(design).items()
    }
    if posterior is not None:  # the same cells and seeds with the parameters as given
        from csei_sim.studies.over_posterior import NOISE

        for part, (grid, replicates) in study.grids(design).items():
            tidy[f"{NOISE}{part}"] = run_grid(
                grid,
                runs / f"{NOISE}{part}",
                replicates=replicates,
                n_jobs=n_jobs,
                progress=progress,
            )
    results = study.analyse(design, tidy)
    n_runs = sum(len(summary) for _, summary in tidy.values())
    return write_report(
        study, results, out, n_runs, runs, command or f"csei-sim-study {design.name}"
    )


def write_report(
    study: Study, results: Any, out: Path, n_runs: int, runs: Path, command: str
) -> Path:
    """Figures, tables and ``report.md`` (with how to regenerate it) into ``out``."""
    figs = study.figures(results, out / "figures")
    tables = study.tables(results, out / "tables")
    files = [f"`{p.relative_to(out).as_posix()}`" for p in [*tables, *figs.values()]]
    lines = [
        f"# {study.title}",
        "",
        *study.headline(results),
        "## How to regenerate",
        "",
        *rp.provenance(command, n_runs, runs),
        "",
        *study.sections(results),
        *_section("What the model says", study.conclusions, results),
        *_section("Limits of what it can say", study.limits, results),
        "## Files",
        "",
        *rp.bullet_list(files),
    ]
    return rp.write_text(out / "report.md", lines)


def _section(heading: str, lines: Callable[[Any], list[str]] | None, results: Any) -> list[str]:
    return [f"## {heading}", "", *lines(results)] if lines else []


def cell_means(
    summary: pd.DataFrame,
    keys: Sequence[str],
    outcomes: Mapping[str, str],
    raw: bool = False,
    shares: Sequence[str] = ("reached_critical_mass",),
    count: bool = True,
) -> pd.DataFrame:
    """Mean [95% CI] of each outcome per cell of ``keys`` (a Wilson interval for 0/1 shares).

    ``outcomes`` maps a column to its name in the table; ``raw`` gives numeric columns
    ``<column>``, ``<column>_lo`` and ``<column>_hi`` instead of formatted text; ``count`` adds
    the number of runs in the cell.
    """
    rows = []
    for cell, group in summary.groupby(list(keys), sort=False):
        row = {**dict(zip(keys, cell, strict=True)), **({"runs": len(group)} if count else {})}
        for column, name in outcomes.items():
            mean, lo, hi, _ = (share_ci if column in shares else mean_ci)(group[column])
            if raw:
                row.update({column: mean, f"{column}_lo": lo, f"{column}_hi": hi})
            else:
                row[name] = rp.with_ci(mean, lo, hi)
        rows.append(row)
    return pd.DataFrame(rows)
