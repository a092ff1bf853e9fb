"""Benchmark: CSEIModel against Mesa's BoltzmannWealth example, and sweep throughput.

    python benchmarks/bench.py            # everything; writes benchmarks/results.md
    python benchmarks/bench.py --quick    # a short smoke version (small sizes, 40-run sweep)

Each measurement runs in a fresh process (``workloads.py``), so peak memory is per model and size,
and the figures are medians over repeats, because the cores may be shared with other work.
Agent-steps per second = agents x steps / wall seconds to build the model and run all steps.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from importlib.metadata import version
from pathlib import Path

from workloads import MODES, ORGS, STEPS

HERE = Path(__file__).resolve().parent
SERIAL = "serial loop (1 process)"
BATCH2 = "mesa.batch_run, 2 processes"
PY = sys.executable
MIB_PER_GIB = 1024


@dataclass
class ModelFigures:
    kind: str
    n: int
    wall: list[float]
    cpu: list[float]
    build: list[float]
    rss: float  # peak resident memory of the process, MiB
    base_rss: float  # resident memory after imports and warm-up, MiB

    @property
    def seconds(self) -> float:
        return statistics.median(self.wall)

    def agent_steps(self, steps: int) -> float:
        return self.n * steps / self.seconds


@dataclass
class SweepFigures:
    method: str
    runs: int
    workers: int
    wall: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)  # all processes of the command
    error: str = ""

    @property
    def runs_per_second(self) -> float:
        return self.runs / statistics.median(self.wall) if self.wall else float("nan")


def children_cpu() -> float:
    """CPU seconds of all finished child processes (and theirs, once waited for)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def child(args: list[str]) -> tuple[float, float, str]:
    """Run a command in a fresh process; its wall seconds, CPU seconds and standard output."""
    env = {**os.environ, "MPLBACKEND": "Agg", "HYDRA_FULL_ERROR": "1"}
    cpu, start = children_cpu(), time.perf_counter()
    done = subprocess.run(args, capture_output=True, text=True, env=env, cwd=HERE)
    seconds, cpu = time.perf_counter() - start, children_cpu() - cpu
    if done.returncode:
        raise RuntimeError(f"{' '.join(args)} failed:\n{done.stderr[-2000:]}")
    return seconds, cpu, done.stdout


def measure_models(sizes: list[int], steps: int, repeats: int) -> list[ModelFigures]:
    out = []
    for n in sizes:
        for kind in ("csei", "boltzmann"):
            cmd = [PY, "workloads.py", "model", kind, str(n), str(steps), str(repeats)]
            data = json.loads(child(cmd)[2].strip().splitlines()[-1])
            out.append(ModelFigures(kind, n, **data))
            print(f"  {kind:9} n={n:>6}: {statistics.median(data['wall']):7.2f} s", flush=True)
    return out


def sweep_commands(runs: int, workdir: Path) -> dict[str, list[str]]:
    """The same design (4 governance modes x runs/4 replicates) through each way of running it."""
    reps = runs // len(MODES)
    app = [PY, "hydra_sweep.py", "-m", f"governance_mode={','.join(MODES)}"]
    app_end = [f"hydra.sweep.dir={workdir / 'app'}", "hydra.launcher.n_jobs=2"]
    # two jobs per mode: eight jobs share Hydra's per-job cost, four for each worker
    block = max(b for b in range(1, reps // 2 + 1) if reps % b == 0) if reps > 1 else 1
    commands = {
        SERIAL: [PY, "workloads.py", "serial", str(runs)],
        "Hydra joblib, 2 workers, 1 run per job": app + [f"block=range(0,{reps})", *app_end],
        f"Hydra joblib, 2 workers, {block} runs per job": app
        + [f"block=range(0,{reps // block})", f"block_size={block}", *app_end],
        "mesa.batch_run, 1 process": [PY, "workloads.py", "batch_run", "1", str(runs)],
        BATCH2: [PY, "workloads.py", "batch_run", "2", str(runs)],
    }
    cli = shutil.which("csei-sim", path=str(Path(PY).parent))
    if cli:
        commands["csei-sim -m (Hydra joblib, 2 workers, 1 run per job)"] = [
            cli,
            "-m",
            f"governance={','.join(MODES)}",
            f"replicate=range(0,{reps})",
            "study=bench",
            "plot=false",
            f"hydra.sweep.dir={workdir / 'cli'}",
            "hydra.launcher.n_jobs=2",
        ]
    return commands


def measure_sweeps(runs: int, repeats: int) -> list[SweepFigures]:
    """Each way of running the sweep, ``repeats`` times, interleaved so load changes hit all."""
    with tempfile.TemporaryDirectory(prefix="csei-bench-") as tmp:
        commands = sweep_commands(runs, Path(tmp))
        workers = {name: 1 if "1 process" in name else 2 for name in commands}
        figures = {name: SweepFigures(name, runs, workers[name]) for name in commands}
        for _ in range(repeats):
            for name, cmd in commands.items():
                shutil.rmtree(Path(tmp) / "app", ignore_errors=True)  # no resuming of runs
                shutil.rmtree(Path(tmp) / "cli", ignore_errors=True)
                try:
                    wall, cpu, _ = child(cmd)
                    figures[name].wall.append(wall)
                    figures[name].cpu.append(cpu)
                    print(f"  {name:54}: {figures[name].wall[-1]:7.2f} s", flush=True)
                except RuntimeError as err:
                    figures[name].error = str(err).splitlines()[-1][:200]
                    print(f"  {name:54}: failed ({figures[name].error})", flush=True)
    return list(figures.values())


def machine() -> dict[str, str]:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    mem = Path("/proc/meminfo").read_text().split()[1]
    return {
        "CPU": f"{cpu}, {os.cpu_count()} logical cores (shared with other work)",
        "memory": f"{int(mem) / 1024**2:.0f} GiB",
        "system": f"{platform.system()} {platform.release()}",
        "software": f"Python {platform.python_version()}, numpy {version('numpy')}, "
        f"mesa {version('mesa')}, hydra-core {version('hydra-core')}, "
        f"hydra-joblib-launcher {version('hydra-joblib-launcher')}",
    }


def table(header: list[str], rows: list[list[str]]) -> str:
    """A Markdown table (it also reads well as plain text)."""
    widths = [max(len(str(c)) for c in col) for col in zip(header, *rows, strict=True)]

    def line(cells: list[str]) -> str:
        return "| " + " | ".join(f"{c:<{w}}" for c, w in zip(cells, widths, strict=True)) + " |"

    return "\n".join([line(header), line(["-" * w for w in widths]), *map(line, rows)])


def model_table(figs: list[ModelFigures], steps: int) -> str:
    rows = []
    for csei, boltz in zip(figs[::2], figs[1::2], strict=True):
        rows.append(
            [
                f"{csei.n:,}",
                f"{csei.seconds:.2f}",
                f"{statistics.median(csei.cpu):.2f}",
                f"{csei.agent_steps(steps):,.0f}",
                f"{csei.rss:.0f}",
                f"{boltz.seconds:.2f}",
                f"{boltz.agent_steps(steps):,.0f}",
                f"{boltz.rss:.0f}",
                f"{csei.agent_steps(steps) / boltz.agent_steps(steps):.2f}",
            ]
        )
    header = ["agents", "CSEI s", "CSEI CPU s", "CSEI agent-steps/s", "CSEI peak MiB"]
    header += ["Boltzmann s", "Boltzmann agent-steps/s", "Boltzmann peak MiB", "ratio"]
    return table(header, rows)


def sweep_table(sweeps: list[SweepFigures]) -> str:
    serial = next(s for s in sweeps if s.method == SERIAL).runs_per_second
    serial_cpu = statistics.median(next(s for s in sweeps if s.method == SERIAL).cpu)
    batch2 = next(s for s in sweeps if s.method == BATCH2).runs_per_second
    rows = []
    for s in sweeps:
        if s.error:
            rows.append([s.method, str(s.runs), "failed", s.error, "", "", "", ""])
            continue
        rate = s.runs_per_second
        bound = min(s.workers, s.workers * serial_cpu / statistics.median(s.cpu))
        rows.append(
            [
                s.method,
                str(s.runs),
                f"{statistics.median(s.wall):.1f}",
                f"{statistics.median(s.cpu):.1f}",
                f"{rate:.2f}",
                f"{rate / serial:.2f}",
                f"{rate / batch2:.2f}",
                f"{bound:.2f}",
            ]
        )
    header = ["way of running", "runs", "wall s", "CPU s", "runs/s", "x serial", "x batch_run(2)"]
    header += ["bound x serial"]
    return table(header, rows)


def targets(figs: list[ModelFigures], sweeps: list[SweepFigures], steps: int) -> str:
    by = {(f.kind, f.n): f for f in figs}
    rows = []

    def check(name: str, value: float, goal: str, met: bool) -> None:
        rows.append([name, f"{value:.2f}", goal, "met" if met else "MISSED"])

    for n in (1_000, 10_000):
        if ("csei", n) in by:
            ratio = by["csei", n].agent_steps(steps) / by["boltzmann", n].agent_steps(steps)
            check(f"agent-steps/s vs BoltzmannWealth at {n:,}", ratio, ">= 1.0", ratio >= 1.0)
    if ("csei", 10_000) in by:
        big = by["csei", 10_000]
        check("10,000 organisations: wall s", big.seconds, "< 10", big.seconds < 10)
        check("10,000 organisations: peak GiB", big.rss / MIB_PER_GIB, "< 1", big.rss < 1024)
        if ("csei", 1_000) in by:
            scale = big.seconds / by["csei", 1_000].seconds
            check("time(10,000) / time(1,000)", scale, "<= 12", scale <= 12)
    rates = {s.method: s.runs_per_second for s in sweeps if not s.error}
    serial, batch2 = rates.get(SERIAL), rates.get(BATCH2)
    for name, rate in rates.items():
        if "Hydra" in name and serial and batch2:
            check(f"{name} / serial", rate / serial, ">= 1.7", rate / serial >= 1.7)
            check(f"{name} / batch_run(2)", rate / batch2, ">= 1.0", rate >= batch2)
    return table(["target", "measured", "goal", ""], rows)


def report(args, figs, sweeps, info, load) -> str:
    steps = args.steps
    parts = [
        "# Benchmark results",
        "",
        f"Produced by `{args.command}` on {time.strftime('%Y-%m-%d')}; medians over "
        f"{args.repeats} repeats per model size and {args.sweep_repeats} per sweep.",
        "",
        *[f"- {k}: {v}" for k, v in info.items()],
        f"- load average (1 min) before / after: {load[0]:.2f} / {load[1]:.2f}",
        "",
        f"## Models: build + {steps} steps, one process per model and size",
        "",
        "CSEIModel with default parameters and `n_organisations` = agents; Mesa's own",
        "`BoltzmannWealth` example with the same number of agents on a grid of about one cell per",
        "agent (its default density: 100 agents on 10 x 10). Both collect their data every step.",
        "Peak = peak resident memory of the whole process (Python and libraries included).",
        "ratio = CSEIModel agent-steps/s / BoltzmannWealth agent-steps/s.",
        "",
        model_table(figs, steps),
    ]
    if sweeps:
        parts += [
            "",
            f"## Sweep throughput: {sweeps[0].runs} runs ({len(MODES)} governance modes x "
            f"{sweeps[0].runs // len(MODES)} replicates, {ORGS} organisations, {STEPS} steps)",
            "",
            "Wall time of the whole command, start-up included; CPU s = CPU time of all its",
            "processes (workers included), which shows each way's overhead whatever the load.",
            "bound x serial = the most a way could reach over the serial loop with each of its",
            "workers on a free core: workers x serial CPU s / its CPU s (at most its workers).",
            "",
            sweep_table(sweeps),
        ]
    parts += ["", "## Targets", "", targets(figs, sweeps, steps), ""]
    return "\n".join(parts)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1_000, 10_000])
    parser.add_argument("--steps", type=int, default=144)
    parser.add_argument("--repeats", type=int, default=3, help="repeats per model and size")
    parser.add_argument("--sweep-runs", type=int, default=200)
    parser.add_argument("--sweep-repeats", type=int, default=3)
    parser.add_argument("--no-sweep", action="store_true")
    parser.add_argument("--quick", action="store_true", help="small sizes, a 40-run sweep, once")
    parser.add_argument("--out", type=Path, default=HERE / "results.md")
    args = parser.parse_args()
    if args.quick:
        args.sizes, args.repeats, args.sweep_runs, args.sweep_repeats = [100, 1_000], 1, 40, 1
    args.command = " ".join(["python benchmarks/bench.py", *sys.argv[1:]])
    load0 = os.getloadavg()[0]
    print(f"models ({args.repeats} repeats each):", flush=True)
    figs = measure_models(args.sizes, args.steps, args.repeats)
    sweeps = []
    if not args.no_sweep:
        print(f"sweeps of {args.sweep_runs} runs ({args.sweep_repeats} repeats each):", flush=True)
        sweeps = measure_sweeps(args.sweep_runs, args.sweep_repeats)
    text = report(args, figs, sweeps, machine(), (load0, os.getloadavg()[0]))
    print("\n" + text)
    from csei_sim.run import atomic_write

    atomic_write(args.out, lambda tmp: Path(tmp).write_text(text))
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
