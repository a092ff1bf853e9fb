"""Command line ``csei-sim-study NAME``: run (or resume) a study and write its report."""

from __future__ import annotations

import argparse
import importlib
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

from csei_sim import limits
from csei_sim.errors import CommandParser, Work, guarded
from csei_sim.experiment.lock import SweepBusy
from csei_sim.experiment.stats import CORRECTIONS
from csei_sim.params import ParameterError
from csei_sim.studies import scaffold
from csei_sim.studies.effects import CORRECTION, MARGIN, check_margin

# name -> (module in csei_sim.studies, its design, what it is); each module has a STUDY
STUDIES = {
    "informal_vs_formal": (
        "informal_vs_formal",
        "FULL",
        "Q1: informal vs formal governance -> experiments/informal_vs_formal/",
    ),
    "funding_scenarios": (
        "funding_scenarios",
        "FULL",
        "Q2: funding scenarios -> experiments/funding_scenarios/",
    ),
    "growth_drivers": (
        "growth_drivers",
        "FULL",
        "pool size x office staff x funding horizon x governance -> experiments/growth_drivers/",
    ),
    "quick": (
        "informal_vs_formal",
        "QUICK",
        "a few minutes' version of informal_vs_formal -> outputs/quick/",
    ),
}
DEFAULT_OUT = {"quick": "outputs/quick"}


def parser() -> argparse.ArgumentParser:
    p = CommandParser(
        prog="csei-sim-study",
        description="Run a study (resuming finished runs) and write its report.",
        epilog="studies: " + "; ".join(f"{k} ({v[2]})" for k, v in STUDIES.items()),
    )
    p.add_argument("name", choices=sorted(STUDIES), metavar="NAME", help=", ".join(STUDIES))
    p.add_argument(
        "--replicates",
        type=int,
        help="replicates per cell (default: the study's; also caps the flip map's)",
    )
    p.add_argument(
        "--equivalence-margin",
        type=float,
        help="a difference within this share of the larger mean is 'equivalent', no practical "
        f"difference; in (0, 1) (default {MARGIN:g}; study 1 and quick)",
    )
    p.add_argument(
        "--correction",
        choices=CORRECTIONS,
        help=f"multiple-comparison correction over each outcome's family of comparisons "
        f"(default {CORRECTION}; study 1 and quick)",
    )
    over = p.add_mutually_exclusive_group()
    over.add_argument(
        "--posterior",
        metavar="FOLDER",
        help="a csei-sim-calibrate output folder: each replicate draws the fitted parameters from "
        "its posterior (the study keeps only the case's region); the report adds prediction "
        "intervals and the share of the spread from the parameters",
    )
    over.add_argument(
        "--prior",
        metavar="CASE",
        help="as --posterior, drawing from the priors of a calibration case (a region with no fit)",
    )
    p.add_argument(
        "--runs-per-draw",
        type=int,
        default=2,
        help="runs per parameter draw with --posterior or --prior (default 2; at least 2 to split "
        "the spread); replicates are draws x runs",
    )
    p.add_argument("--n-jobs", type=int, default=2, help="parallel runs (default 2)")
    p.add_argument("--runs", type=Path, help="run folder (default multirun/study_<name>)")
    p.add_argument("--out", type=Path, help="report folder (default experiments/<name>)")
    return p


def design_of(
    name: str,
    replicates: int | None,
    margin: float | None = None,
    correction: str | None = None,
) -> tuple[Any, Any]:
    """The study's :class:`~csei_sim.studies.scaffold.Study` and its design, with the replicates,
    the equivalence margin or the correction changed if asked."""
    module, attribute, _ = STUDIES[name]
    study = importlib.import_module(f"csei_sim.studies.{module}")
    design = getattr(study, attribute)
    if replicates is not None:
        if replicates < 2:
            raise ValueError("--replicates: at least 2 are needed for confidence intervals")
        limits.check_count("--replicates", replicates, 2, limits.MAX_REPLICATES)
        design = replace(design, replicates=replicates)
        if hasattr(design, "flip_replicates"):
            design = replace(design, flip_replicates=min(design.flip_replicates, replicates))
    for flag, field, value in (
        ("--equivalence-margin", "margin", margin),
        ("--correction", "correction", correction),
    ):
        if value is None:
            continue
        if not hasattr(design, field):
            raise ValueError(f"{flag}: study {name!r} does not take it (informal_vs_formal does)")
        if field == "margin":
            try:
                check_margin(value)
            except ValueError as err:
                raise ValueError(f"{flag}: expected a number in (0, 1), got {value!r}") from err
        design = replace(design, **{field: value})
    return study.STUDY, design


def over_posterior(args: argparse.Namespace, design: Any) -> tuple[Any, Any]:
    """(source, design) for --posterior or --prior: the design keeps only the source's region
    when it has regions; (None, design) without either flag."""
    from csei_sim.calibration.posterior import PRIOR_PREFIX, source

    if args.posterior is None and args.prior is None:
        return None, design
    flag = "--posterior" if args.posterior is not None else "--prior"
    where = args.posterior if args.prior is None else f"{PRIOR_PREFIX}{args.prior}"
    limits.check_count("--runs-per-draw", args.runs_per_draw, 1, limits.MAX_REPLICATES)
    found = source(where, key=flag)
    regions = getattr(design, "regions", None)
    if regions is not None and found.region is not None:
        if found.region not in regions:
            raise ParameterError(
                flag, f"its case's region {found.region!r} is not in the study's {list(regions)}"
            )
        design = replace(design, regions=(found.region,))
    if design.replicates % args.runs_per_draw:
        raise ParameterError(
            "--replicates", f"give a multiple of --runs-per-draw ({args.runs_per_draw})"
        )
    return found, replace(design, posterior=where) if hasattr(design, "posterior") else design


def check_args(args: argparse.Namespace) -> tuple[Any, Any, Path, Path]:
    """(study, design, run folder, report folder) of parsed arguments, checked against
    :mod:`csei_sim.limits` before anything runs; :class:`ParameterError` naming the flag."""
    limits.check_jobs("--n-jobs", args.n_jobs)
    study, design = design_of(args.name, args.replicates, args.equivalence_margin, args.correction)
    found, design = over_posterior(args, design)
    tag = "" if found is None else f"/posterior/{found.label}"
    runs = args.runs or Path(f"multirun/study_{design.name}{tag.replace('/', '_')}")
    out = args.out or Path(DEFAULT_OUT.get(args.name, f"experiments/{args.name}") + tag)
    limits.check_folder("--runs", runs)  # both before any run: not a file, writable
    limits.check_folder("--out", out)
    return study, design, runs, out


def main(argv: list[str] | None = None) -> int:
    """Entry point; returns the exit code (2 for bad input, before anything runs)."""
    return guarded("csei-sim-study", list(sys.argv[1:] if argv is None else argv), _main)


def _main(argv: list[str], work: Work) -> int:
    args = parser().parse_args(argv)
    command = " ".join(["csei-sim-study", *argv])
    try:
        study, design, runs, out = check_args(args)
        work.folder = runs
        where = args.posterior if args.prior is None else f"prior:{args.prior}"
        over = {} if where is None else {"posterior": where, "per_draw": args.runs_per_draw}
        path = scaffold.run(study, design, runs, out, n_jobs=args.n_jobs, command=command, **over)
    except (ValueError, ParameterError, SweepBusy) as err:
        print(f"csei-sim-study: error: {err}", file=sys.stderr)
        return 2
    print(f"wrote {path}")
    return 0
