"""Benchmark: CSEIModel against Mesa's BoltzmannWealth example, large pools, start-up and sweeps.

    python benchmarks/bench.py                # everything; writes benchmarks/results.md
    python benchmarks/bench.py --quick        # a short smoke version (small sizes, 40-run sweep)
    python benchmarks/bench.py --only scale   # some parts (models, scale, startup, sweep), printed
    python benchmarks/bench.py --only sweep --sweep-runs 2000 --sweep-repeats 1   # one sweep size

Each measurement runs in a fresh process (``workloads.py``, ``csei-sim``), so peak memory is per
model and size, and the figures are medians over repeats, because the cores may be shared with
other work; the load average is recorded with each. Agent-steps per second = agents x steps / wall
seconds to build the model and run all steps; peak memory is the process's peak resident set
(``ru_maxrss``). ``--before REV`` also times the start-up and the
default sweep of the code at git revision REV (its ``src`` put first on the Python path).
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
WORKLOADS = str(HERE / "workloads.py")
SERIAL = "serial loop (1 process)"
BATCH2 = "mesa.batch_run, 2 processes"
DEFAULT = "csei-sim -m, 2 workers (default settings)"
PY = sys.executable
CLI = str(Path(PY).parent / "csei-sim")
PARTS = ("models", "scale", "startup", "sweep")
BEFORE_REV = "b0ffc42"  # main before the large-pool work: the "before" of start-up and sweep
MIB_PER_GIB = 1024
BIG = 100_000  # from this size on a model is run --big-repeats times (minutes per repeat)


@dataclass
class ModelFigures:
    kind: str
    n: int
    wall: list[float]
    cpu: list[float]
    build: list[float]
    rss: float  # peak resident memory of the process, MiB
    base_rss: float  # resident memory after imports and warm-up, MiB
    load: list[float] = field(default_factory=list)  # 1-minute load average at start and end

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
    load: list[float] = field(default_factory=list)  # 1-minute load average at each start
    error: str = ""

    @property
    def runs_per_second(self) -> float:
        return self.runs / statistics.median(self.wall) if self.wall else float("nan")


def children_cpu() -> float:
    """CPU seconds of all finished child processes (and theirs, once waited for)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def child(args: list[str], cwd: Path = HERE, env: dict | None = None) -> tuple[float, float, str]:
    """Run a command in a fresh process; its wall seconds, CPU seconds and standard output."""
    env = {**os.environ, "MPLBACKEND": "Agg", "HYDRA_FULL_ERROR": "1", **(env or {})}
    cpu, start = children_cpu(), time.perf_counter()
    done = subprocess.run(args, capture_output=True, text=True, env=env, cwd=cwd)
    seconds, cpu = time.perf_counter() - start, children_cpu() - cpu
    if done.returncode:
        raise RuntimeError(f"{' '.join(args)} failed:\n{done.stderr[-2000:]}")
    return seconds, cpu, done.stdout


def measure_model(kind: str, n: int, steps: int, repeats: int) -> ModelFigures:
    """One model at one size in a fresh process."""
    cmd = [PY, WORKLOADS, "model", kind, str(n), str(steps), str(repeats)]
    data = json.loads(child(cmd)[2].strip().splitlines()[-1])
    fig = ModelFigures(kind, n, **data)
    print(
        f"  {kind:9} n={n:>9,}: {fig.seconds:7.2f} s, build {statistics.median(fig.build):.2f} s,"
        f" peak {fig.rss:,.0f} MiB (load {fig.load[0]:.1f} - {fig.load[-1]:.1f})",
        flush=True,
    )
    return fig


def measure_models(
    sizes: list[int], steps: int, repeats: int, big_repeats: int
) -> list[ModelFigures]:
    out = []
    for n in sizes:
        for kind in ("csei", "boltzmann"):
            out.append(measure_model(kind, n, steps, big_repeats if n >= BIG else repeats))
    return out


def measure_scale(sizes: list[int], steps: int, repeats: int) -> list[ModelFigures]:
    """CSEIModel alone at large pools (BoltzmannWealth would take hours at a million)."""
    return [measure_model("csei", n, steps, repeats) for n in sizes]


@dataclass
class Command:
    """A command to time, with the environment it needs (the code under test on the path)."""

    args: list[str]
    env: dict = field(default_factory=dict)
    workers: int = 2


def before_env(rev: str | None, tmp: Path) -> dict | None:
    """PYTHONPATH putting the ``src`` of git revision ``rev`` first, or None when unavailable."""
    if not rev:
        return None
    root = HERE.parent
    target = tmp / "before"
    target.mkdir(parents=True, exist_ok=True)
    archive = subprocess.run(
        ["git", "-C", str(root), "archive", rev, "src"], capture_output=True, check=False
    )
    if archive.returncode:
        print(f"  --before {rev}: not a revision of this repository; skipped", flush=True)
        return None
    subprocess.run(["tar", "-x", "-C", str(target)], input=archive.stdout, check=True)
    return {"PYTHONPATH": str(target / "src")}


def sweep_commands(
    runs: int, workdir: Path, before: dict | None, every_way: bool = True
) -> dict[str, Command]:
    """The same design (4 governance modes x runs/4 replicates) through each way of running it.

    ``csei-sim -m`` gets what a user would type (no block size, no plot setting), plus the
    sweep folder and two workers (the joblib launcher's default on a 2-core machine). Without
    ``every_way`` only the three ways the targets compare run (serial, default, batch_run(2)).
    """
    reps = runs // len(MODES)
    sweep = [CLI, "-m", f"governance={','.join(MODES)}", f"replicate=range(0,{reps})"]
    sweep += ["study=bench", f"hydra.sweep.dir={workdir / 'sweep'}", "hydra.launcher.n_jobs=2"]
    commands = {
        SERIAL: Command([PY, WORKLOADS, "serial", str(runs)], workers=1),
        DEFAULT: Command(sweep),
        "csei-sim -m, 2 workers, 1 run per job (block_size=1)": Command(
            [*sweep, "hydra.sweeper.block_size=1"]
        ),
        "mesa.batch_run, 1 process": Command(
            [PY, WORKLOADS, "batch_run", "1", str(runs)], workers=1
        ),
        BATCH2: Command([PY, WORKLOADS, "batch_run", "2", str(runs)]),
    }
    if before is not None:
        commands[f"{DEFAULT}, code before (1 run per job, PNG per run)"] = Command(sweep, before)
    if not every_way:
        commands = {name: commands[name] for name in (SERIAL, DEFAULT, BATCH2)}
    return commands


def measure_sweeps(
    runs: int, repeats: int, before: str | None, every_way: bool = True
) -> list[SweepFigures]:
    """Each way of running the sweep, ``repeats`` times, interleaved so load changes hit all."""
    with tempfile.TemporaryDirectory(prefix="csei-bench-") as tmp:
        env = before_env(before, Path(tmp)) if every_way else None
        commands = sweep_commands(runs, Path(tmp), env, every_way)
        figures = {name: SweepFigures(name, runs, c.workers) for name, c in commands.items()}
        for _ in range(repeats):
            for name, command in commands.items():
                shutil.rmtree(Path(tmp) / "sweep", ignore_errors=True)  # no resuming of runs
                figures[name].load.append(os.getloadavg()[0])
                try:
                    wall, cpu, _ = child(command.args, Path(tmp), command.env)
                    figures[name].wall.append(wall)
                    figures[name].cpu.append(cpu)
                    print(f"  {name:60}: {wall:7.2f} s (load {figures[name].load[-1]:.1f})")
                except RuntimeError as err:
                    figures[name].error = str(err).splitlines()[-1][:200]
                    print(f"  {name:60}: failed ({figures[name].error})", flush=True)
    return list(figures.values())


STARTUP = "csei-sim seed=1 steps=1"


def measure_startup(repeats: int, before: str | None) -> list[SweepFigures]:
    """Process start to exit of ``csei-sim seed=1 steps=1`` (start-up: imports, composing,
    checks, one month, the run's files) and of a whole default run, in a fresh folder."""
    with tempfile.TemporaryDirectory(prefix="csei-bench-") as tmp:
        commands = {
            STARTUP: Command([CLI, "seed=1", "steps=1"], workers=1),
            "csei-sim seed=1 (144 months)": Command([CLI, "seed=1"], workers=1),
        }
        env = before_env(before, Path(tmp))
        if env is not None:
            commands[f"{STARTUP}, code before ({before})"] = Command(
                [CLI, "seed=1", "steps=1"], env, workers=1
            )
        figures = {name: SweepFigures(name, 1, 1) for name in commands}
        for _ in range(repeats):
            for name, command in commands.items():
                shutil.rmtree(Path(tmp) / "outputs", ignore_errors=True)
                figures[name].load.append(os.getloadavg()[0])
                wall, cpu, _ = child(command.args, Path(tmp), command.env)
                figures[name].wall.append(wall)
                figures[name].cpu.append(cpu)
                print(f"  {name:60}: {wall:7.2f} s (load {figures[name].load[-1]:.1f})")
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
                f"{cpu_ratio(csei, boltz):.2f}",
                f"{_load(csei)} / {_load(boltz)}",
            ]
        )
    header = ["agents", "CSEI s", "CSEI CPU s", "CSEI agent-steps/s", "CSEI peak MiB"]
    header += ["Boltzmann s", "Boltzmann agent-steps/s", "Boltzmann peak MiB", "ratio"]
    header += ["ratio (CPU s)", "load CSEI / Boltzmann"]
    return table(header, rows)


def cpu_ratio(csei: ModelFigures, boltz: ModelFigures) -> float:
    """Agent-steps per CPU second of CSEIModel over BoltzmannWealth's: what the wall ratio
    would be with a free core each (the wall ratio moves with other work on the machine)."""
    return statistics.median(boltz.cpu) / statistics.median(csei.cpu)


def _load(fig: ModelFigures) -> str:
    return f"{fig.load[0]:.1f}-{fig.load[-1]:.1f}" if fig.load else ""


def scale_table(figs: list[ModelFigures], steps: int) -> str:
    rows = [
        [
            f"{f.n:,}",
            f"{statistics.median(f.build):.1f}",
            f"{f.seconds:.1f}",
            f"{min(f.wall):.1f} - {max(f.wall):.1f}",
            f"{statistics.median(f.cpu):.1f}",
            f"{(f.seconds - statistics.median(f.build)) / steps * 1000:.0f}",
            f"{f.agent_steps(steps):,.0f}",
            f"{f.rss / MIB_PER_GIB:.2f}",
            f"{f.base_rss:.0f}",
            _load(f),
        ]
        for f in figs
    ]
    header = ["organisations", "build s", "wall s", "wall s (range)", "CPU s", "ms per month"]
    header += ["agent-steps/s", "peak resident GiB", "resident after imports MiB", "load"]
    return table(header, rows)


def sweep_table(sweeps: list[SweepFigures]) -> str:
    ok = {s.method: s for s in sweeps if s.wall}
    if SERIAL not in ok or BATCH2 not in ok:
        return "(the serial loop or batch_run(2) failed: no ratios)"
    serial, batch2 = ok[SERIAL], ok[BATCH2].runs_per_second
    rows = []
    for s in sweeps:
        if s.error:
            rows.append([s.method, str(s.runs), "failed", s.error, "", "", "", "", ""])
            continue
        rate = s.runs_per_second
        bound = min(s.workers, s.workers * statistics.median(serial.cpu) / statistics.median(s.cpu))
        rows.append(
            [
                s.method,
                str(s.runs),
                f"{statistics.median(s.wall):.1f}",
                f"{statistics.median(s.cpu):.1f}",
                f"{rate:.2f}",
                f"{rate / serial.runs_per_second:.2f}",
                f"{rate / batch2:.2f}",
                f"{bound:.2f}",
                f"{statistics.median(s.load):.1f}",
            ]
        )
    header = ["way of running", "runs", "wall s", "CPU s", "runs/s", "x serial", "x batch_run(2)"]
    header += ["bound x serial", "load"]
    return table(header, rows)


def startup_table(startup: list[SweepFigures]) -> str:
    rows = [
        [
            s.method,
            f"{statistics.median(s.wall):.2f}",
            f"{min(s.wall):.2f} - {max(s.wall):.2f}",
            f"{statistics.median(s.cpu):.2f}",
            f"{statistics.median(s.load):.1f}",
        ]
        for s in startup
    ]
    return table(["command", "wall s (median)", "wall s (range)", "CPU s", "load"], rows)


def paired(a: SweepFigures, b: SweepFigures) -> str:
    """Range of the repeat-by-repeat speed ratios a / b (the repeats ran interleaved)."""
    ratios = [wb / wa for wa, wb in zip(a.wall, b.wall, strict=False)]
    return f"{min(ratios):.2f} - {max(ratios):.2f}" if ratios else ""


def targets(
    figs: list[ModelFigures],
    scale: list[ModelFigures],
    sweeps: list[list[SweepFigures]],
    startup: list[SweepFigures],
    steps: int,
) -> str:
    # Kept apart: the Boltzmann ratios come from the models run, the 1M/100k ratio from the
    # scale run, which times both sizes the same way.
    by = {(f.kind, f.n): f for f in figs}
    by_scale = {(f.kind, f.n): f for f in scale}
    rows = []

    def check(name: str, value: float, goal: str, met: bool, spread: str = "", load="") -> None:
        rows.append([name, f"{value:.2f}", spread, goal, "met" if met else "MISSED", load])

    for n in (1_000, 10_000, 100_000):
        if ("csei", n) in by and ("boltzmann", n) in by:
            csei, boltz = by["csei", n], by["boltzmann", n]
            ratio = csei.agent_steps(steps) / boltz.agent_steps(steps)
            load = f"{_load(csei)} / {_load(boltz)}"
            check(f"agent-steps/s vs BoltzmannWealth at {n:,}", ratio, ">= 5", ratio >= 5, "", load)
            cpu = cpu_ratio(csei, boltz)
            check(
                f"agent-steps per CPU s vs BoltzmannWealth at {n:,}",
                cpu,
                ">= 5",
                cpu >= 5,
                "",
                load,
            )
    if ("csei", 1_000_000) in by_scale:
        big = by_scale["csei", 1_000_000]
        spread = f"{min(big.wall):.1f} - {max(big.wall):.1f}"
        check(
            "1,000,000 x 144 months: wall s",
            big.seconds,
            "< 60",
            big.seconds < 60,
            spread,
            _load(big),
        )
        cpu = statistics.median(big.cpu)  # what the wall time would be on a free core
        check("1,000,000 x 144 months: CPU s", cpu, "< 60", cpu < 60, "", _load(big))
        gib = big.rss / MIB_PER_GIB
        check("1,000,000 x 144 months: peak resident GiB", gib, "< 4", gib < 4, "", _load(big))
        if ("csei", 100_000) in by_scale:
            scale_ratio = big.seconds / by_scale["csei", 100_000].seconds
            check(
                "time(1,000,000) / time(100,000)",
                scale_ratio,
                "<= 10 (linear)",
                scale_ratio <= 10,
                "",
                _load(big),
            )
    # the goals are set at the largest sweep (the sizes researchers run)
    largest = max(sweeps, key=lambda ways: ways[0].runs) if sweeps else []
    ok = {s.method: s for s in largest if not s.error}
    if DEFAULT in ok and SERIAL in ok and BATCH2 in ok:
        default, serial, batch2 = ok[DEFAULT], ok[SERIAL], ok[BATCH2]
        load = f"{statistics.median(default.load):.1f}"
        ratio = default.runs_per_second / serial.runs_per_second
        runs = f"{default.runs:,} runs: "
        check(
            f"{runs}{DEFAULT} / serial",
            ratio,
            ">= 1.8",
            ratio >= 1.8,
            paired(default, serial),
            load,
        )
        ratio = default.runs_per_second / batch2.runs_per_second
        check(
            f"{runs}{DEFAULT} / batch_run(2)",
            ratio,
            ">= 1.0",
            ratio >= 1.0,
            paired(default, batch2),
            load,
        )
    named = {s.method: s for s in startup}
    before = next((s for name, s in named.items() if name.startswith(f"{STARTUP}, code")), None)
    if STARTUP in named and before is not None:
        after = named[STARTUP]
        ratio = statistics.median(after.wall) / statistics.median(before.wall)
        load = f"{statistics.median(after.load):.1f}"
        # as printed: a difference below 0.5 % is none
        check(f"{STARTUP}: wall s, after / before", ratio, "< 1", round(ratio, 2) < 1, "", load)
    header = ["target", "measured", "range over repeats", "goal", "", "load"]
    return table(header, rows)


def report(args, figs, scale, sweeps, startup, info, load) -> str:
    steps = args.steps
    parts = [
        "# Benchmark results",
        "",
        f"Produced by `{args.command}` on {time.strftime('%Y-%m-%d')}; medians over "
        f"{args.repeats} repeats per model size ({args.big_repeats} from {BIG:,} agents on), "
        f"{args.scale_repeats} per large pool, {args.sweep_repeats} per sweep and "
        f"{args.startup_repeats} per start-up.",
        "",
        *[f"- {k}: {v}" for k, v in info.items()],
        f"- load average (1 min) before / after the whole benchmark: {load[0]:.2f} / "
        f"{load[1]:.2f}; the load column gives it at the start of each command (median). It is",
        "  averaged over the last minute and counts the benchmark's own processes too (1 for the",
        "  serial ways, 2 or 3 for the parallel ones); well above 2 means other work shared the",
        "  2 cores, which slows the parallel ways most.",
    ]
    if figs:
        parts += [
            "",
            f"## Models: build + {steps} steps, one process per model and size",
            "",
            "CSEIModel with default parameters and `n_organisations` = agents; Mesa's own",
            "`BoltzmannWealth` example with the same number of agents on a grid of about one cell",
            "per agent (its default density: 100 agents on 10 x 10). Both collect their data every",
            "step. Peak = peak resident memory of the whole process (Python and libraries",
            "included). ratio = CSEIModel agent-steps/s / BoltzmannWealth agent-steps/s; ratio",
            "(CPU s) = the same per CPU second (BoltzmannWealth CPU s / CSEIModel CPU s), which",
            "other work on the machine moves less.",
            "",
            model_table(figs, steps),
        ]
    if scale:
        parts += [
            "",
            f"## Large pools: CSEIModel, build + {steps} months, one process per size",
            "",
            "Default parameters with `n_organisations` set (communities of 80, mean degree 6).",
            "Peak resident = the process's peak resident set (`ru_maxrss`: every allocation,",
            "numpy's included), not tracemalloc. ms per month = (wall - build) / months.",
            "",
            scale_table(scale, steps),
        ]
    if startup:
        parts += [
            "",
            "## Start-up: `csei-sim seed=1 steps=1`, process start to exit",
            "",
            "One month of the default region with all the run's files and `membership.png` (and",
            "a whole default run of 144 months for comparison), in a fresh folder; wall time of",
            "the whole process, CPU time of the process.",
            "",
            startup_table(startup),
        ]
    for ways in sweeps:
        parts += [
            "",
            f"## Sweep throughput: {ways[0].runs:,} runs ({len(MODES)} governance modes x "
            f"{ways[0].runs // len(MODES)} replicates, {ORGS} organisations, {STEPS} steps)",
            "",
            "Wall time of the whole command, start-up included. The serial loop and `batch_run`",
            "only simulate; `csei-sim -m` also writes every run's folder (Parquet tables, config,",
            "done.json). `csei-sim -m` is the command a user types:",
            f"`csei-sim -m governance={','.join(MODES)} 'replicate=range(0,"
            f"{ways[0].runs // len(MODES)})' study=bench`, plus the sweep folder and",
            "`hydra.launcher.n_jobs=2`. CPU s = CPU time of all its processes (workers included),",
            "which shows each way's overhead whatever the load. bound x serial = the most a way",
            "could reach over the serial loop with each of its workers on a free core:",
            "workers x serial CPU s / its CPU s (at most its workers).",
            "",
            sweep_table(ways),
        ]
    parts += ["", "## Targets", "", targets(figs, scale, sweeps, startup, steps), ""]
    return "\n".join(parts)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000, 100_000])
    parser.add_argument("--scale-sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--steps", type=int, default=144)
    parser.add_argument("--repeats", type=int, default=3, help="repeats per model and size")
    parser.add_argument("--big-repeats", type=int, default=1, help=f"from {BIG:,} agents on")
    parser.add_argument("--scale-repeats", type=int, default=1, help="repeats per large pool")
    parser.add_argument(
        "--sweep-runs",
        type=int,
        nargs="+",
        default=[200, 2_000],
        help="sweep sizes; every way runs at the first, the three the targets compare at the rest",
    )
    parser.add_argument("--sweep-repeats", type=int, default=3)
    parser.add_argument("--startup-repeats", type=int, default=5)
    parser.add_argument("--only", nargs="+", choices=PARTS, help="these parts (printed, or --out)")
    parser.add_argument("--before", default=BEFORE_REV, help="git revision to compare with")
    parser.add_argument("--quick", action="store_true", help="small sizes, a 40-run sweep, once")
    parser.add_argument("--out", type=Path, help="default: results.md for a full run")
    args = parser.parse_args()
    if args.quick:
        args.sizes, args.repeats, args.sweep_runs, args.sweep_repeats = [100, 1_000], 1, [40], 1
        args.startup_repeats, args.scale_sizes = 1, [10_000, 100_000]
    parts = set(args.only or PARTS)
    out = args.out or (None if args.only else HERE / "results.md")
    args.command = " ".join(["python benchmarks/bench.py", *sys.argv[1:]])
    load0 = os.getloadavg()[0]
    figs, scale, startup, sweeps = [], [], [], []
    if "models" in parts:
        print(f"models ({args.repeats} repeats each, {args.big_repeats} when large):", flush=True)
        figs = measure_models(args.sizes, args.steps, args.repeats, args.big_repeats)
    if "scale" in parts:
        print(f"large pools ({args.scale_repeats} repeats each):", flush=True)
        scale = measure_scale(args.scale_sizes, args.steps, args.scale_repeats)
    if "startup" in parts:
        print(f"start-up ({args.startup_repeats} repeats each):", flush=True)
        startup = measure_startup(args.startup_repeats, args.before)
    if "sweep" in parts:
        for i, runs in enumerate(args.sweep_runs):
            print(f"sweeps of {runs} runs ({args.sweep_repeats} repeats each):", flush=True)
            sweeps.append(measure_sweeps(runs, args.sweep_repeats, args.before, i == 0))
    text = report(args, figs, scale, sweeps, startup, machine(), (load0, os.getloadavg()[0]))
    print("\n" + text)
    if out is not None:
        tmp = out.with_name(f".{out.name}.tmp")  # never a half-written results file
        tmp.write_text(text)
        os.replace(tmp, out)
        print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
