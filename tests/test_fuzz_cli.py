"""Generated command lines: every one is accepted or refused in one line, never a traceback, and
a refused one writes nothing.

Most examples go through each command's own checks in this process (what runs before anything
is written: :func:`csei_sim.cli.validate_command`, the argument checks of ``csei-sim-study`` and
``csei-sim-analysis``); a handful go through the real console script. The examples are derived
from a fixed database-free seed (``derandomize``), the same on every run.
"""

from __future__ import annotations

import resource
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from csei_sim.cli import validate_command
from csei_sim.experiment.validate import ConfigError
from csei_sim.params import ParameterError
from csei_sim.sensitivity import cli as analysis_cli
from csei_sim.studies import cli as study_cli

BIN = Path(sys.executable).parent
KEYS = [
    "seed",
    "replicate",
    "steps",
    "start",
    "critical_mass",
    "plot",
    "study",
    "region",
    "governance",
    "funding",
    "facilitation",
    "region.n_organisations",
    "region.initial_trust",
    "region.core_size",
    "governance.office_cost",
    "funding.committed_start",
    "funding.committed_end",
    "behaviour.trust_decay",
    "hydra.run.dir",
    "hydra.sweep.dir",
    "hydra.launcher.n_jobs",
    "hydra.sweeper.block_size",
    "colour",
]
LONG = "n" * 300
PATHS = ["/proc/nope", "a_file", "a_file/sub", f"out/{LONG}", "out/ok", "sub/../a_file", "~/x"]
NUMBERS = st.one_of(
    st.integers(-(2**70), 2**70),
    st.sampled_from([0, 1, 2, 4, 12, 60, 2**31, 2**63, 10**20]),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
)
MONTHS = st.builds(
    lambda y, m, pad: f"{y:04d}-{m:02d}{pad}",
    st.integers(0, 9999),
    st.integers(0, 13),
    st.sampled_from(["", " ", "-01"]),
)
TEXT = st.text(st.sampled_from("abz019_-.,=/ :'\"()[]*?${}\\２"), max_size=12)
NAMES = st.sampled_from(["generic", "formal", "informal", "none", "nope", "voru", "light"])
SCALARS = st.one_of(
    NUMBERS.map(str), MONTHS, TEXT, NAMES, st.sampled_from(PATHS), st.sampled_from(["true", "null"])
)
SWEEPS = st.one_of(
    st.builds(lambda a, b: f"range({a},{b})", st.integers(-5, 10**9), st.integers(-5, 10**10)),
    st.lists(SCALARS, min_size=1, max_size=3).map(",".join),
)
OVERRIDES = st.lists(
    st.builds(lambda k, v: f"{k}={v}", st.sampled_from(KEYS), st.one_of(SCALARS, SWEEPS)),
    max_size=4,
)
COMMANDS = st.builds(lambda m, o: (["-m"] if m else []) + o, st.booleans(), OVERRIDES)
FUZZ = settings(
    max_examples=500,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def tree(root: Path) -> dict[str, bytes | None]:
    return {
        str(p.relative_to(root)): None if p.is_dir() else p.read_bytes() for p in root.rglob("*")
    }


@pytest.fixture(scope="module")
def cwd(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("fuzz")
    (root / "a_file").write_text("x")
    return root


@pytest.fixture(autouse=True, scope="module")
def bounded_memory():
    """Checks allocate next to nothing: a command that tries to is a MemoryError here, not a
    machine out of memory (the soft limit only, put back afterwards)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    limit = 6 << 30 if hard == resource.RLIM_INFINITY else min(hard, 6 << 30)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    yield
    resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


@FUZZ
@given(argv=COMMANDS)
def test_csei_sim_accepts_or_refuses_in_one_line(argv, cwd, monkeypatch):
    before = tree(cwd)
    with monkeypatch.context() as m:
        m.chdir(cwd)
        try:
            validate_command(argv)
        except ConfigError as err:  # exit 2: one line
            assert "\n" not in str(err).strip() and str(err).strip(), argv
    assert tree(cwd) == before, argv  # checking writes nothing, accepted or not


FLAGS = {
    "morris": ["--trajectories", "--levels", "--resamples", "--replicates", "--n-jobs", "--seed"],
    "sobol": ["--samples", "--top", "--resamples", "--replicates", "--base-seed", "--n-jobs"],
    "prim": ["--samples", "--alpha", "--min-coverage", "--survival-threshold", "--max-dims"],
}
PATH_FLAGS = ["--out", "--report-dir"]


def _flag_value(command: str):
    numeric = st.tuples(st.sampled_from(FLAGS[command]), NUMBERS.map(str))
    folder = st.tuples(st.sampled_from(PATH_FLAGS), st.sampled_from(PATHS))
    return st.one_of(numeric, numeric, folder)


ANALYSES = st.sampled_from(sorted(FLAGS)).flatmap(
    lambda c: st.lists(_flag_value(c), max_size=3).map(
        lambda pairs: [c, *[part for pair in pairs for part in pair]]
    )
)


def _parsed(parser, argv):
    """Parsed arguments, or None when argparse refuses them (exit 2, its usage and one error)."""
    try:
        return parser.parse_args(argv)
    except SystemExit as stop:
        assert stop.code == 2, argv
        return None


@FUZZ
@given(argv=ANALYSES)
def test_csei_sim_analysis_checks_accept_or_refuse_in_one_line(argv, cwd, monkeypatch, capsys):
    before = tree(cwd)
    with monkeypatch.context() as m:
        m.chdir(cwd)
        args = _parsed(analysis_cli.parser(), argv)
        if args is not None:
            try:
                analysis_cli.check_limits(args)
            except ParameterError as err:
                assert "\n" not in str(err), argv
    assert "Traceback" not in capsys.readouterr().err
    assert tree(cwd) == before, argv


STUDY_ARGS = st.builds(
    lambda name, pairs: [name, *[part for pair in pairs for part in pair]],
    st.sampled_from(sorted(study_cli.STUDIES)),
    st.lists(
        st.one_of(
            st.tuples(st.sampled_from(["--replicates", "--n-jobs"]), NUMBERS.map(str)),
            st.tuples(st.sampled_from(["--runs", "--out"]), st.sampled_from(PATHS)),
        ),
        max_size=3,
    ),
)


@FUZZ
@given(argv=STUDY_ARGS)
def test_csei_sim_study_checks_accept_or_refuse_in_one_line(argv, cwd, monkeypatch, capsys):
    before = tree(cwd)
    with monkeypatch.context() as m:
        m.chdir(cwd)
        args = _parsed(study_cli.parser(), argv)
        if args is not None:
            try:
                study_cli.check_args(args)
            except (ParameterError, ValueError) as err:
                assert "\n" not in str(err), argv
    assert "Traceback" not in capsys.readouterr().err
    assert tree(cwd) == before, argv


# A handful through the console script itself: exit 0 or 2, no traceback, nothing on exit 2.
# The runs are kept tiny (the overrides after these win only where they name the same key).
SMALL_RUN = ["steps=2", "region.n_organisations=12", "plot=false", "hydra.launcher.n_jobs=1"]


@settings(max_examples=6, deadline=None, derandomize=True, database=None)
@given(argv=COMMANDS)
def test_the_console_script_exits_0_or_2_without_a_traceback(argv, tmp_path_factory):
    cwd = tmp_path_factory.mktemp("console")
    (cwd / "a_file").write_text("x")
    before = tree(cwd)
    flags = [a for a in argv if a == "-m"]  # Hydra's flags come before the overrides
    rest = [a for a in argv if a != "-m" and not a.startswith(("steps=", "replicate=", "seed="))]
    done = subprocess.run(
        [str(BIN / "csei-sim"), *flags, *SMALL_RUN, *rest],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode in (0, 2), (argv, done.stderr)
    assert "Traceback" not in done.stderr, argv
    if done.returncode == 2:
        assert done.stderr.count("\n") == 1 and tree(cwd) == before, (argv, done.stderr)


# argparse's own refusals (unknown flags, words for numbers, missing values): one line, exit 2
def _parsers():
    from csei_sim.calibration import cli as calibration_cli
    from csei_sim.experiment import report
    from csei_sim.multiregion import report as exchange_report

    return {
        "csei-sim-study": study_cli.parser,
        "csei-sim-analysis": analysis_cli.parser,
        "csei-sim-report": report.parser,
        "csei-sim-calibrate": calibration_cli.parser,
        "csei-sim-exchange report": exchange_report.parser,
    }


TOKENS = st.sampled_from(
    [
        *sorted(study_cli.STUDIES),
        "morris",
        "sobol",
        "prim",
        "headline",
        "report",
        "nope",
        "--replicates",
        "--samples",
        "--seed",
        "--out",
        "--runs",
        "--correction",
        "--alpha",
        "--foo",
        "-x",
        "--",
        "holm",
        "x",
        "1.5",
        "3",
        "-1",
        "=",
        "２",
    ]
)
ARGV = st.tuples(st.sampled_from(sorted(_parsers())), st.lists(TOKENS, max_size=5))


@FUZZ
@given(case=ARGV)
def test_argparse_refusals_are_one_line(case, capsys):
    prog, argv = case
    try:
        _parsers()[prog]().parse_args(argv)
    except SystemExit as stop:
        assert stop.code == 2, argv
        out = capsys.readouterr()
        assert out.err.count("\n") == 1 and out.err.startswith(prog), out.err
        assert out.err.split(": error: ")[0] in (prog, *(f"{prog} {a}" for a in argv)), out.err
        assert "usage:" not in out.err and out.out == "", argv
