"""Command line ``csei-sim-calibrate CASE`` (also ``csei-sim calibrate CASE``).

    csei-sim-calibrate vasterbotten             # -> experiments/calibration/vasterbotten/
    csei-sim-calibrate torino --workers 2 --seed 7
    csei-sim-calibrate my_cluster.yaml --out results/   # a case file of one's own
    csei-sim-calibrate vasterbotten --resume            # go on from the saved generations
    csei-sim-calibrate hamburg --validate               # predict from the priors alone and score

A bad case file stops with one line naming the key (exit code 2) and writes nothing.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from csei_sim.errors import CommandParser
from csei_sim.params import ParameterError

PROG = "csei-sim-calibrate"
OUT_ROOT = Path("experiments") / "calibration"


def parser() -> argparse.ArgumentParser:
    p = CommandParser(prog=PROG, description="Fit a case with ABC-SMC (pyabc).")
    p.add_argument("case", help="a shipped case (vasterbotten, torino, hamburg) or a YAML file")
    p.add_argument("--seed", type=int, default=2025, help="base seed (same seed, same posterior)")
    p.add_argument("--populations", type=int, help="generations (default: the case's)")
    p.add_argument("--population-size", type=int, help="particles (default: the case's)")
    p.add_argument(
        "--workers", type=int, default=os.cpu_count() or 1, help="local processes (all cores)"
    )
    p.add_argument("--out", type=Path, help=f"output folder (default {OUT_ROOT}/<case>)")
    p.add_argument("--resume", action="store_true", help="continue from the folder's abc.db")
    p.add_argument(
        "--validate", action="store_true", help="also score the prior predictive (coverage, CRPS)"
    )
    p.add_argument("--draws", type=int, default=100, help="draws for the predictive checks")
    return p


def _fail(message: str) -> int:
    print(f"{PROG}: error: {message}", file=sys.stderr)
    return 2


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        from csei_sim.calibration.cases import load_case

        case = load_case(args.case)
        for key in ("populations", "population_size", "workers", "draws"):
            value = getattr(args, key)
            if value is not None and value < 1:
                raise ParameterError(f"--{key.replace('_', '-')}", f"expected >= 1, got {value}")
        if not case.fitted and not args.validate:
            raise ParameterError(
                "observations", f"case {case.name} has none with use: fit; run it with --validate"
            )
    except ParameterError as err:
        return _fail(str(err))
    from tqdm import tqdm

    from csei_sim.calibration import abc, pipeline

    settings = abc.Settings(args.seed, args.populations, args.population_size, args.workers)
    out = args.out or OUT_ROOT / case.name
    bar = tqdm(desc=f"{case.name}", unit="particle", disable=None)

    def progress(accepted: int, n: int, t: int) -> None:
        bar.set_description(f"{case.name} generation {t}")
        bar.total, bar.n = n, accepted
        bar.refresh()

    try:
        result = pipeline.calibrate(
            case,
            out,
            settings,
            resume=args.resume,
            validate_prior=args.validate,
            checks=pipeline.Checks(draws=args.draws),
            progress=progress,
        )
    finally:
        bar.close()
    for name, scores in result.items():
        if scores and "coverage90" in scores:
            print(
                f"{name}: 50% coverage {scores['coverage50']:.0%}, 90% coverage "
                f"{scores['coverage90']:.0%}, CRPS {scores['crps']:.2f}"
            )
    print(f"report: {out / 'report.md'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
