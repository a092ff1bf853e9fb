"""Command line ``csei-sim-analysis`` (also ``python -m csei_sim.sensitivity``).

    csei-sim-analysis morris [--trajectories 8]          # screen every main parameter
    csei-sim-analysis sobol  [--samples 128 --top 8]     # Sobol indices of Morris's top factors
    csei-sim-analysis prim   [--samples 300]             # PRIM: informal beats formal; survival
    csei-sim-analysis report                             # rebuild report.md and figures
    csei-sim-analysis headline sobol|prim [--samples N]  # study 1's informal-minus-formal

Results go to ``experiments/sensitivity/<analysis>/`` (``--out``; the headline's to
``experiments/sensitivity/headline_<method>/``), the report to
``experiments/sensitivity/`` (``--report-dir``). Runs are resumable: the same command again skips
every finished run. Bad input stops with one line naming the key and what is allowed.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import yaml

from csei_sim import limits
from csei_sim.errors import CommandParser, Work, guarded
from csei_sim.experiment.lock import SweepBusy
from csei_sim.experiment.runner import MAX_SEED
from csei_sim.params import ParameterError
from csei_sim.sensitivity import studies
from csei_sim.sensitivity.factors import DEFAULT_PRESETS, FactorSpace, base_params
from csei_sim.sensitivity.outcomes import NAMES

PROG = "csei-sim-analysis"
ROOT = Path("experiments/sensitivity")
# PRIM looks at the Morris leaders plus the levers that set the two governance modes apart
PRIM_GOVERNANCE = (
    "shared_capacity",
    "capacity_per_fte",
    "setup_months",
    "office_cost",
    "formal_fee",
)


def parser() -> argparse.ArgumentParser:
    p = CommandParser(prog=PROG, description=__doc__.split("\n\n")[0])
    sub = p.add_subparsers(dest="command", required=True)
    m = _common(sub.add_parser("morris", help="Morris screening of all main parameters"))
    m.add_argument("--trajectories", type=int, default=8, help="Morris trajectories (r)")
    m.add_argument("--levels", type=int, default=4, help="grid levels (even)")
    m.add_argument("--resamples", type=int, default=1000, help="bootstrap resamples")
    s = _common(sub.add_parser("sobol", help="Sobol indices of the most influential factors"))
    s.add_argument("--samples", type=int, default=128, help="base samples N (power of 2)")
    s.add_argument("--top", type=int, default=8, help="factors taken from the Morris ranking")
    s.add_argument("--resamples", type=int, default=1000, help="bootstrap resamples")
    s.set_defaults(replicates=1)  # N matters more; the noise share comes from the Morris step
    r = _common(
        sub.add_parser("prim", help="PRIM scenario discovery (informal vs formal, survival)")
    )
    r.add_argument("--samples", type=int, default=300, help="Latin hypercube points")
    r.add_argument("--top", type=int, default=8, help="factors taken from the Morris ranking")
    r.add_argument("--add", default=",".join(PRIM_GOVERNANCE), help="factors added to the top")
    r.add_argument("--compare", default="members_2035", help=f"one of {', '.join(NAMES)}")
    r.add_argument("--survival-threshold", type=float, default=0.9)
    r.add_argument("--min-coverage", type=float, default=0.5)
    r.add_argument("--max-dims", type=int, default=3)
    r.add_argument("--alpha", type=float, default=0.05, help="drop restrictions with qp above")
    rep = sub.add_parser("report", help="rebuild the report from the analysis folders")
    rep.add_argument("--report-dir", type=Path, default=ROOT)
    _headline(sub.add_parser("headline", help="Sobol or PRIM of informal minus formal"))
    return p


def _headline(h: argparse.ArgumentParser) -> None:
    from csei_sim.sensitivity import headline as hl

    h.add_argument("method", choices=("sobol", "prim"))
    h.add_argument(
        "--samples",
        type=int,
        help=f"Sobol base samples (power of 2, default {hl.SOBOL_SAMPLES}) or PRIM points "
        f"(default {hl.PRIM_SAMPLES})",
    )
    h.add_argument("--spec", type=Path, default=hl.SPEC, help="factors, fundings and outcomes")
    h.add_argument("--out", type=Path, help="folder (default experiments/sensitivity/headline_X)")
    h.add_argument("--preset", action="append", default=[], metavar="GROUP=NAME")
    h.add_argument("--set", action="append", default=[], metavar="KEY=VALUE")
    h.add_argument("--replicates", type=int, default=1, help="paired runs per point, averaged")
    h.add_argument("--base-seed", type=int, default=2025)
    h.add_argument("--seed", type=int, default=1, help="seed of the design and bootstrap")
    h.add_argument("--n-jobs", type=int, default=2)
    h.add_argument("--min-coverage", type=float, default=0.5)
    h.add_argument("--max-dims", type=int, default=3)
    h.add_argument("--alpha", type=float, default=0.05)
    h.add_argument("--quiet", action="store_true", help="no progress bar")


def run_headline(args: argparse.Namespace) -> Path:
    from csei_sim.sensitivity import headline as hl

    default = hl.SOBOL_SAMPLES if args.method == "sobol" else hl.PRIM_SAMPLES
    settings = hl.Settings(
        method=args.method,
        out=args.out or ROOT / f"headline_{args.method}",
        spec=hl.Spec.load(args.spec),
        samples=default if args.samples is None else args.samples,
        replicates=args.replicates,
        base_seed=args.base_seed,
        seed=args.seed,
        n_jobs=args.n_jobs,
        progress=not args.quiet,
        choices=_pairs(args.preset, "--preset"),
        overrides=_pairs(args.set, "--set"),
        min_coverage=args.min_coverage,
        max_dims=args.max_dims,
        alpha=args.alpha,
    )
    return hl.run(settings)


def _common(p: argparse.ArgumentParser) -> argparse.ArgumentParser:
    p.add_argument("--out", type=Path, help="analysis folder (default experiments/sensitivity/X)")
    p.add_argument("--report-dir", type=Path, default=ROOT, help="where report.md goes")
    p.add_argument("--no-report", action="store_true", help="do not rebuild the report")
    p.add_argument("--factors", help="comma-separated factors (default: see the docs)")
    p.add_argument("--morris", type=Path, help="Morris folder to rank factors from")
    p.add_argument(
        "--preset",
        action="append",
        default=[],
        metavar="GROUP=NAME",
        help=f"base preset per group (default {_presets_text()})",
    )
    p.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="base parameter, e.g. region.n_organisations=40 or steps=132",
    )
    p.add_argument("--replicates", type=int, default=2, help="runs per point, averaged")
    p.add_argument("--base-seed", type=int, default=2025, help="seed the run seeds spawn from")
    p.add_argument("--seed", type=int, default=1, help="seed of the design and bootstrap")
    p.add_argument("--n-jobs", type=int, default=2, help="parallel runs (joblib)")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    return p


def _presets_text() -> str:
    return " ".join(f"{k}={v}" for k, v in DEFAULT_PRESETS.items())


def _pairs(items: list[str], what: str) -> dict[str, Any]:
    out = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise ParameterError(what, f"expected KEY=VALUE, got {item!r}")
        out[key.strip()] = yaml.safe_load(value) if what == "--set" else value.strip()
    return out


def _names(text: str | None) -> list[str]:
    return [n.strip() for n in (text or "").split(",") if n.strip()]


def _space(args: argparse.Namespace) -> FactorSpace:
    """Factors from --factors, else the Morris top --top (plus --add for PRIM), else all."""
    if args.factors:
        return FactorSpace.of(_names(args.factors))
    if args.command == "morris":
        return FactorSpace.full()
    from csei_sim.sensitivity.report import morris_top

    folder = args.morris or args.report_dir / "morris"
    top = morris_top(folder, args.top)
    if top is None:
        raise ParameterError("--morris", f"no Morris results in {folder}; run morris first")
    return FactorSpace.of([*top, *_names(getattr(args, "add", ""))])


def _common_settings(args: argparse.Namespace) -> studies.Common:
    choices, overrides = _pairs(args.preset, "--preset"), _pairs(args.set, "--set")
    for name, value in (("replicates", args.replicates), ("n-jobs", args.n_jobs)):
        if value == 0 or value < -1 or (name == "replicates" and value < 1):
            raise ParameterError(f"--{name}", f"must be positive (n-jobs may be -1), got {value}")
    space = _space(args)
    check_runs(args, len(space.names))
    return studies.Common(
        out=args.out or args.report_dir / args.command,
        base=base_params(choices, overrides),
        space=space,
        replicates=args.replicates,
        base_seed=args.base_seed,
        seed=args.seed,
        n_jobs=args.n_jobs,
        progress=not args.quiet,
        choices={"presets": {**DEFAULT_PRESETS, **choices}, "set": overrides},
    )


def run(args: argparse.Namespace) -> Path:
    """Carry out one parsed command; returns the folder written."""
    if args.command == "report":
        from csei_sim.sensitivity.report import write_report

        return write_report(args.report_dir)
    if args.command == "headline":
        return run_headline(args)
    c = _common_settings(args)
    if args.command == "morris":
        out = studies.run_morris(
            c, trajectories=args.trajectories, levels=args.levels, resamples=args.resamples
        )
    elif args.command == "sobol":
        out = studies.run_sobol(c, samples=args.samples, resamples=args.resamples)
    else:
        if args.compare not in NAMES:
            raise ParameterError("--compare", f"{args.compare!r} is not one of {', '.join(NAMES)}")
        settings = studies.PrimSettings(
            samples=args.samples,
            compare=args.compare,
            survival_threshold=args.survival_threshold,
            min_coverage=args.min_coverage,
            max_dims=args.max_dims,
            alpha=args.alpha,
        )
        out = studies.run_prim(c, settings)
    if not args.no_report:
        from csei_sim.sensitivity.report import write_report

        write_report(args.report_dir)
    return out


def check_limits(args: argparse.Namespace) -> None:
    """Every size, fraction and folder of the command against :mod:`csei_sim.limits`, before
    anything is sampled, allocated or written; :class:`ParameterError` naming the flag."""
    for flag in ("out", "report_dir"):
        if getattr(args, flag, None) is not None:
            limits.check_folder(f"--{flag.replace('_', '-')}", getattr(args, flag))
    if args.command == "report":
        return
    counts = {
        "trajectories": (2, limits.MAX_TRAJECTORIES),
        "levels": (2, 100),
        "resamples": (1, limits.MAX_RESAMPLES),
        "samples": (4 if args.command == "prim" else 2, limits.MAX_SAMPLES),
        "top": (1, limits.MAX_FACTORS),
        "max_dims": (1, limits.MAX_FACTORS),
        "replicates": (1, limits.MAX_REPLICATES),
        "base_seed": (0, MAX_SEED),
        "seed": (0, 2**32 - 1),
    }
    for name, (lo, hi) in counts.items():
        # None: the command's own default, chosen per method (headline's --samples)
        if getattr(args, name, None) is not None:
            limits.check_count(f"--{name.replace('_', '-')}", getattr(args, name), lo, hi)
    limits.check_jobs("--n-jobs", args.n_jobs)
    if args.command == "prim":
        limits.check_fraction("--survival-threshold", args.survival_threshold)
        limits.check_fraction("--min-coverage", args.min_coverage)
        limits.check_fraction("--alpha", args.alpha, open_low=True)


def check_runs(args: argparse.Namespace, factors: int) -> None:
    """The runs the design will ask for, from its size alone (nothing sampled yet)."""
    points = {
        "morris": lambda: args.trajectories * (factors + 1),
        "sobol": lambda: args.samples * (factors + 2),
        "prim": lambda: args.samples * 2,  # informal and formal at every point
    }[args.command]()
    limits.check_runs(f"{args.command}: the design", points * args.replicates)


def main(argv: list[str] | None = None) -> int:
    """Entry point; returns the exit code (2 for bad input)."""
    return guarded(PROG, list(sys.argv[1:] if argv is None else argv), _main)


def _main(argv: list[str], work: Work) -> int:
    args = parser().parse_args(argv)
    try:
        check_limits(args)
        if args.command != "report":
            work.folder = args.out or args.report_dir / args.command
        out = run(args)
    except (ParameterError, ValueError, SweepBusy) as err:
        print(f"{PROG}: error: {err}", file=sys.stderr)
        return 2
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
