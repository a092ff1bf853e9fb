"""Design points in, outcomes out: every analysis runs the model through the sweep runner.

Each design point (and variant, e.g. a governance mode) becomes a scenario of
:func:`csei_sim.experiment.run_sweep`, so runs go to ``<out>/runs/<label>/replicate=<r>``, in
parallel with joblib, and a re-run skips every complete folder (resumable). Replicate ``r`` of every
point uses the same seed (``run_seed(base_seed, r)``, as in the sweeps): common random numbers, so
differences between points come from the parameters, not from different random streams.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from csei_sim.params import Params
from csei_sim.sensitivity.factors import FactorSpace
from csei_sim.sensitivity.outcomes import outcome_row

# A model for the analyses: design table in, one outcome row per design row out. The simulation is
# one such model (ModelRunner); a test function (e.g. Ishigami) is another.
Model = Callable[[pd.DataFrame], pd.DataFrame]


def _with(params: Params, overrides: Mapping[str, Any]) -> Params:
    return Params.from_dict(params.to_dict(), **dict(overrides)) if overrides else params


@dataclass
class ModelRunner:
    """Runs the simulation at design points; returns one row per point, variant and replicate.

    ``variants`` maps a label to flat parameter overrides applied on top of each point (e.g.
    ``{"informal": {"governance_mode": "informal"}, "formal": {...}}``); the same seeds serve every
    variant, so variants of one point are paired runs.
    """

    base: Params
    space: FactorSpace
    out_dir: Path
    replicates: int = 2
    base_seed: int = 2025
    n_jobs: int = 2
    variants: Mapping[str, Mapping[str, Any]] = field(default_factory=lambda: {"": {}})
    progress: bool = True

    def scenarios(self, design: pd.DataFrame) -> dict[str, tuple[int, str, Params]]:
        """Run label -> (point, variant, parameters), validated before anything runs."""
        out = {}
        for point, row in design.iterrows():
            params = self.space.apply(self.base, row)
            for variant, overrides in self.variants.items():
                label = f"p{int(point):05d}" + (f"_{variant}" if variant else "")
                out[label] = (int(point), variant, _with(params, overrides))
        return out

    def runs(self, design: pd.DataFrame) -> pd.DataFrame:
        """Run (or reuse) every scenario x replicate; outcomes of each run, one row each."""
        from csei_sim.experiment.runner import read_done, run_sweep

        scenarios = self.scenarios(design)
        root = Path(self.out_dir) / "runs"
        run_sweep(
            {label: p for label, (_, _, p) in scenarios.items()},
            root,
            replicates=self.replicates,
            base_seed=self.base_seed,
            n_jobs=self.n_jobs,
            progress=self.progress,
        )
        rows = []
        for label, (point, variant, params) in scenarios.items():
            for rep in range(self.replicates):
                done = read_done(root / label / f"replicate={rep}")
                if done is None:
                    raise RuntimeError(f"run {label} replicate {rep} did not complete")
                summary = done["summary"]
                rows.append(
                    {
                        "point": point,
                        "variant": variant,
                        "replicate": rep,
                        **outcome_row(summary, params.steps),
                        "members_end_2030": summary.get("members_end_2030"),
                        "seconds": float(done.get("seconds") or 0.0),  # when it was run
                    }
                )
        return pd.DataFrame(rows)

    def __call__(self, design: pd.DataFrame) -> pd.DataFrame:
        """Replicate-averaged outcomes, one row per design point (single-variant runners)."""
        from csei_sim.sensitivity.outcomes import replicate_means

        return replicate_means(self.runs(design), ["point"]).reindex(design.index)
