"""A whole calibration of a case: fit, posterior predictive, prior predictive, figures, report."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from csei_sim.calibration import abc, figures, posterior, report, validate
from csei_sim.calibration.cases import Case
from csei_sim.calibration.simulate import prior_draws, stat_name
from csei_sim.run import atomic_write, write_parquet


@dataclass
class Checks:
    draws: int = 100  # posterior (or prior) draws for the predictive check
    runs_per_draw: int = 2  # seeds per draw: two or more split the spread into its sources


def _csv(frame: pd.DataFrame, path: Path) -> None:
    atomic_write(path, lambda tmp: frame.to_csv(tmp, index=False))


def prior_table(case: Case, n: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(np.random.SeedSequence([int(seed), 0]))
    return pd.DataFrame(prior_draws(case.priors, n, rng))


def calibrate(
    case: Case,
    out: Path,
    settings: abc.Settings,
    *,
    resume: bool = False,
    validate_prior: bool = False,
    checks: Checks | None = None,
    progress=None,
) -> dict:
    """Fit (if the case has fitted observations) and/or validate; write everything into ``out``."""
    checks = checks or Checks()
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    context: dict = {"seed": settings.seed, "population_size": 0, "total_samples": 0}
    result: dict = {}
    if case.fitted:
        history = abc.run(case, out, settings, resume=resume, progress=progress)
        post = posterior.load(out)
        diag = pd.read_csv(out / abc.DIAGNOSTICS)
        table = posterior.draws(post, checks.draws, settings.seed)
        runs = posterior.predictive(
            case, table, settings.seed, checks.runs_per_draw, settings.workers
        )
        write_parquet(runs, out / "predictive.parquet")
        bands = validate.bands(case, runs)
        _csv(bands, out / "predictive.csv")
        figures.marginals(case, post, out / "marginals.png")
        figures.pairwise(case, post, out / "pairwise.png")
        figures.predictive_check(case, bands, out / "predictive.png", "posterior predictive")
        last = case.fitted[-1]
        spread = None
        if checks.runs_per_draw >= 2:
            spread = {"date": last.date, **posterior.spread_shares(runs, stat_name(last))}
        context.update(
            posterior=post,
            diagnostics=diag,
            predictive=bands,
            predictive_runs=len(runs),
            predictive_draws=checks.draws,
            runs_per_draw=checks.runs_per_draw,
            spread=spread,
            population_size=int(diag["particles"].iloc[-1]),
            total_samples=int(history.total_nr_simulations),
        )
        result.update(predictive=validate.scores(bands), spread=spread)
    if validate_prior:
        table = prior_table(case, checks.draws, settings.seed)
        runs = posterior.predictive(case, table, settings.seed + 1, 1, settings.workers)
        write_parquet(runs, out / "validation_runs.parquet")
        vt = validate.bands(case, runs)
        _csv(vt, out / "validation.csv")
        figures.predictive_check(case, vt, out / "validation.png", "prior predictive")
        scores = validate.scores(vt)
        context.update(validation=vt, validation_scores=scores, validation_runs=len(runs))
        result["validation"] = scores
    context.setdefault("predictive", None)
    report.write(out / "report.md", case, **context)
    return result
