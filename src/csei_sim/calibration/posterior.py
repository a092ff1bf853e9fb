"""Parameter draws from a calibration's posterior, predictive runs, and the split of their spread.

A study that runs replicates over a posterior draws each replicate's parameters with
:func:`draws` (seeded, weighted by the particles' weights), and reports how much of the spread of
an outcome comes from the parameters and how much from run-to-run noise (:func:`spread_shares`,
the law of total variance over draws with several runs each).
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd

from csei_sim.calibration.cases import Case, Prior, case_names, load_case, param_spec, split_key
from csei_sim.calibration.simulate import SHARE_GROUPS, _rebalance, members_at, prior_draws
from csei_sim.params import ParameterError, Params
from csei_sim.seeds import run_seed

POSTERIOR = "posterior.parquet"


def load(folder: str | Path) -> pd.DataFrame:
    """The posterior particles of a calibration folder (parameters and a ``weight`` column)."""
    path = Path(folder) / POSTERIOR
    if not path.is_file():
        raise FileNotFoundError(f"posterior: no {POSTERIOR} in {folder} (run csei-sim-calibrate)")
    return pd.read_parquet(path)


def draws(posterior: pd.DataFrame | str | Path, n: int, seed: int) -> pd.DataFrame:
    """``n`` parameter sets resampled from the weighted particles (seeded); one row per draw."""
    frame = posterior if isinstance(posterior, pd.DataFrame) else load(posterior)
    weights = frame["weight"].to_numpy(dtype=float)
    rng = np.random.default_rng(np.random.SeedSequence([int(seed), 18]))
    rows = rng.choice(len(frame), size=int(n), replace=True, p=weights / weights.sum())
    return frame.drop(columns="weight").iloc[rows].reset_index(drop=True)


_JOB: tuple[Case, pd.DataFrame] | None = None


def _one(job: tuple[int, int, int]) -> dict[str, float]:
    draw, run, seed = job
    case, table = _JOB
    theta = table.iloc[draw].to_dict()
    return {"draw": draw, "run": run, **members_at(case, theta, seed)}


def predictive(
    case: Case, table: pd.DataFrame, seed: int, runs: int = 1, workers: int = 1
) -> pd.DataFrame:
    """Members at each observed month for every draw (row of ``table``) and ``runs`` seeds each.

    Run seeds are spawned from ``seed`` per (draw, run), so the table is the same on any number of
    workers.
    """
    global _JOB
    jobs = [
        (d, r, run_seed(seed, d * runs + r)) for d in range(len(table)) for r in range(int(runs))
    ]
    _JOB = (case, table.reset_index(drop=True))
    try:
        if workers <= 1:
            rows = [_one(job) for job in jobs]
        else:
            with multiprocessing.get_context("fork").Pool(workers) as pool:
                rows = pool.map(_one, jobs, chunksize=max(1, len(jobs) // (4 * workers)))
    finally:
        _JOB = None
    return pd.DataFrame(rows)


def spread_shares(values: pd.DataFrame, column: str) -> Mapping[str, float]:
    """Shares of the variance of ``column`` from parameters and from run noise.

    ``values`` has one row per (draw, run). Total variance = variance between the draws' true
    means (parameters) + mean variance within draws (noise). The variance of the draws' sample
    means also holds noise / runs, which is taken off (one-way random-effects ANOVA estimate,
    floored at zero). Needs at least two runs per draw.
    """
    grouped = values.groupby("draw")[column]
    if grouped.size().min() < 2:
        raise ValueError("spread_shares: give at least two runs per draw")
    within = float(grouped.var(ddof=1).mean())
    runs = float(grouped.size().mean())
    means = grouped.mean()
    between = max(float(means.var(ddof=1)) - within / runs, 0.0) if grouped.ngroups > 1 else 0.0
    total = within + between
    if total == 0:
        return {"parameters": 0.0, "noise": 0.0, "variance": 0.0}
    return {"parameters": between / total, "noise": within / total, "variance": total}


# -- runs over a posterior (or a case's priors) ----------------------------------------------

PRIOR_PREFIX = "prior:"  # ``prior:<case>``: draw from the case's priors (a region with no fit)
MAX_TRIES = 100  # draws a run may take until one gives allowed parameters


@dataclass(frozen=True)
class Source:
    """Where the free parameters of each run come from: a posterior's particles or a case's priors.

    ``where`` is what the user gave (a calibration folder, or ``prior:<case>``); ``case`` is the
    calibration case behind it, when known (a shipped case of the folder's name), whose base region
    is :attr:`region`.
    """

    where: str
    keys: tuple[str, ...]
    particles: pd.DataFrame | None = None
    priors: tuple[Prior, ...] = ()
    case: Case | None = None

    @property
    def kind(self) -> str:
        return "prior" if self.particles is None else "posterior"

    @property
    def region(self) -> str | None:
        return None if self.case is None else self.case.choices.get("region")

    @property
    def label(self) -> str:
        name = self.case.name if self.case is not None else Path(self.where).name
        return f"{self.kind}_{name}"

    def draw(self, seed: int, attempt: int = 0) -> dict[str, float]:
        """One parameter set, the same for the same seed (a stream apart from the model's)."""
        if self.particles is not None:
            row = draws(self.particles, 1, int(seed) + attempt * 7919).iloc[0]
            return {k: float(row[k]) for k in self.keys}
        rng = np.random.default_rng(np.random.SeedSequence([int(seed), 18, attempt]))
        return {k: float(v[0]) for k, v in prior_draws(list(self.priors), 1, rng).items()}

    def apply(self, params: Params, seed: int) -> tuple[Params, dict[str, float]]:
        """``params`` with the free parameters drawn for ``seed``; also the values drawn.

        Integer parameters are rounded and a drawn share rescales the other shares of its group,
        as in the calibration. A draw the scenario does not allow (a founding core larger than the
        pool) is drawn again, from the next stream.
        """
        for attempt in range(MAX_TRIES):
            try:
                return overlay(params, self.draw(seed, attempt))
            except ParameterError:
                continue
        raise ParameterError(self.kind, f"no allowed draw from {self.where} in {MAX_TRIES} tries")


def overlay(params: Params, theta: Mapping[str, float]) -> tuple[Params, dict[str, float]]:
    """``params`` with the values of ``theta`` (``group.name`` keys) set and shares rebalanced;
    also the values as set (integers rounded)."""
    nested = params.to_dict()
    applied: dict[str, float] = {}
    for key, value in theta.items():
        group, name = split_key(key, key)
        kind, _ = param_spec(key, key)
        value = int(round(float(value))) if kind is int else float(value)
        (nested if group is None else nested[group])[name] = applied[key] = value
    for group, shares in SHARE_GROUPS.items():
        free = [s for s in shares if f"{group}.{s}" in theta]
        if free:
            _rebalance(nested[group], shares, free)
    return Params.from_dict(nested), applied


def source(where: str | Path, key: str = "posterior") -> Source:
    """The :class:`Source` of a calibration folder or ``prior:<case>``; a fault is a
    :class:`ParameterError` naming ``key``."""
    text = str(where)
    return _source(text, key)


@cache
def _source(where: str, key: str) -> Source:
    if where.startswith(PRIOR_PREFIX):
        name = where[len(PRIOR_PREFIX) :]
        try:
            case = load_case(name)
        except ParameterError as err:
            raise ParameterError(key, f"prior case {name!r}: {err}") from None
        return Source(where, tuple(p.key for p in case.priors), None, tuple(case.priors), case)
    folder = Path(where)
    if not (folder / POSTERIOR).is_file():
        raise ParameterError(
            key, f"no {POSTERIOR} in {where} (give a csei-sim-calibrate output folder)"
        )
    try:
        frame = load(folder)
    except (OSError, ValueError) as err:
        raise ParameterError(key, f"cannot read {folder / POSTERIOR}: {err}") from None
    if "weight" not in frame.columns or len(frame) == 0:
        raise ParameterError(key, f"{folder / POSTERIOR} holds no weighted particles")
    names = tuple(c for c in frame.columns if c != "weight")
    for name in names:
        try:
            kind, _ = param_spec(name, name)
        except ParameterError:
            raise ParameterError(
                key, f"{folder / POSTERIOR}: {name!r} is not a model parameter (group.name)"
            ) from None
        if kind not in (int, float):
            raise ParameterError(key, f"{folder / POSTERIOR}: {name!r} is not numeric")
    return Source(where, names, frame, (), _case_of(folder))


def _case_of(folder: Path) -> Case | None:
    """The shipped case a calibration folder is named after, if any."""
    try:
        return load_case(folder.resolve().name) if folder.resolve().name in case_names() else None
    except ParameterError:
        return None
