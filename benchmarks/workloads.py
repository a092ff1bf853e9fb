"""The measured workloads; ``bench.py`` runs each in a fresh process so peaks and imports don't mix.

python benchmarks/workloads.py model csei 1000 144 3  # JSON: times, CPU times, peak RSS
python benchmarks/workloads.py model boltzmann 1000 144 3
python benchmarks/workloads.py serial 200             # the sweep design, run after run
python benchmarks/workloads.py batch_run 2 200        # the sweep design via mesa.batch_run
"""

from __future__ import annotations

import json
import math
import os
import resource
import sys
import time
from typing import Any

import numpy as np

MODES = ("informal", "lead_organisation", "formal", "gradual")  # the sweep design: 4 modes ...
BASE_SEED = 2025  # ... x replicates seeded from one base seed
ORGS = 60  # organisations per sweep run (the generic region)
STEPS = 144


def run_seed(base_seed: int, replicate: int) -> int:
    """The replicate-th child seed of the base seed (numpy SeedSequence), as the sweep tools use."""
    seq = np.random.SeedSequence(int(base_seed), spawn_key=(int(replicate),))
    return int(seq.generate_state(1, dtype=np.uint32)[0])


def design(runs: int) -> list[tuple[str, int]]:
    """(governance mode, seed) of every run: ``runs / 4`` replicates of each mode."""
    return [(mode, run_seed(BASE_SEED, r)) for r in range(runs // len(MODES)) for mode in MODES]


def grid_shape(n: int) -> tuple[int, int]:
    """A grid of about one cell per agent, as in Mesa's default (100 agents on 10 x 10)."""
    short = max(d for d in range(1, math.isqrt(n) + 1) if n % d == 0)
    if n // short <= 4 * short:  # n splits into a near-square grid of exactly n cells
        return n // short, short
    side = math.isqrt(n)
    return side, math.ceil(n / side)


def build(kind: str, n: int, steps: int, seed: int):
    """A model with ``n`` agents that will run ``steps`` steps."""
    if kind == "csei":
        from csei_sim import CSEIModel

        return CSEIModel(rng=seed, n_organisations=n, steps=steps)
    from mesa.examples.basic.boltzmann_wealth_model.model import (
        BoltzmannScenario,
        BoltzmannWealth,
    )

    width, height = grid_shape(n)
    return BoltzmannWealth(BoltzmannScenario(n=n, width=width, height=height, rng=seed))


def rss_mib() -> float:
    """Peak resident memory of this process so far (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def time_model(kind: str, n: int, steps: int, repeats: int) -> dict[str, Any]:
    """Wall and CPU seconds to build and run the model, per repeat, the process's peak resident
    memory (``ru_maxrss``, not tracemalloc: every allocation counts) and the 1-minute load
    average at the start and the end."""
    load = [os.getloadavg()[0]]
    warm_up = build(kind, 20, 2, seed=0)  # first-use imports and caches are not timed
    warm_up.step()
    del warm_up
    base = rss_mib()
    wall, cpu, build_wall = [], [], []
    for rep in range(repeats):
        w0, c0 = time.perf_counter(), time.process_time()
        model = build(kind, n, steps, seed=rep + 1)
        build_wall.append(time.perf_counter() - w0)
        for _ in range(steps):
            model.step()
        wall.append(time.perf_counter() - w0)
        cpu.append(time.process_time() - c0)
        del model
    load.append(os.getloadavg()[0])
    return {
        "wall": wall,
        "cpu": cpu,
        "build": build_wall,
        "rss": rss_mib(),
        "base_rss": base,
        "load": load,
    }


def serial(runs: int) -> int:
    """Every run of the design, one after another in this process."""
    from csei_sim.run import simulate

    for mode, seed in design(runs):
        simulate(seed=seed, governance_mode=mode, n_organisations=ORGS, steps=STEPS)
    return runs


def batch_run(processes: int, runs: int) -> int:
    """The design through ``mesa.batch_run``: the modes as a parameter, one seed per replicate."""
    import mesa

    from csei_sim import CSEIModel

    seeds = [seed for mode, seed in design(runs) if mode == MODES[0]]
    out = mesa.batch_run(
        CSEIModel,
        parameters={"governance_mode": list(MODES), "n_organisations": ORGS, "steps": STEPS},
        number_processes=processes,
        rng=seeds,
        max_steps=STEPS,
        data_collection_period=-1,
        display_progress=False,
    )
    return len(out)


def main(argv: list[str]) -> None:
    what, args = argv[0], argv[1:]
    if what == "model":
        kind, n, steps, repeats = args[0], int(args[1]), int(args[2]), int(args[3])
        print(json.dumps(time_model(kind, n, steps, repeats)))
    elif what == "serial":
        print(json.dumps({"runs": serial(int(args[0]))}))
    elif what == "batch_run":
        print(json.dumps({"runs": batch_run(int(args[0]), int(args[1]))}))
    else:
        raise SystemExit(f"unknown workload {what!r}; allowed: model, serial, batch_run")


if __name__ == "__main__":
    main(sys.argv[1:])
