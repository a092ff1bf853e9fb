"""Command line ``csei-sim``: a Hydra app running one simulation, or a sweep with ``-m``.

    csei-sim                                   # the main job: quick study -> outputs/quick/
    csei-sim seed=2025                         # one run on the defaults -> outputs/seed=2025/
    csei-sim region=vasterbotten governance=gradual
    csei-sim -m experiment=informal_vs_formal  # -> multirun/informal_vs_formal/<overrides>/
    csei-sim --help                            # groups and their options
    csei-sim explore ...                       # the explorer (csei_sim.viz.launch)
    csei-sim report <sweep_dir> [--out DIR]    # the same as csei-sim-report
    csei-sim exchange [overrides]              # the peer-exchange study (csei-sim-exchange)
    csei-sim study NAME [--replicates N]       # the same as csei-sim-study (a whole study)
    csei-sim calibrate CASE [--validate]       # the same as csei-sim-calibrate (ABC-SMC fit)

Before Hydra starts, every job of the command is composed and validated
(:mod:`csei_sim.experiment.validate`), so bad input stops with one line and writes nothing. In a
sweep, the sweeper hands the launcher blocks of replicates (:mod:`csei_sim.experiment.blocks`):
one Hydra job runs several runs, each into its own folder. A sweep holds its study folder
(:mod:`csei_sim.experiment.lock`), and a fault once work has started is one line saying how much
was finished (:mod:`csei_sim.errors`; ``--debug`` for the traceback).
"""

from __future__ import annotations

import logging
import os
import sys
from contextlib import nullcontext
from pathlib import Path

import hydra
from hydra.core.hydra_config import HydraConfig
from hydra.types import RunMode
from omegaconf import DictConfig

from csei_sim.errors import Work, carried, guarded
from csei_sim.experiment import schema  # registers the schema and resolver
from csei_sim.experiment.guard import INFO_FLAGS, check_command
from csei_sim.experiment.lock import SweepBusy, sweep_lock
from csei_sim.experiment.runner import RunSpec, run_one
from csei_sim.experiment.validate import ConfigError, Plan, plan

PROG = "csei-sim"
CONFIG_PATH = str(Path(__file__).resolve().parent / "configs")  # absolute: a plain folder
CONFIG_NAME = "config"
log = logging.getLogger(PROG)


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``csei-sim``; returns the exit code."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv:  # the main job (`make run`): a quick version of the informal-vs-formal study
        return _study(["quick"])
    if argv[0] == "study":
        return _study(argv[1:])
    if argv and argv[0] == "explore":
        return _explore(argv[1:])
    if argv and argv[0] == "exchange":
        from csei_sim.multiregion.study import main as exchange_main

        return exchange_main(argv[1:])
    if argv and argv[0] == "calibrate":
        from csei_sim.calibration.cli import main as calibrate_main

        return calibrate_main(argv[1:])
    if argv and argv[0] == "report":
        from csei_sim.experiment.report import main as report_main

        return report_main(argv[1:])
    return guarded(PROG, argv, _run)


def _run(argv: list[str], work: Work) -> int:
    """Check the whole command, then hand it to Hydra, holding the study folder of a sweep."""
    try:
        checked = validate_command(argv)
    except ConfigError as err:
        print(f"{PROG}: error: {err}", file=sys.stderr)
        return 2
    if checked is not None:
        work.folder = checked.sweep_dir or checked.run_dirs[0]
        work.total = len(checked.run_dirs)
    saved, full_error = sys.argv, os.environ.get("HYDRA_FULL_ERROR")
    sys.argv = [PROG, *argv]
    # Hydra then raises what a job raised instead of printing it; guarded() says it in one line
    os.environ["HYDRA_FULL_ERROR"] = "1"
    try:
        with sweep_lock(checked.sweep_dir) if checked and checked.multirun else nullcontext():
            _hydra_app()
    except SweepBusy as err:
        print(f"{PROG}: error: {err}", file=sys.stderr)
        return 2
    except SystemExit as stop:  # Hydra exits with 1 on its own errors
        return stop.code if isinstance(stop.code, int) else 1
    finally:
        sys.argv = saved
        if full_error is None:
            os.environ.pop("HYDRA_FULL_ERROR", None)
        else:
            os.environ["HYDRA_FULL_ERROR"] = full_error
    return 0


def report_main(argv: list[str] | None = None) -> int:
    """Entry point of ``csei-sim-report``."""
    from csei_sim.experiment.report import main as report_cli

    return report_cli(sys.argv[1:] if argv is None else argv)


def _study(argv: list[str]) -> int:
    from csei_sim.studies.cli import main as study_main

    return study_main(argv)


def _explore(argv: list[str]) -> int:
    try:
        from csei_sim.viz.launch import main as explore_main
    except ImportError as err:
        print(f"{PROG}: error: explore: the explorer is not available ({err})", file=sys.stderr)
        return 2
    return explore_main(argv) or 0


def validate_command(argv: list[str]) -> Plan | None:
    """Every check of a command line, before Hydra starts: its flags and names, then every job
    it asks for (none for the flags that only print). Raises :class:`ConfigError` with one line;
    writes nothing."""
    check_command(argv, Path(CONFIG_PATH))  # before Hydra reads any config, for every flag
    return None if INFO_FLAGS.intersection(argv) else preflight(argv)


def preflight(argv: list[str]) -> Plan:
    """Compose and validate every job the command line asks for, as Hydra will; the plan of the
    runs, or :class:`ConfigError` with one line. Writes nothing."""
    from hydra._internal.hydra import Hydra
    from hydra._internal.utils import create_automatic_config_search_path, get_args_parser
    from hydra.core.global_hydra import GlobalHydra

    args = get_args_parser().parse_args(argv)
    search_path = create_automatic_config_search_path(__file__, None, CONFIG_PATH)
    if args.config_dir is not None:
        search_path.prepend("command-line", f"file://{Path(args.config_dir).resolve()}")
    config_name = args.config_name or CONFIG_NAME
    try:
        app = Hydra.create_main_hydra2(task_name=PROG, config_search_path=search_path)
        overrides = list(args.overrides)
        if args.multirun:
            return plan(app.config_loader, overrides, True, config_name)
        try:  # a single run, unless the composed config says it is a sweep (hydra.mode)
            return plan(app.config_loader, overrides, False, config_name)
        except ConfigError:
            # a sweep's overrides do not compose as a single run: ask Hydra which it is
            if app.get_mode(config_name=config_name, overrides=overrides) != RunMode.MULTIRUN:
                raise
            return plan(app.config_loader, overrides, True, config_name)
    except ConfigError:
        raise
    except Exception as err:  # noqa: BLE001 - anything Hydra raises is a config fault here
        from csei_sim.experiment.validate import explain

        raise ConfigError(explain(err)) from err
    finally:
        GlobalHydra.instance().clear()


@hydra.main(version_base="1.3", config_path=CONFIG_PATH, config_name=CONFIG_NAME)
def _hydra_app(cfg: DictConfig) -> None:
    """One Hydra job: run (or skip, when complete) the simulation into the job's output folder,
    then the further replicates of its block, if any, each into its own folder."""
    carried(lambda: _job(cfg))


def _job(cfg: DictConfig) -> None:
    hc = HydraConfig.get()
    out = Path(hc.runtime.output_dir)
    spec = RunSpec.from_config(cfg, choices=_choices(list(hc.overrides.task)))
    # the PNG costs more than the run itself: by default only for a single run
    plot = hc.mode == RunMode.RUN if cfg.plot is None else bool(cfg.plot)
    record = run_one(spec, out, plot=plot)
    if cfg.block:
        from csei_sim.experiment.blocks import siblings

        log.info("%s %s", "skipped (complete)" if record.skipped else "finished", out)
        for path, sibling in siblings(cfg.block, spec, list(hc.overrides.task), hc):
            done = run_one(sibling, path, plot=plot)
            log.info("%s %s", "skipped (complete)" if done.skipped else "finished", path)
        return
    if hc.mode == RunMode.RUN:
        summary = "\n".join(f"{k:>24}  {v}" for k, v in record.summary.items())
        print(f"{summary}\n{'skipped (already complete): ' if record.skipped else 'wrote '}{out}/")
    else:
        log.info("%s %s", "skipped (complete)" if record.skipped else "finished", out)


def _choices(task_overrides: list[str]) -> dict[str, str]:
    """The overrides that define a run's scenario (seed and replicate are kept apart)."""
    out: dict[str, str] = {}
    for item in task_overrides:
        key, sep, value = item.partition("=")
        key = key.lstrip("+~")
        if sep and key not in schema.CONTROL_KEYS:
            out[key] = value
    return out


if __name__ == "__main__":
    raise SystemExit(main())
