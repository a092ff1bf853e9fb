"""The three analyses end to end: design, runs (resumable, parallel), indices or boxes, files.

Each writes into its folder ``settings.json`` (what was run), ``factors.csv`` (the ranges),
``design.parquet`` and ``runs.parquet`` (per point and run; not for committing) and its results:
``indices.csv`` and ``noise.csv`` (Morris, Sobol), ``<case>_trajectory.csv`` and ``<case>_box.csv``
(PRIM). Run folders go to ``<folder>/runs/``.
"""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from csei_sim.params import ParameterError, Params, critical_mass_count
from csei_sim.sensitivity import discovery, morris, sobol
from csei_sim.sensitivity.evaluate import ModelRunner
from csei_sim.sensitivity.factors import FactorSpace, settings_of
from csei_sim.sensitivity.outcomes import NAMES, noise_share, replicate_means
from csei_sim.sensitivity.store import write_csv, write_json, write_parquet

MODES = ("informal", "formal")


@dataclass(kw_only=True)
class Common:
    """Settings every analysis shares (the headline's extend them: headline.Settings)."""

    out: Path
    base: Params
    space: FactorSpace
    replicates: int = 2
    base_seed: int = 2025
    seed: int = 1
    n_jobs: int = 2
    progress: bool = True
    choices: dict[str, Any] = field(default_factory=dict)  # presets and overrides, for the record

    def runner(self, variants: dict[str, dict] | None = None) -> ModelRunner:
        return ModelRunner(
            self.base,
            self.space,
            self.out,
            replicates=self.replicates,
            base_seed=self.base_seed,
            n_jobs=self.n_jobs,
            variants=variants or {"": {}},
            progress=self.progress,
        )

    def record(self, kind: str, seconds: float, **extra: Any) -> dict[str, Any]:
        from csei_sim.experiment.runner import model_code_digest

        return {
            "kind": kind,
            "model_code": model_code_digest(),  # the runs' fingerprints include it
            "factors": self.space.names,
            "replicates": self.replicates,
            "base_seed": self.base_seed,
            "seed": self.seed,
            "n_jobs": self.n_jobs,
            "base": self.choices,
            "steps": self.base.steps,
            "seconds": round(seconds, 1),  # this invocation (finished runs are skipped)
            **extra,
            "params": settings_of(self.base),
        }


def _run_design(c: Common, design: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Runs and replicate means at each design point; writes design and runs."""
    Path(c.out).mkdir(parents=True, exist_ok=True)
    write_csv(c.space.table(c.base), c.out / "factors.csv")
    write_parquet(design, c.out / "design.parquet")
    runs = c.runner().runs(design)
    write_parquet(runs, c.out / "runs.parquet")
    means = replicate_means(runs, ["point"]).reindex(design.index)
    return runs, means


def _run_seconds(runs: pd.DataFrame) -> float:
    """Simulation time of all runs, summed (each as long as it took when it ran)."""
    return round(float(runs["seconds"].sum()), 1) if "seconds" in runs else float("nan")


def _noise(runs: pd.DataFrame, means: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "outcome": list(NAMES),
            "noise_share": noise_share(runs, ["point"]).reindex(list(NAMES)).to_numpy(),
            "mean": means[list(NAMES)].mean().to_numpy(),
            "sd_between_points": means[list(NAMES)].std().to_numpy(),
            "never_critical_share": float(means["never_critical"].mean()),
        }
    )


def run_morris(c: Common, *, trajectories: int, levels: int = 4, resamples: int = 1000) -> Path:
    """Morris screening of ``c.space`` on the four outcomes."""
    tic = time.perf_counter()
    design = morris.sample(c.space, trajectories, levels, c.seed)
    runs, means = _run_design(c, design)
    outputs = means[list(NAMES)]
    indices = morris.analyse(
        c.space, design, outputs, levels=levels, resamples=resamples, seed=c.seed
    )
    write_csv(indices, c.out / "indices.csv")
    write_csv(_noise(runs, means), c.out / "noise.csv")
    extra = {"trajectories": trajectories, "levels": levels, "points": len(design)}
    extra |= {"runs": len(runs), "resamples": resamples, "run_seconds": _run_seconds(runs)}
    write_json(c.out / "settings.json", c.record("morris", time.perf_counter() - tic, **extra))
    return c.out


def run_sobol(c: Common, *, samples: int, resamples: int = 1000) -> Path:
    """Sobol first- and total-order indices of ``c.space`` on the four outcomes."""
    tic = time.perf_counter()
    design = sobol.sample(c.space, samples, c.seed)
    runs, means = _run_design(c, design)
    indices = sobol.analyse(c.space, means[list(NAMES)], resamples=resamples, seed=c.seed)
    write_csv(indices, c.out / "indices.csv")
    write_csv(_noise(runs, means), c.out / "noise.csv")
    extra = {"samples": samples, "points": len(design), "runs": len(runs), "resamples": resamples}
    extra["run_seconds"] = _run_seconds(runs)
    write_json(c.out / "settings.json", c.record("sobol", time.perf_counter() - tic, **extra))
    return c.out


@dataclass
class PrimSettings:
    """What counts as a case, and how the box is chosen."""

    samples: int = 300
    compare: str = "members_2035"  # outcome on which informal must beat formal
    survival_threshold: float = 0.9  # survival ratio at or above which a cluster survives ...
    critical_mass_share: float = 0.25  # ... with this share of its pool as members two years on
    min_coverage: float = 0.5
    max_dims: int = 3
    alpha: float = 0.05  # restrictions with a larger quasi-p-value are dropped
    resamples: int = 10


def prim_cases(
    runs: pd.DataFrame, design: pd.DataFrame, s: PrimSettings, pools: pd.Series | int = 60
) -> dict[str, tuple]:
    """The two cases of interest as (inputs, boolean outcome) for PRIM.

    ``pools``: each point's pool size (or one for all), so that critical mass is the same share of
    every pool."""
    runs = runs.assign(
        members_after_end=runs["survival_ratio"] * runs["members_end_2030"].astype(float)
    )
    means = runs.groupby(["point", "variant"])[[*NAMES, "members_after_end"]].mean()
    wide = means[s.compare].unstack("variant")
    beats = (wide["informal"] > wide["formal"]).reindex(design.index).to_numpy()
    pooled = means[["survival", "members_after_end"]].reset_index()
    x_surv = design.loc[pooled["point"]].reset_index(drop=True)
    x_surv["governance_mode"] = pd.Categorical(pooled["variant"], categories=list(MODES))
    pool = (
        pools.reindex(pooled["point"]).to_numpy()
        if isinstance(pools, pd.Series)
        else np.full(len(pooled), pools)
    )
    mass = [critical_mass_count(s.critical_mass_share, int(n)) for n in pool]
    survives = (
        (pooled["survival"] >= s.survival_threshold) & (pooled["members_after_end"] >= mass)
    ).to_numpy()
    return {"informal_beats_formal": (design, beats), "survives_grant_end": (x_surv, survives)}


def run_prim(c: Common, s: PrimSettings) -> Path:
    """Paired informal/formal runs on a Latin hypercube; PRIM boxes for both cases.

    The committed grant must end where members are measured 24 months later (``members_end_2030``
    is the grant's last month), so the base keeps the grant to 2030-12.
    """
    tic = time.perf_counter()
    if c.base.funding.committed_end != "2030-12" or c.base.funding.committed_amount <= 0:
        raise ParameterError(
            "funding",
            "PRIM's survival case needs a committed grant ending 2030-12 "
            "(e.g. --preset funding=committed_2030 or taper)",
        )
    s = dataclasses.replace(s, critical_mass_share=c.base.critical_mass_share)
    design = discovery.sample(c.space, s.samples, c.seed)
    Path(c.out).mkdir(parents=True, exist_ok=True)
    write_csv(c.space.table(c.base), c.out / "factors.csv")
    write_parquet(design, c.out / "design.parquet")
    runs = c.runner({m: {"governance_mode": m} for m in MODES}).runs(design)
    write_parquet(runs, c.out / "runs.parquet")
    summary = []
    for case, (x, y) in prim_cases(runs, design, s, _pools(c, design)).items():
        rule = discovery.Rule(s.min_coverage, s.max_dims, s.alpha)
        found = discovery.find(case, x, y, rule=rule, resamples=s.resamples, seed=c.seed)
        write_csv(found.trajectory, c.out / f"{case}_trajectory.csv")
        write_csv(found.limits, c.out / f"{case}_box.csv", index=True)
        summary.append(
            {
                "case": case,
                "points": found.n_points,
                "cases": found.n_cases,
                "peeled": found.peeled,
                "chosen": found.chosen,
                **found.stats,
            }
        )
    write_csv(pd.DataFrame(summary), c.out / "cases.csv")
    extra = {"samples": s.samples, "runs": len(runs), "run_seconds": _run_seconds(runs)}
    extra |= _prim_extra(s)
    write_json(c.out / "settings.json", c.record("prim", time.perf_counter() - tic, **extra))
    return c.out


def _pools(c: Common, design: pd.DataFrame) -> pd.Series | int:
    """Pool size of each design point as the model receives it (or the base's for all)."""
    factor = {f.name: f for f in c.space.factors}.get("n_organisations")
    if factor is None:
        return c.base.region.n_organisations
    return design["n_organisations"].map(factor.clip)


def _prim_extra(s: PrimSettings) -> dict[str, Any]:
    return {
        "compare": s.compare,
        "survival_threshold": s.survival_threshold,
        "critical_mass_share": s.critical_mass_share,
        "min_coverage": s.min_coverage,
        "max_dims": s.max_dims,
        "alpha": s.alpha,
        "prim_resamples": s.resamples,
        "modes": list(MODES),
    }


def paired_difference(runs: pd.DataFrame, outcome: str) -> pd.Series:
    """Informal minus formal ``outcome`` per design point (replicate means)."""
    wide = replicate_means(runs, ["point", "variant"])[outcome].unstack("variant")
    return (wide["informal"] - wide["formal"]).astype(float).replace([np.inf, -np.inf], np.nan)
