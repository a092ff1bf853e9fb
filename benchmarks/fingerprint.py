"""Record what a set of runs produced, and compare two such records number by number.

An optimisation of the model must not change its results. Record before the change, record after,
then compare::

    python benchmarks/fingerprint.py record /tmp/before.pkl
    python benchmarks/fingerprint.py record /tmp/after.pkl
    python benchmarks/fingerprint.py compare /tmp/before.pkl /tmp/after.pkl

A record holds, per case (parameter set and seed), the full time series, the events and the final
tie network (pairs and trust), so any change in the random stream or in arithmetic shows.
"""

from __future__ import annotations

import argparse
import pickle
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from csei_sim import CSEIModel
from csei_sim.presets import compose

# Parameter sets covering every code path: modes, funding, facilitation, pool sizes.
CASES: dict[str, dict[str, Any]] = {
    "default": {},
    "formal_grants": {"governance_mode": "formal", "grant_win_rate": 0.1},
    "gradual_committed": {
        "governance": {"governance_mode": "gradual"},
        **compose(funding="committed_2030"),
    },
    "lead_intensive": {
        "governance": {"governance_mode": "lead_organisation"},
        **compose(facilitation="intensive"),
    },
    "hamburg": compose(region="hamburg", funding="taper"),
    "n1000": {"n_organisations": 1000},
    "n3000_short": {"n_organisations": 3000, "steps": 60},
}
SEEDS = (0, 1, 2, 11, 2025)


def record_case(params: dict[str, Any], seed: int) -> dict[str, Any]:
    model = CSEIModel(params, rng=seed).run()
    ties = model.ties
    return {
        "timeseries": model.timeseries(),
        "events": pd.DataFrame(model.events),
        "u": ties.u[: ties.m].copy(),
        "v": ties.v[: ties.m].copy(),
        "trust": ties.trust.copy(),
        "status": model.orgs.status.copy(),
        "vision": model.orgs.vision.copy(),
    }


def record(path: Path) -> None:
    out = {
        (name, seed): record_case(params, seed) for name, params in CASES.items() for seed in SEEDS
    }
    path.write_bytes(pickle.dumps(out))
    print(f"recorded {len(out)} runs to {path}")


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, pd.DataFrame):
        return a.shape == b.shape and a.equals(b)
    return np.array_equal(a, b)


def compare(before: Path, after: Path) -> int:
    a, b = pickle.loads(before.read_bytes()), pickle.loads(after.read_bytes())
    if a.keys() != b.keys():
        print("the two records hold different cases")
        return 1
    differ = [(key, part) for key in a for part in a[key] if not _same(a[key][part], b[key][part])]
    for key, part in differ:
        print(f"differs: {key} {part}")
    print(f"{len(a)} runs compared, {len(differ)} differing parts")
    return 1 if differ else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("record").add_argument("path", type=Path)
    cmp = sub.add_parser("compare")
    cmp.add_argument("before", type=Path)
    cmp.add_argument("after", type=Path)
    args = parser.parse_args()
    if args.command == "record":
        record(args.path)
        return 0
    return compare(args.before, args.after)


if __name__ == "__main__":
    sys.exit(main())
