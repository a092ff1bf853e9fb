"""A minimal Hydra app for the sweep benchmark: each job runs one or more runs of the design.

Nothing is written but Hydra's own job files, so what is timed is Hydra's launcher and the model.
A job runs the replicates ``block * block_size`` to ``(block + 1) * block_size - 1`` of one mode:

    # one run per job
    python benchmarks/hydra_sweep.py -m governance_mode=informal,formal block='range(10)' \\
        hydra.sweep.dir=/tmp/sweep hydra.launcher.n_jobs=2
    # the same 20 runs, five per job
    python benchmarks/hydra_sweep.py -m governance_mode=informal,formal block='range(2)' \\
        block_size=5 hydra.sweep.dir=/tmp/sweep hydra.launcher.n_jobs=2
"""

from __future__ import annotations

import hydra
from omegaconf import DictConfig
from workloads import run_seed


@hydra.main(version_base="1.3", config_path="hydra_conf", config_name="config")
def main(cfg: DictConfig) -> list[dict]:
    from csei_sim.run import simulate  # imported in the workers only, not by the launching process

    first = cfg.block * cfg.block_size
    return [
        simulate(
            seed=run_seed(cfg.base_seed, replicate),
            governance_mode=cfg.governance_mode,
            n_organisations=cfg.n_organisations,
            steps=cfg.steps,
        ).summary
        for replicate in range(first, first + cfg.block_size)
    ]


if __name__ == "__main__":
    main()
