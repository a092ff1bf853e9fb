"""The peer-exchange study as a Hydra app: ``csei-sim-exchange``.

``python -m csei_sim.multiregion`` is the same command.

    csei-sim-exchange                                  # one multi-region run, exchange=full
    csei-sim-exchange exchange=none replicate=3        # one run without exchange
    csei-sim-exchange -m                               # the study: 4 variants x 30 replicates
    csei-sim-exchange -m hydra/launcher=slurm          # the same on a SLURM cluster
    csei-sim-exchange report multirun/peer_exchange --out experiments/peer_exchange

A run folder holds ``config.yaml`` (resolved, with its seeds), ``timeseries.parquet`` (region x
month), ``summary.parquet`` (one row per region), ``events.parquet`` (the exchange events) and last
``done.json``, all written atomically; a complete folder with the same fingerprint is skipped, so
re-running the sweep resumes it. A sweep holds its study folder (:mod:`csei_sim.experiment.lock`):
a second sweep into the same folder refuses in one line naming the first one's process id.
Replicate ``r`` of base seed ``s`` runs the multi-region model with seed
:func:`csei_sim.experiment.runner.run_seed` ``(s, r)``, and the regions' and the exchange's
streams are spawned from that. Variants of one replicate share these seeds, so comparisons
between them are paired (common random numbers).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import subprocess
import sys
import time
from contextlib import nullcontext
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import hydra
from hydra.core.config_store import ConfigStore
from hydra.core.hydra_config import HydraConfig
from hydra.types import RunMode
from omegaconf import DictConfig, OmegaConf

from csei_sim import presets
from csei_sim.code_digest import code_digest
from csei_sim.errors import Work
from csei_sim.experiment import schema as _schema  # noqa: F401 - registers csei.dirname
from csei_sim.experiment.lock import SweepBusy, sweep_lock
from csei_sim.experiment.runner import (
    DONE,
    check_seed,
    model_code_digest,
    read_done,
    run_seed,
    vouch,
)
from csei_sim.multiregion.model import MultiRegionModel
from csei_sim.multiregion.params import ExchangeParams
from csei_sim.params import ParameterError, Params
from csei_sim.run import atomic_write

PROG = "csei-sim-exchange"
log = logging.getLogger(PROG)
SCHEMA_NAME = "peer_exchange_schema"
CONFIG_NAME = "peer_exchange"
SEED_KEYS = ("replicate", "seed")
OUTPUTS = ("config.yaml", "timeseries.parquet", "summary.parquet", "events.parquet")


@dataclass
class StudyConfig:
    """Schema of ``peer_exchange.yaml``: misspelt keys and wrong types are errors."""

    seed: int = 2025
    replicate: int = 0
    steps: int = 144
    start: str = "2025-01"
    study: str = "peer_exchange"
    regions: dict[str, Params] = field(default_factory=dict)
    exchange: ExchangeParams = field(default_factory=ExchangeParams)


ConfigStore.instance().store(name=SCHEMA_NAME, node=StudyConfig)
if not OmegaConf.has_resolver("csei.configs_dir"):  # where the preset groups live, installed or not
    OmegaConf.register_new_resolver("csei.configs_dir", lambda: str(presets.CONFIG_DIR))


EXCHANGE_MODULES = ("model", "events", "partners", "regions", "params")


@cache
def exchange_code_digest() -> str:
    """Hash of the code (not the comments or docstrings) of the multi-region model's modules."""
    return code_digest(Path(__file__).parent, EXCHANGE_MODULES)


@cache
def git_revision() -> str:
    """The working tree's commit (``-dirty`` when it has changes), or "unknown"."""
    try:
        done = subprocess.run(
            ["git", "describe", "--always", "--dirty", "--abbrev=12"],
            capture_output=True,
            text=True,
            check=True,
            cwd=Path(__file__).parent,
        )
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return done.stdout.strip() or "unknown"


@dataclass(frozen=True)
class StudySpec:
    """One multi-region run: regions, exchange, seeds, and the variant's label."""

    regions: dict[str, Params]
    exchange: ExchangeParams
    base_seed: int
    replicate: int
    steps: int
    start: str
    variant: str = "adhoc"

    @property
    def seed(self) -> int:
        return run_seed(self.base_seed, self.replicate)

    @classmethod
    def from_config(cls, cfg: Any, variant: str = "adhoc") -> StudySpec:
        """From a composed config (DictConfig or nested dict); ParameterError names a bad key."""
        data = OmegaConf.to_container(cfg, resolve=True) if isinstance(cfg, DictConfig) else cfg
        steps, start = int(data.get("steps", 144)), str(data.get("start", "2025-01"))
        regions = {}
        for name, groups in (data.get("regions") or {}).items():
            groups = {k: v for k, v in groups.items() if k not in ("steps", "start")}
            try:
                regions[name] = Params.from_dict(groups, steps=steps, start=start)
            except ParameterError as err:
                raise ParameterError(
                    f"regions.{name}.{err.key}", str(err).split(": ", 1)[1]
                ) from err
        if not regions:
            raise ParameterError("regions", "at least one region is needed")
        check_seed("seed", data.get("seed", 2025))
        check_seed("replicate", data.get("replicate", 0))
        return cls(
            regions,
            ExchangeParams.from_dict(data.get("exchange")),
            int(data.get("seed", 2025)),
            int(data.get("replicate", 0)),
            steps,
            start,
            variant,
        )

    def fingerprint(self) -> str:
        """Hash of what determines the results: parameters, seed, the model's and this code."""
        text = json.dumps(
            {
                "regions": {k: p.to_dict() for k, p in self.regions.items()},
                "exchange": self.exchange.to_dict(),
                "seed": self.seed,
                "code": model_code_digest(),
                "exchange_code": exchange_code_digest(),
            },
            sort_keys=True,
        )
        return hashlib.sha256(text.encode()).hexdigest()[:16]

    def build(self) -> MultiRegionModel:
        return MultiRegionModel(
            self.regions, self.exchange, seed=self.seed, steps=self.steps, start=self.start
        )


def run_study_job(spec: StudySpec, out_dir: Path | str, force: bool = False) -> bool:
    """Run one multi-region simulation into ``out_dir``; False when it was already complete."""
    out = Path(out_dir)
    done = read_done(out)
    if not force and done is not None and done.get("fingerprint") == spec.fingerprint():
        (out / DONE).touch()  # progress counts confirmed runs too
        return False
    tic = time.perf_counter()
    (out / DONE).unlink(missing_ok=True)
    mr = spec.build().run()
    labels = {
        "variant": spec.variant,
        "replicate": spec.replicate,
        "base_seed": spec.base_seed,
        "run_seed": spec.seed,
    }
    config = {
        **labels,
        "steps": spec.steps,
        "start": spec.start,
        "exchange": spec.exchange.to_dict(),
        "regions": {k: p.to_dict() for k, p in spec.regions.items()},
    }
    atomic_write(
        out / "config.yaml",
        lambda tmp: Path(tmp).write_text(OmegaConf.to_yaml(OmegaConf.create(config))),
    )
    for name, frame in (
        ("timeseries", mr.timeseries()),
        ("summary", mr.summary()),
        ("events", mr.events()),
    ):
        frame = frame.assign(**labels)
        atomic_write(out / f"{name}.parquet", lambda tmp, f=frame: f.to_parquet(tmp, index=False))
    record = {
        "fingerprint": spec.fingerprint(),
        **labels,
        "git_revision": git_revision(),
        "seconds": round(time.perf_counter() - tic, 3),
        "files": vouch(out, OUTPUTS),
    }
    atomic_write(out / DONE, lambda tmp: Path(tmp).write_text(json.dumps(record, indent=1)))
    return True


def _variant(task_overrides: list[str]) -> str:
    for item in task_overrides:
        key, _, value = item.partition("=")
        if key.lstrip("+~") == "exchange":
            return value
    return "full"


@hydra.main(version_base="1.3", config_path="conf", config_name=CONFIG_NAME)
def _hydra_app(cfg: DictConfig) -> None:
    hc = HydraConfig.get()
    out = Path(hc.runtime.output_dir)
    spec = StudySpec.from_config(_job_part(cfg), variant=_variant(list(hc.overrides.task)))
    ran = run_study_job(spec, out)
    if hc.mode == RunMode.RUN:
        print(f"{'wrote' if ran else 'skipped (already complete):'} {out}/")
    else:  # in a sweep the progress bar reports; the job's log keeps the line
        log.info("%s %s", "finished" if ran else "skipped (complete)", out)


def preflight(argv: list[str]) -> int:
    """Compose and check every job the command line asks for; returns how many there are."""
    return _preflight(argv)[0]


def _preflight(argv: list[str]) -> tuple[int, Path | None]:
    """(how many jobs the command line asks for, the study folder of a sweep or None)."""
    from hydra._internal.hydra import Hydra
    from hydra._internal.utils import create_automatic_config_search_path, get_args_parser
    from hydra.core.global_hydra import GlobalHydra

    from csei_sim.experiment.guard import check_config, check_writable
    from csei_sim.experiment.validate import ConfigError, expand_sweep, explain

    args = get_args_parser().parse_args(argv)
    search_path = create_automatic_config_search_path(__file__, None, "conf")
    loader = None
    try:
        app = Hydra.create_main_hydra2(task_name=PROG, config_search_path=search_path)
        loader, overrides = app.config_loader, list(args.overrides)
        if not args.multirun:
            cfg = loader.load_configuration(CONFIG_NAME, overrides, RunMode.RUN)
            check_config(cfg)
            StudySpec.from_config(_job_part(cfg))
            check_writable(Path(str(cfg.hydra.run.dir)), "hydra.run.dir")
            return 1, None
        primary = loader.load_configuration(CONFIG_NAME, overrides, RunMode.MULTIRUN)
        check_config(primary)
        sweep_dir = Path(str(primary.hydra.sweep.dir))
        check_writable(sweep_dir, "hydra.sweep.dir")
        jobs = expand_sweep(
            list(primary.hydra.overrides.task),
            dict(primary.hydra.sweeper.get("params") or {}),
            loader,
        )
        # replicates differ only in seeds: compose each other combination once
        scenarios = {tuple(o for o in job if o.split("=")[0] not in SEED_KEYS) for job in jobs}
        for job in jobs:
            for item in job:
                key, _, value = item.partition("=")
                if key in SEED_KEYS and not value.lstrip("-").isdigit():
                    raise ConfigError(f"{key}: expected an integer, got {value!r}")
                if key in SEED_KEYS:
                    check_seed(key, int(value))
        for scenario in sorted(scenarios):
            StudySpec.from_config(_job_part(loader.load_sweep_config(primary, list(scenario))))
        return len(jobs), sweep_dir
    except ConfigError:
        raise
    except Exception as err:  # noqa: BLE001 - anything Hydra raises here is a config fault
        raise ConfigError(explain(err, loader)) from err
    finally:
        GlobalHydra.instance().clear()


def _job_part(cfg: DictConfig) -> DictConfig:
    return OmegaConf.masked_copy(cfg, [k for k in cfg if k != "hydra"])


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``csei-sim-exchange``; ``report`` writes the study's report."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] == "report":
        from csei_sim.multiregion.report import main as report_main

        return report_main(argv[1:])
    from csei_sim.errors import guarded

    return guarded(PROG, argv, _run)


def _run(argv: list[str], work: Work) -> int:
    from csei_sim.experiment.guard import INFO_FLAGS, check_command
    from csei_sim.experiment.validate import ConfigError

    try:
        check_command(argv)  # before Hydra reads any config, for every flag
        if not INFO_FLAGS.intersection(argv):
            work.total, work.folder = _preflight(argv)
    except ConfigError as err:
        print(f"{PROG}: error: {err}", file=sys.stderr)
        return 2
    saved, sys.argv = sys.argv, [PROG, *argv]
    full_error = os.environ.get("HYDRA_FULL_ERROR")
    os.environ["HYDRA_FULL_ERROR"] = "1"  # a job's error reaches guarded(): one line
    try:
        # a sweep holds its study folder, so two sweeps never write the same run folders
        with sweep_lock(work.folder) if work.folder is not None else nullcontext():
            _hydra_app()
    except SweepBusy as err:
        print(f"{PROG}: error: {err}", file=sys.stderr)
        return 2
    except SystemExit as stop:
        return stop.code if isinstance(stop.code, int) else 1
    finally:
        sys.argv = saved
        if full_error is None:
            os.environ.pop("HYDRA_FULL_ERROR", None)
        else:
            os.environ["HYDRA_FULL_ERROR"] = full_error
    return 0
