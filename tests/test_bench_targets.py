"""The benchmark's targets table takes each figure from the run that measured it."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[1] / "benchmarks" / "bench.py"


@pytest.fixture(scope="module")
def bench():
    sys.path.insert(0, str(BENCH.parent))  # bench.py imports its sibling workloads.py
    try:
        spec = importlib.util.spec_from_file_location("bench_under_test", BENCH)
        module = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = module  # dataclasses look their module up while being built
        spec.loader.exec_module(module)
        yield module
    finally:
        sys.modules.pop("bench_under_test", None)
        sys.path.remove(str(BENCH.parent))


def _fig(bench, kind: str, n: int, wall: float):
    return bench.ModelFigures(kind, n, [wall], [wall], [0.0], 100.0, 50.0)


def _row(text: str, name: str) -> list[str]:
    line = next(line for line in text.splitlines() if name in line)
    return [cell.strip() for cell in line.strip("|").split("|")]


def test_boltzmann_ratio_uses_the_models_run_not_the_scale_run(bench):
    figs = [_fig(bench, "csei", 100_000, 2.0), _fig(bench, "boltzmann", 100_000, 20.0)]
    # the scale run's 100k is slower (it includes what the scale run times); it must not replace it
    scale = [_fig(bench, "csei", 100_000, 8.0), _fig(bench, "csei", 1_000_000, 40.0)]
    text = bench.targets(figs, scale, [], [], steps=144)
    assert _row(text, "agent-steps/s vs BoltzmannWealth at 100,000")[1] == "10.00"
    # the 1M / 100k ratio compares the two sizes of the scale run
    assert _row(text, "time(1,000,000) / time(100,000)")[1] == "5.00"
