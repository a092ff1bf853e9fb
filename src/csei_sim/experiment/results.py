"""Turn a sweep folder into two tidy tables: time series and summaries, with their parameters.

:func:`aggregate` reads every complete run folder below ``sweep_dir`` (any depth; a folder is
complete when it has a valid ``done.json``, see :mod:`csei_sim.experiment.runner`) and returns

- ``summary``: one row per run: ``run`` (folder relative to the sweep), ``scenario``,
  ``base_seed``, ``replicate``, ``seed``, the scenario's choices (e.g. ``governance``), every
  parameter under its flat name (``n_organisations``, ``governance_mode``, ...; ``param_<name>``
  where an output has the same name, as ``param_facilitation_hours``), then the outcomes;
- ``timeseries``: one row per run and step: ``run``, ``scenario``, ``replicate``, ``seed``, the
  choices and the parameters that differ between runs, ``step``, then every time-series column.

``scenario`` is the runs' label when given (:func:`run_sweep`), otherwise ``key=value`` of the
choices that differ between runs (e.g. ``governance=formal``), seeds and replicates left out.
Incomplete folders are left out; :func:`find_runs` lists them. Complete folders whose files cannot
be read are left out too, with one warning line; :func:`read_runs` lists them.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pandas as pd
import yaml

from csei_sim.experiment.runner import CONFIG, DONE, read_done
from csei_sim.params import ParameterError, Params

RUN_KEYS = ["run", "scenario", "base_seed", "replicate", "seed"]
SKIP_DIRS = {".submitit", ".hydra", "report"}
log = logging.getLogger(__name__)


# keys of a saved config.yaml besides the parameters
SAVED_CONTROL = ("seed", "base_seed", "replicate")


def find_runs(sweep_dir: Path | str) -> tuple[list[Path], list[Path]]:
    """(complete, incomplete) run folders below ``sweep_dir``, sorted."""
    root = Path(sweep_dir)
    complete, incomplete = [], []
    for config in sorted(root.rglob(CONFIG)):
        folder = config.parent
        if SKIP_DIRS.intersection(folder.relative_to(root).parts):
            continue
        (complete if read_done(folder) is not None else incomplete).append(folder)
    return complete, incomplete


def _run_row(root: Path, folder: Path) -> dict:
    done = json.loads((folder / DONE).read_text())
    config = yaml.safe_load((folder / CONFIG).read_text())
    try:
        params = Params.from_dict({k: v for k, v in config.items() if k not in SAVED_CONTROL})
    except ParameterError as err:  # e.g. a folder of an older version: say which one
        reason = str(err).removeprefix(f"{err.key}: ")
        raise ParameterError(err.key, f"{reason} (in {folder / CONFIG})") from None
    return {
        "run": folder.relative_to(root).as_posix(),
        "scenario": done.get("scenario"),
        "base_seed": done["base_seed"],
        "replicate": done["replicate"],
        "seed": done["seed"],
        "choices": done.get("choices") or {},
        "params": params.flat(),
        # a run over a posterior: the index of its parameter draw
        "draw": (done.get("posterior_draw") or {}).get("draw"),
    }


def _label(choices: dict[str, str], keys: list[str]) -> str:
    """``key=value,...``; a parameter's group prefix is dropped (names are unique across groups)."""
    if not keys:
        return "all"
    return ",".join(f"{k.rsplit('.', 1)[-1]}={choices.get(k, '')}" for k in keys)


def _scenarios(rows: list[dict], name: str = "all") -> list[str]:
    """Given labels where present; else the choices that differ between runs; ``name`` (the
    sweep's) when nothing differs, as settings shared by every run name no scenario."""
    keys = sorted({k for row in rows for k in row["choices"]})
    varying = [k for k in keys if len({row["choices"].get(k) for row in rows}) > 1]
    labels = [_label(row["choices"], varying) if varying else name for row in rows]
    return [row["scenario"] or label for row, label in zip(rows, labels, strict=True)]


class NoReadableRuns(FileNotFoundError):
    """A sweep folder without a single complete run that can be read."""


def read_runs(root: Path) -> tuple[list[tuple[dict, dict, pd.DataFrame]], list[tuple[Path, str]]]:
    """(row, outcome, time series) of every complete run that can be read, and (folder, reason)
    of those that cannot (a damaged table or record): a broken run never hides the others."""
    complete, _ = find_runs(root)
    readable, unreadable = [], []
    for folder in complete:
        try:
            series = pd.read_parquet(folder / "timeseries.parquet").reset_index()
            readable.append((_run_row(root, folder), _outcome(folder), series))
        except Exception as err:  # noqa: BLE001 - pyarrow, yaml, json, parameters: all unreadable
            reason = f"{type(err).__name__}: {str(err).splitlines()[0] if str(err) else ''}"
            unreadable.append((folder, reason.rstrip(": ")))
    return readable, unreadable


def aggregate(sweep_dir: Path | str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(timeseries, summary) of all complete runs below ``sweep_dir``; see the module doc.

    Runs that cannot be read are left out with one warning line (logger :data:`log`) and are
    listed in ``summary.attrs["unreadable"]`` as ``(folder relative to the sweep, reason)``;
    :class:`NoReadableRuns` when no run can be read.
    """
    root = Path(sweep_dir)
    readable, unreadable = read_runs(root)
    skipped = [(folder.relative_to(root).as_posix(), reason) for folder, reason in unreadable]
    if unreadable:
        log.warning(
            "%s: skipped %d unreadable run(s): %s",
            root,
            len(skipped),
            "; ".join(f"{run} ({reason})" for run, reason in skipped),
        )
    if not readable:
        found = f"; {len(skipped)} unreadable" if skipped else ""
        raise NoReadableRuns(f"{root}: no complete runs (folders with {DONE}) found{found}")
    rows = [row for row, _, _ in readable]
    for row, label in zip(rows, _scenarios(rows, root.resolve().name or "all"), strict=True):
        row["scenario"] = label
    outcomes = [outcome for _, outcome, _ in readable]
    series = [ts for _, _, ts in readable]
    names = param_columns(rows[0]["params"], set(series[0].columns) | set(outcomes[0]))
    params = pd.DataFrame([row["params"] for row in rows]).rename(columns=names)
    varying = [c for c in params.columns if params[c].astype(str).nunique() > 1]
    # group choices (region, governance, ...) become columns; parameter overrides already are
    choice_keys = sorted({k for row in rows for k in group_choices(row["choices"], row["params"])})
    summaries, frames = [], []
    for row, values, outcome, ts in zip(
        rows, params.to_dict("records"), outcomes, series, strict=True
    ):
        keys = {k: row[k] for k in RUN_KEYS} | {k: row["choices"].get(k) for k in choice_keys}
        keys |= {} if row["draw"] is None else {"draw": row["draw"]}
        summaries.append({**keys, **values, **outcome})
        front = {**keys, **{k: values[k] for k in varying}}
        frames.append(pd.concat([pd.DataFrame(front, index=ts.index), ts], axis=1))
    summary = pd.DataFrame(summaries).sort_values(["scenario", "replicate"], kind="stable")
    timeseries = pd.concat(frames, ignore_index=True).sort_values(
        ["scenario", "replicate", "step"], kind="stable"
    )
    summary = summary.reset_index(drop=True)
    summary.attrs["unreadable"] = skipped
    return timeseries.reset_index(drop=True), summary


def param_columns(params: dict, taken: set[str]) -> dict[str, str]:
    """Column name of each parameter: its own, or ``param_<name>`` where an output has that name
    (e.g. ``facilitation_hours`` is both a parameter and the hours delivered each month)."""
    return {name: f"param_{name}" if name in taken else name for name in params}


def group_choices(choices: dict[str, str], params: dict) -> dict[str, str]:
    """The choices of groups (``governance=formal``): not parameter overrides, which the
    parameters' own columns show."""
    return {k: v for k, v in sorted(choices.items()) if k.rsplit(".", 1)[-1] not in params}


def _outcome(folder: Path) -> dict:
    """The outcomes of a run: the columns of its summary that ``done.json`` lists as outcomes (a
    run's summary also holds its seeds, choices and parameters)."""
    frame = pd.read_parquet(folder / "summary.parquet")
    outcomes = json.loads((folder / DONE).read_text()).get("summary")
    if outcomes is None:
        return frame.iloc[0].drop(["seed", "base_seed", "replicate"], errors="ignore").to_dict()
    return frame.iloc[0][[k for k in outcomes if k in frame.columns]].to_dict()


def write_tables(sweep_dir: Path | str, out_dir: Path | str) -> tuple[Path, Path]:
    """Aggregate and write ``timeseries.parquet`` and ``summary.parquet`` into ``out_dir``."""
    from csei_sim.run import atomic_write

    timeseries, summary = aggregate(sweep_dir)
    out = Path(out_dir)
    paths = out / "timeseries.parquet", out / "summary.parquet"
    for df, path in zip((timeseries, summary), paths, strict=True):
        atomic_write(path, lambda tmp, df=df: df.to_parquet(tmp, index=False))
    return paths
