"""Run one simulation into a folder, resumably; run many in parallel.

A run folder holds ``config.yaml`` (the resolved configuration, with the run's own seed, so that
``CSEIModel.from_config(OmegaConf.load(".../config.yaml"))`` reproduces it), ``timeseries.parquet``,
``summary.parquet``, ``summary.csv``, ``events.parquet``, optionally ``membership.png``, and last
``done.json``. Every file is written atomically (temporary file, then rename) and ``done.json`` is
written after all others, so a folder is complete exactly when its ``done.json`` is present,
matches the run's fingerprint (parameters and seed) and lists files that are all there. A complete
folder is skipped when the same run is asked for again; an incomplete one is redone.

Seeds: run ``replicate`` of base seed ``s`` uses the first 32-bit word of
``numpy.random.SeedSequence(s, spawn_key=(replicate,))``, i.e. the replicate-th child of
``SeedSequence(s).spawn(...)``: independent streams, the same wherever and in whatever order runs.

Python API::

    from csei_sim.experiment import RunSpec, run_one, run_sweep
    record = run_one(RunSpec(params, base_seed=7, replicate=3), "out/run3")
    dirs = run_sweep({"informal": {"governance": {"governance_mode": "informal"}},
                      "formal": {"governance_mode": "formal"}},
                     "out/sweep", replicates=10, base_seed=7, n_jobs=-1)
"""

from __future__ import annotations

import hashlib
import json
import numbers
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from csei_sim.params import ParameterError, Params
from csei_sim.seeds import run_seed

# libyaml's emitter writes the same text as the pure-Python one, several times faster
_YAML_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)

DONE = "done.json"
CONFIG = "config.yaml"
MAX_SEED = 2**63 - 1  # base seeds and replicates are stored as int64
# keys a run's configuration may hold besides the parameters, seed and replicate
NOT_PARAMS = (
    "study",
    "plot",
    "block",
    "hydra",
    "run_seed",
    "base_seed",
    "scenario",
    "choices",
    "posterior",
    "posterior_draw",
)
# The modules whose code determines a run's numbers: a change to any of them makes complete run
# folders stale, so a resumed sweep redoes them instead of mixing old and new results.
MODEL_MODULES = (
    "model",
    "agents",
    "params",
    "network",
    "population",
    "funding",
    "ledger",
    "governance",
    "facilitation",
    "collaboration",
    "decisions",
    "metrics",
    "observe",
    "months",
    "run",
    "seeds",
)


@cache
def model_code_digest() -> str:
    """Hash of the code (not the comments or docstrings) of the modules behind a run's numbers."""
    import csei_sim
    from csei_sim.code_digest import code_digest

    return code_digest(Path(csei_sim.__file__).parent, MODEL_MODULES)


def check_seed(key: str, value: Any) -> None:
    """Seeds and replicate indices are whole numbers that fit the tables' 64-bit columns."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise ParameterError(key, f"expected an integer in [0, {MAX_SEED}], got {value!r}")
    if not 0 <= value <= MAX_SEED:
        raise ParameterError(key, f"{value!r} is outside the allowed range [0, {MAX_SEED}]")


@dataclass(frozen=True)
class RunSpec:
    """Everything that defines one run: parameters, base seed and replicate, plus labels.

    ``scenario`` names the run's scenario in aggregated tables (by default it is derived from the
    ``choices`` that differ between runs of a sweep); ``choices`` are the settings that define the
    scenario, e.g. Hydra's overrides ``{"governance": "formal"}``.

    With ``posterior`` (a calibration folder, or ``prior:<case>``) the run's free parameters are
    drawn (:mod:`csei_sim.calibration.posterior`) with a generator seeded from the seed of replicate
    ``replicate // per_draw`` (with ``per_draw`` 1: the run's own seed), on top of ``undrawn``;
    ``params`` are then the drawn parameters and ``drawn`` the values drawn. ``per_draw`` > 1 gives
    several runs per draw, so that the spread can be split into parameters and run noise.
    """

    params: Params
    base_seed: int = 2025
    replicate: int = 0
    scenario: str | None = None
    choices: Mapping[str, str] = field(default_factory=dict)
    posterior: str | None = None
    per_draw: int = 1
    undrawn: Params | None = None  # set from params when a posterior is given
    drawn: Mapping[str, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        check_seed("seed", self.base_seed)
        check_seed("replicate", self.replicate)
        # numpy integers (EMA Workbench, np.arange) become ints: YAML and JSON files take no others
        object.__setattr__(self, "base_seed", int(self.base_seed))
        object.__setattr__(self, "replicate", int(self.replicate))
        if self.posterior is not None:
            self._draw()

    def _draw(self) -> None:
        """Draw the free parameters (again, for a copy with another replicate)."""
        from csei_sim.calibration.posterior import source

        base = self.params if self.undrawn is None else self.undrawn
        params, theta = source(self.posterior).apply(base, self.draw_seed)
        object.__setattr__(self, "undrawn", base)
        object.__setattr__(self, "params", params)
        object.__setattr__(self, "drawn", theta)

    @property
    def draw(self) -> int:
        """Index of the parameter draw this run belongs to."""
        return self.replicate // max(int(self.per_draw), 1)

    @property
    def draw_seed(self) -> int:
        return run_seed(self.base_seed, self.draw)

    @property
    def seed(self) -> int:
        return run_seed(self.base_seed, self.replicate)

    def fingerprint(self) -> str:
        """Hash of what determines the results: parameters, seed and the model's code."""
        text = json.dumps(
            {"params": self.params.to_dict(), "seed": self.seed, "code": model_code_digest()},
            sort_keys=True,
        )
        return hashlib.sha256(text.encode()).hexdigest()[:16]

    @classmethod
    def from_config(cls, cfg: Any, choices: Mapping[str, str] | None = None) -> RunSpec:
        """From a Hydra/OmegaConf config or nested dict with ``seed`` and ``replicate`` keys.

        Raises :class:`csei_sim.ParameterError` naming the key when a value is not allowed.
        """
        from omegaconf import DictConfig, OmegaConf

        data = OmegaConf.to_container(cfg, resolve=True) if isinstance(cfg, DictConfig) else cfg
        data = dict(data)
        base_seed, replicate = data.pop("seed", 2025), data.pop("replicate", 0)  # checked below
        posterior = data.get("posterior")
        if posterior is not None and not isinstance(posterior, str):
            raise ParameterError("posterior", f"expected a calibration folder, got {posterior!r}")
        for key in NOT_PARAMS:
            data.pop(key, None)
        return cls(
            Params.from_dict(data),
            base_seed,
            replicate,
            choices=dict(choices or {}),
            posterior=posterior or None,
        )


@dataclass
class RunRecord:
    """What :func:`run_one` did: the folder, the seed, whether it was skipped, the summary."""

    out_dir: Path
    seed: int
    skipped: bool
    summary: dict[str, Any]


def read_done(out_dir: Path) -> dict[str, Any] | None:
    """The completion record of a run folder, or None when the run is missing or incomplete: a
    file it vouches for is missing, of another size or another SHA-256 (a record of an older
    version, with sizes only, counts as incomplete: the run is redone)."""
    try:
        done = json.loads((Path(out_dir) / DONE).read_text())
    except (OSError, ValueError):
        return None
    files = done.get("files") if isinstance(done, dict) else None
    if not isinstance(files, dict) or not files:
        return None
    for name, vouched in files.items():
        if not isinstance(vouched, dict) or not _matches(Path(out_dir) / name, vouched):
            return None
    return done


def _matches(path: Path, vouched: dict[str, Any]) -> bool:
    try:
        return path.stat().st_size == vouched.get("size") and sha256(path) == vouched.get("sha256")
    except OSError:
        return False


def vouch(out: Path, names: Iterable[str]) -> dict[str, dict[str, Any]]:
    """The ``files`` part of a completion record: the size and SHA-256 of each named output, as
    :func:`read_done` checks them."""
    return {
        name: {"size": (out / name).stat().st_size, "sha256": sha256(out / name)} for name in names
    }


def sha256(path: Path) -> str:
    """Hex SHA-256 of a file's bytes."""
    with open(path, "rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


def is_complete(out_dir: Path, spec: RunSpec | None = None) -> bool:
    """True when the folder holds all outputs of a finished run (of ``spec``, if given)."""
    done = read_done(Path(out_dir))
    return done is not None and (spec is None or done.get("fingerprint") == spec.fingerprint())


def run_one(
    spec: RunSpec | Params | Mapping | Any,
    out_dir: Path | str,
    *,
    base_seed: int | None = None,
    replicate: int | None = None,
    plot: bool = False,
    force: bool = False,
) -> RunRecord:
    """Run one simulation into ``out_dir``, or skip it when that folder already holds it.

    ``spec`` is a :class:`RunSpec`, a :class:`Params`, a nested parameter mapping or a Hydra
    config; ``base_seed``/``replicate`` override the spec's. Returns a :class:`RunRecord`.
    """
    # Mesa and pandas: only where a run happens
    from csei_sim.run import atomic_write, simulate, stale_temporaries

    spec = _as_spec(spec, base_seed, replicate)
    out = Path(out_dir)
    done = read_done(out)
    if not force and done is not None and done.get("fingerprint") == spec.fingerprint():
        (out / DONE).touch()  # fresh mtime: progress counts confirmed runs too
        return RunRecord(out, spec.seed, True, done.get("summary", {}))
    tic = time.perf_counter()
    (out / DONE).unlink(missing_ok=True)  # from here on the folder is incomplete until redone
    for stale in stale_temporaries(out):  # of a writer killed mid-write, not a live one's
        stale.unlink(missing_ok=True)
    result = simulate(spec.params, seed=spec.seed)
    summary = summary_row(
        spec, result.summary_frame().iloc[0].to_dict(), set(result.timeseries.columns)
    )
    files = _write_outputs(out, spec, result, summary, plot)
    record = {
        "fingerprint": spec.fingerprint(),
        "seed": spec.seed,
        "base_seed": spec.base_seed,
        "replicate": spec.replicate,
        "scenario": spec.scenario,
        "choices": dict(spec.choices),
        **_posterior_record(spec),
        "summary": _jsonable(result.summary),
        "seconds": round(time.perf_counter() - tic, 3),
        "files": vouch(out, files),
    }
    atomic_write(out / DONE, lambda tmp: Path(tmp).write_text(json.dumps(record, indent=1)))
    return RunRecord(out, spec.seed, False, result.summary)


def _posterior_record(spec: RunSpec) -> dict[str, Any]:
    """What a run over a posterior records of its draw (nothing for a run without one)."""
    if spec.posterior is None:
        return {}
    return {
        "posterior_draw": {"source": spec.posterior, "draw": spec.draw, "values": dict(spec.drawn)}
    }


def summary_row(spec: RunSpec, outcomes: dict[str, Any], series: set[str]) -> dict[str, Any]:
    """A run's ``summary.parquet`` row, with the columns of the report's summary: base seed,
    replicate, seed, the group choices (``governance``, ...), every parameter under its flat name
    (``param_<name>`` where an outcome or a time series has that name), then the outcomes."""
    from csei_sim.experiment.results import group_choices, param_columns

    params = spec.params.flat()
    names = param_columns(params, set(outcomes) | series)
    seeds = {"base_seed": spec.base_seed, "replicate": spec.replicate, "seed": outcomes["seed"]}
    draw = {} if spec.posterior is None else {"draw": spec.draw}
    return {
        **seeds,
        **draw,
        **group_choices(spec.choices, params),
        **{names[k]: v for k, v in params.items()},
        **{k: v for k, v in outcomes.items() if k != "seed"},
    }


def _as_spec(spec: Any, base_seed: int | None, replicate: int | None) -> RunSpec:
    if isinstance(spec, Params):
        spec = RunSpec(Params.from_dict(spec.to_dict()))
    elif not isinstance(spec, RunSpec):
        spec = RunSpec.from_config(spec if spec is not None else {})
    if base_seed is not None or replicate is not None:
        spec = RunSpec(
            spec.params,
            spec.base_seed if base_seed is None else int(base_seed),
            spec.replicate if replicate is None else int(replicate),
            spec.scenario,
            spec.choices,
            spec.posterior,
            spec.per_draw,
            spec.undrawn,
        )
    return spec


def _write_outputs(out: Path, spec: RunSpec, result, summary: dict, plot: bool) -> list[str]:
    import pandas as pd

    from csei_sim.run import atomic_write, write_parquet

    config = {
        "seed": spec.seed,
        "base_seed": spec.base_seed,
        "replicate": spec.replicate,
        # over a posterior: the drawn values (done.json says what was drawn, and from where), so
        # CSEIModel.from_config rebuilds the run as it was, without drawing again
        **spec.params.to_dict(),
    }
    atomic_write(
        out / CONFIG,
        lambda tmp: Path(tmp).write_text(yaml.dump(config, Dumper=_YAML_DUMPER, sort_keys=False)),
    )
    frame = pd.DataFrame([summary])
    write_parquet(result.timeseries, out / "timeseries.parquet")
    atomic_write(out / "summary.parquet", lambda tmp: frame.to_parquet(tmp, index=False))
    atomic_write(out / "summary.csv", lambda tmp: frame.to_csv(tmp, index=False))
    atomic_write(out / "events.parquet", lambda tmp: result.events.to_parquet(tmp, index=False))
    files = [CONFIG, "timeseries.parquet", "summary.parquet", "summary.csv", "events.parquet"]
    if plot:
        from csei_sim.plots import save_membership_plot

        save_membership_plot(
            result.timeseries,
            out / "membership.png",
            title=f"Members by sector ({spec.params.region.name})",
        )
        files.append("membership.png")
    return files


def _jsonable(summary: Mapping[str, Any]) -> dict[str, Any]:
    return {
        k: (
            None
            if isinstance(v, float) and np.isnan(v)
            else v.item()
            if isinstance(v, np.generic)
            else v
        )
        for k, v in summary.items()
    }


def _run_job(spec: RunSpec, out_dir: Path, plot: bool) -> Path:
    run_one(spec, out_dir, plot=plot)
    return out_dir


def run_sweep(
    scenarios: Mapping[str, Params | Mapping[str, Any]],
    out_dir: Path | str,
    *,
    replicates: int | Sequence[int] = 1,
    base_seed: int = 2025,
    n_jobs: int = -1,
    plot: bool = False,
    progress: bool = True,
    posterior: str | None = None,
    per_draw: int = 1,
) -> list[Path]:
    """Run every scenario x replicate into ``out_dir/<scenario>/replicate=<r>``, in parallel.

    Scenarios map a label to parameters (a :class:`Params` or a nested or flat mapping). Complete
    runs are skipped, so calling it again resumes an interrupted sweep. With ``posterior`` every
    run draws its free parameters from it (:class:`RunSpec`), ``per_draw`` runs per draw.
    Parallel with joblib (``n_jobs=-1``: all cores); results do not depend on ``n_jobs``.
    Returns the run folders.
    """
    from joblib import Parallel, delayed

    from csei_sim import limits
    from csei_sim.experiment.lock import sweep_lock

    if isinstance(replicates, numbers.Integral) and not isinstance(replicates, bool):
        limits.check_count("replicates", replicates, 1, limits.MAX_REPLICATES)
        reps = range(replicates)
    else:
        reps = list(replicates)
    limits.check_runs("run_sweep", len(scenarios) * len(reps))
    limits.check_folder("out_dir", out_dir)
    root = Path(out_dir)
    jobs = []
    for label, params in scenarios.items():
        p = params if isinstance(params, Params) else Params.from_dict(dict(params))
        for rep in reps:
            spec = RunSpec(
                p,
                int(base_seed),
                int(rep),
                scenario=label,
                choices={},
                posterior=posterior,
                per_draw=per_draw,
            )
            jobs.append((spec, root / _safe(label) / f"replicate={rep}"))
    if len({d for _, d in jobs}) != len(jobs):
        raise ValueError("scenario labels must stay distinct after making them folder names")
    with sweep_lock(root):  # one sweep at a time in a folder
        tasks = (delayed(_run_job)(spec, path, plot) for spec, path in jobs)
        results = Parallel(n_jobs=n_jobs, return_as="generator_unordered")(tasks)
        if progress:
            from tqdm import tqdm

            results = tqdm(results, total=len(jobs), desc=f"sweep {root.name}", unit="run")
        list(results)
    return [path for _, path in jobs]


def _safe(label: str) -> str:
    from csei_sim.experiment.schema import dirname

    return dirname(label)
