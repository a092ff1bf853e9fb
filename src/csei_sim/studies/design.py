"""Study designs: a grid of scenarios (preset choices and parameter values), run and read back.

A *factor* is a preset group (``region``, ``governance``, ``funding``, ``facilitation``: its
values are preset names), a flat parameter (``n_organisations``, ``initial_trust``, ...: its values
are numbers) or a named *variant* (its values name sets of parameter values, e.g. two ways of
paying the same money). :func:`grid` crosses the factors into scenarios labelled ``key=value,...``;
:func:`run_grid` runs every scenario x replicate with :func:`csei_sim.experiment.run_sweep` (so a
study resumes where it stopped) and returns the tidy tables of
:func:`csei_sim.experiment.aggregate` with one column per factor.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from csei_sim import presets
from csei_sim.experiment import aggregate, run_sweep
from csei_sim.params import Params

BASE_SEED = 2025  # every study's base seed: replicate r of every scenario gets the same seed


@dataclass(frozen=True)
class Grid:
    """Factors crossed into scenarios, on top of fixed preset choices and parameter values."""

    factors: Mapping[str, Sequence[Any]]
    choices: Mapping[str, str] = field(default_factory=dict)
    overrides: Mapping[str, Any] = field(default_factory=dict)
    variants: Mapping[str, Mapping[str, Mapping[str, Any]]] = field(default_factory=dict)

    def cells(self) -> dict[str, dict[str, Any]]:
        """Scenario label -> the factor values of that scenario, in grid order."""
        keys = list(self.factors)
        cells = {}
        for combo in itertools.product(*self.factors.values()):
            cell = dict(zip(keys, combo, strict=True))
            cells[label(cell)] = cell
        return cells

    def params(self, cell: Mapping[str, Any]) -> Params:
        """Validated parameters of one cell (a bad preset or value names its key)."""
        chosen = {**self.choices, **{k: v for k, v in cell.items() if k in presets.GROUPS}}
        values = dict(self.overrides)
        for key, value in cell.items():
            if key in self.variants:
                values.update(self.variants[key][value])
            elif key not in presets.GROUPS:
                values[key] = value
        return Params.from_dict(presets.compose(**chosen), **values)

    def scenarios(self) -> dict[str, Params]:
        return {name: self.params(cell) for name, cell in self.cells().items()}


def label(cell: Mapping[str, Any]) -> str:
    """``region=hamburg,governance=formal``: the scenario label and run-folder name of a cell."""
    return ",".join(f"{k}={v}" for k, v in cell.items())


def run_grid(
    grid: Grid,
    runs_dir: Path | str,
    *,
    replicates: int,
    n_jobs: int = 2,
    progress: bool = True,
    posterior: str | None = None,
    per_draw: int = 1,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Run (or resume) every cell x replicate; return (timeseries, summary) with factor columns.

    Only this grid's cells and replicates are returned, even if ``runs_dir`` holds other runs.
    With ``posterior`` (a calibration folder or ``prior:<case>``) each replicate draws the free
    parameters, ``per_draw`` replicates per draw; replicate r of every cell gets the same draw.
    """
    cells = grid.cells()
    run_sweep(
        grid.scenarios(),
        runs_dir,
        replicates=replicates,
        base_seed=BASE_SEED,
        n_jobs=n_jobs,
        progress=progress,
        posterior=posterior,
        per_draw=per_draw,
    )
    timeseries, summary = aggregate(runs_dir)
    return _with_factors(timeseries, cells, replicates), _with_factors(summary, cells, replicates)


def _with_factors(frame: pd.DataFrame, cells: dict[str, dict], replicates: int) -> pd.DataFrame:
    keep = frame["scenario"].isin(cells) & frame["replicate"].lt(replicates)
    order = {name: i for i, name in enumerate(cells)}  # the grid's order, not alphabetical
    frame = frame[keep].copy()
    frame["_rank"] = frame["scenario"].map(order)
    frame = frame.sort_values(["_rank", "replicate"], kind="stable").drop(columns="_rank")
    for key in next(iter(cells.values())):
        if key not in frame.columns:  # a parameter already there, or an output of that name
            frame[key] = frame["scenario"].map({name: cell[key] for name, cell in cells.items()})
    return frame.reset_index(drop=True)
