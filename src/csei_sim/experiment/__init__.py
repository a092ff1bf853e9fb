"""Experiments: one run, sweeps (Hydra or Python), aggregation and reports.

Python API (the same machinery the ``csei-sim`` command uses)::

    from csei_sim.experiment import RunSpec, run_one, run_sweep, aggregate, write_report

    run_one(spec, out_dir, *, base_seed=None, replicate=None, plot=False, force=False) -> RunRecord
        spec: RunSpec | Params | nested mapping | Hydra config. Skips a complete folder.
    run_sweep(scenarios, out_dir, *, replicates=1, base_seed=2025, n_jobs=-1, plot=False,
              progress=True) -> list[Path]
        scenarios: {label: Params | mapping}; folders out_dir/<label>/replicate=<r>; resumable.
    run_seed(base_seed, replicate) -> int          # numpy SeedSequence spawning
    is_complete(out_dir, spec=None) -> bool
    find_runs(sweep_dir) -> (complete, incomplete)
    aggregate(sweep_dir) -> (timeseries_df, summary_df)   # tidy, with parameters
    write_tables(sweep_dir, out_dir) -> (timeseries_path, summary_path)
    write_report(sweep_dir, out_dir=None) -> Path          # report.md + figures/*.png

Modules: :mod:`.schema` (Hydra structured config), :mod:`.runner`, :mod:`.blocks` (several runs
per Hydra job), :mod:`.validate` (checks before anything runs), :mod:`.progress` (Hydra callback),
:mod:`.lock` (one sweep per study folder), :mod:`.results`, :mod:`.stats`, :mod:`.figures`,
:mod:`.report`.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

_API = {
    "RunSpec": "runner",
    "RunRecord": "runner",
    "run_one": "runner",
    "run_sweep": "runner",
    "run_seed": "runner",
    "is_complete": "runner",
    "read_done": "runner",
    "find_runs": "results",
    "aggregate": "results",
    "write_tables": "results",
    "write_report": "report",
    "ConfigError": "validate",
}
__all__ = sorted(_API)


def __getattr__(name: str) -> Any:
    # lazy, so that a sweep's worker processes do not import the plotting stack
    if name in _API:
        return getattr(import_module(f"{__name__}.{_API[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
