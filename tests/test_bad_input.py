"""Bad input never crashes or corrupts: the Python API, the ``csei-sim`` command and config files.

Every case must give a message naming the key and what is allowed, a specific exception (API) or
exit code 2 with one line on stderr (command), and leave the folder it ran in exactly as it was.
"""

from __future__ import annotations

import math
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest

from csei_sim import CSEIModel, ParameterError, Params, presets
from csei_sim.cli import main
from csei_sim.experiment import RunSpec, run_one, run_sweep
from csei_sim.experiment.runner import MAX_SEED
from csei_sim.replicates import at, run_replicates

CLI = str(Path(sys.executable).parent / "csei-sim")

# -- the Python API --------------------------------------------------------------------------

API = {
    "unknown key": ({"colour": "blue"}, "colour", "critical_mass"),
    "unknown key in a group": ({"funding": {"amount": 1}}, "funding.amount", "committed_amount"),
    "a preset name for a group": ({"region": "hamburg"}, "region", "mapping"),
    "text for an integer": ({"n_organisations": "many"}, "region.n_organisations", "[4, 2000000]"),
    "a list for a choice": ({"governance_mode": ["formal"]}, "governance.governance_mode", "text"),
    "None for steps": ({"steps": None}, "steps", "[1, 1200]"),
    "true for a number": ({"trust_decay": True}, "behaviour.trust_decay", "[0, 1]"),
    "NaN": ({"initial_trust": math.nan}, "region.initial_trust", "finite number in [0, 1]"),
    "infinity": ({"office_cost": math.inf}, "governance.office_cost", "finite"),
    "minus infinity": ({"benefit_reservation": -math.inf}, "behaviour.benefit_reservation", "[-2"),
    "negative money": ({"grant_amount": -100.0}, "funding.grant_amount", "[0, 1000000000.0]"),
    "negative fee": ({"membership_fee": -1}, "funding.membership_fee", "[0, "),
    "negative hours": ({"facilitation_hours": -1}, "facilitation.facilitation_hours", "[0, "),
    "trust above 1": ({"formalise_min_trust": 1.2}, "governance.formalise_min_trust", "[0, 1]"),
    "trust below 0": ({"initial_trust": -0.01}, "region.initial_trust", "[0, 1]"),
    "share above 1": ({"share_outreach": 1.5}, "facilitation.share_outreach", "[0, 1]"),
    "sector shares off 1": ({"share_ngo": 0.5}, "region.share_*", "sum to 1"),
    "no organisations": ({"n_organisations": 0}, "region.n_organisations", "[4, 2000000]"),
    "a billion organisations": ({"n_organisations": 10**9}, "region.n_organisations", "[4, "),
    "zero steps": ({"steps": 0}, "steps", "[1, 1200]"),
    "funding ends before it starts": (
        {"committed_start": "2031-01", "committed_end": "2030-12"},
        "funding.committed_end",
        "before committed_start 2031-01",
    ),
    "month 13": ({"start": "2025-13"}, "start", "YYYY-MM"),
    "core larger than the pool": (
        {"n_organisations": 10, "core_size": 11},
        "region.core_size",
        "exceeds n_organisations (10)",
    ),
}


@pytest.mark.parametrize("case", sorted(API))
def test_api_names_the_key_and_what_is_allowed(case):
    kwargs, key, allowed = API[case]
    with pytest.raises(ParameterError) as err:
        CSEIModel(rng=1, **kwargs)
    assert err.value.key == key and allowed in str(err.value)
    with pytest.raises(ParameterError):  # the same check wherever parameters come in
        Params.from_dict(kwargs)


def test_numpy_numbers_are_valid_numbers():
    """Sweeps built with numpy (np.arange, pandas columns) hand over numpy scalars."""
    params = Params.from_dict(n_organisations=np.int64(30), initial_trust=np.float32(0.5))
    assert params.region.n_organisations == 30 and type(params.region.n_organisations) is int
    assert params.region.initial_trust == 0.5 and type(params.region.initial_trust) is float


def test_unknown_presets_and_groups_list_what_exists():
    with pytest.raises(KeyError, match="unknown region preset 'narnia'; allowed: agder"):
        presets.load("region", "narnia")
    with pytest.raises(KeyError, match="unknown region preset '../funding/cliff'"):
        presets.load("region", "../funding/cliff")  # no path out of the group's folder
    with pytest.raises(KeyError, match="unknown preset group 'colour'; allowed: region"):
        presets.options("colour")


@pytest.mark.parametrize(
    ("seed", "replicate", "key", "allowed"),
    [
        (-1, 0, "seed", f"[0, {MAX_SEED}]"),
        (2**64, 0, "seed", f"[0, {MAX_SEED}]"),
        ("7", 0, "seed", "integer"),
        (1, -3, "replicate", f"[0, {MAX_SEED}]"),
        (1, 2.5, "replicate", "integer"),
    ],
)
def test_seeds_and_replicates_are_checked(seed, replicate, key, allowed, tmp_path):
    with pytest.raises(ParameterError) as err:
        run_one({"steps": 2, "seed": seed, "replicate": replicate}, tmp_path / "run")
    assert err.value.key == key and allowed in str(err.value)
    assert not any(tmp_path.iterdir())


def test_run_one_into_a_folder_that_cannot_exist_writes_nothing(tmp_path):
    blocker = tmp_path / "results"  # a file where the folder should go: fails even for root
    blocker.write_text("not a folder")
    with pytest.raises(OSError):
        run_one(RunSpec(Params.from_dict(steps=2, n_organisations=10)), blocker / "run")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["results"]
    assert blocker.read_text() == "not a folder"


def test_sweep_labels_that_collide_as_folders_are_refused(tmp_path):
    scenarios = {"a/b": {"steps": 2}, "a_b": {"steps": 2}}  # both become folder a_b
    with pytest.raises(ValueError, match="scenario labels must stay distinct"):
        run_sweep(scenarios, tmp_path / "sweep", n_jobs=1, progress=False)
    assert not any(tmp_path.iterdir())


def test_replicate_helpers_name_their_argument():
    with pytest.raises(ValueError, match="seeds: must be distinct"):
        run_replicates({"steps": 2}, seeds=[3, 3])
    runs = run_replicates({"steps": 3, "start": "2025-01"}, seeds=[1])
    with pytest.raises(ValueError, match=r"when: .2024-06. is not in the runs; they go from"):
        at(runs, "2024-06")  # months before the start


# -- the command, in this process (the same main() the console script calls) ----------------

CLI_CASES = {
    "unknown preset": (["funding=cliffs"], "funding=cliffs", "did you mean cliff?"),
    "unknown key": (["behaviour.colab_rate=0.2"], "behaviour.colab_rate", "collab_rate"),
    "wrong type": (
        ["funding.committed_amount=lots"],
        "funding.committed_amount",
        "a number in [0, 1000000000.0]",
    ),
    "NaN": (["region.initial_trust=nan"], "region.initial_trust", "[0, 1]"),
    "infinity": (["facilitation.hourly_cost=inf"], "facilitation.hourly_cost", "finite"),
    "negative money": (["governance.office_cost=-1"], "governance.office_cost", "[0, "),
    "negative hours": (
        ["facilitation.facilitation_hours=-5"],
        "facilitation.facilitation_hours",
        "[0, 100000.0]",
    ),
    "share above 1": (["region.cross_sector_share=1.5"], "region.cross_sector_share", "[0, 1]"),
    "sector shares off 1": (["region.share_ngo=0.6"], "region.share_*", "sum to 1"),
    "no organisations": (["region.n_organisations=0"], "region.n_organisations", "[4, 2000000]"),
    "too many organisations": (
        ["region.n_organisations=10000000"],
        "region.n_organisations",
        "[4, 2000000]",
    ),
    "zero steps": (["steps=0"], "steps", "[1, 1200]"),
    "critical mass of a share 0.01": (
        ["critical_mass_share=0.01"],
        "critical_mass_share",
        "[0.05, 0.9]",
    ),
    "an absolute critical mass": (["critical_mass=15"], "critical_mass", "critical_mass_share"),
    "funding ends before it starts": (
        ["funding.committed_start=2031-01", "funding.committed_end=2030-12"],
        "funding.committed_end",
        "before committed_start",
    ),
    "month 0": (["start=2025-00"], "start", "YYYY-MM"),
    "not a flag": (["plot=maybe"], "plot", "true or false"),
    "duplicate runs": (["-m", "governance=formal,formal"], "sweep", "list each value once"),
    "negative replicate": (["-m", "replicate=-1,0"], "replicate", f"[0, {MAX_SEED}]"),
    "seed beyond 64 bits": ([f"seed={2**64}"], "seed", f"[0, {MAX_SEED}]"),
    "fractional seed": (["seed=1.5"], "seed", "integer"),
    "preset name with a path": (["region=../region/generic"], "region=", "plain names"),
    "study name with a path": (["-m", "study=../escape"], "study=../escape", "plain names"),
    "empty sweep": (["-m", "replicate=range(0)"], "sweep", "no runs"),
    "no worker processes": (["-m", "hydra.launcher.n_jobs=0"], "hydra.launcher.n_jobs", "-1"),
    "two modes": (["-m", "--cfg", "job"], "--multirun", "only one of"),
    "rerun from a pickle": (["--experimental-rerun", "x.pickle"], "--experimental-rerun", "not"),
}


def tree(root: Path) -> dict[str, bytes | None]:
    """Every path under ``root`` with its content (None for folders)."""
    return {
        str(p.relative_to(root)): None if p.is_dir() else p.read_bytes() for p in root.rglob("*")
    }


def refuse(argv: list[str], cwd: Path, monkeypatch, capsys) -> str:
    """Run the command in ``cwd``; check exit 2, one line, nothing written; return the line."""
    before = tree(cwd)
    with monkeypatch.context() as m:
        m.chdir(cwd)
        assert main(argv) == 2, argv
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("csei-sim: error: "), err
    assert tree(cwd) == before
    return err


@pytest.mark.parametrize("case", sorted(CLI_CASES))
def test_command_names_the_key_and_what_is_allowed(case, tmp_path, monkeypatch, capsys):
    argv, key, allowed = CLI_CASES[case]
    err = refuse(argv, tmp_path, monkeypatch, capsys)
    assert key in err and allowed in err


# -- config files ----------------------------------------------------------------------------

CONFIG_FILES = {
    "broken YAML": (
        "region/broken.yaml",
        "name: broken\nn_organisations: [1, 2\n",
        ["region=broken"],
        ("broken.yaml: line 3", "broken YAML"),
    ),
    "broken experiment": (
        "experiment/broken.yaml",
        "# @package _global_\nsteps: 3\n  bad: indent\n",
        ["experiment=broken"],
        ("broken.yaml: line 3", "broken YAML"),
    ),
    "unknown key in a preset": (
        "funding/mine.yaml",
        "committed_amount: 1000\namount: 5\n",
        ["funding=mine"],
        ("funding.amount", "allowed: committed_amount"),
    ),
    "wrong type in a preset": (
        "region/mine.yaml",
        "name: mine\nn_organisations: many\n",
        ["region=mine"],
        ("region.n_organisations", "[4, 2000000]"),
    ),
    "funding ends before it starts": (
        "funding/backwards.yaml",
        "committed_amount: 1000\ncommitted_start: 2031-01\ncommitted_end: 2030-12\n",
        ["funding=backwards"],
        ("funding.committed_end", "before committed_start 2031-01"),
    ),
    "an experiment sweeping out of range": (
        "experiment/wide.yaml",
        "# @package _global_\nstudy: wide\nhydra:\n  sweeper:\n    params:\n"
        "      region.n_organisations: 30,2\n",
        ["-m", "experiment=wide"],
        ("region.n_organisations", "[4, 2000000]"),
    ),
}


@pytest.mark.parametrize("case", sorted(CONFIG_FILES))
def test_config_files_name_the_file_or_key(case, tmp_path, monkeypatch, capsys):
    name, text, argv, fragments = CONFIG_FILES[case]
    (tmp_path / "conf" / name).parent.mkdir(parents=True)
    (tmp_path / "conf" / name).write_text(text)
    err = refuse(["--config-dir", str(tmp_path / "conf"), *argv], tmp_path, monkeypatch, capsys)
    assert all(f in err for f in fragments), err


# -- output folders that cannot be written -----------------------------------------------------


@pytest.mark.parametrize(
    ("argv", "key"),
    [
        (["hydra.run.dir={file}/sub", "steps=2"], "hydra.run.dir"),
        (["-m", "hydra.sweep.dir={file}/sweep", "steps=2"], "hydra.sweep.dir"),
        (["-m", "study=taken", "governance=formal", "steps=2"], "hydra.sweep.subdir"),
    ],
)
def test_an_output_folder_blocked_by_a_file_is_refused(argv, key, tmp_path, monkeypatch, capsys):
    """chmod does not stop root, so a file stands where a folder must go."""
    blocker = tmp_path / "a_file"
    blocker.write_text("x")
    (tmp_path / "multirun" / "taken").mkdir(parents=True)
    (tmp_path / "multirun" / "taken" / "governance=formal,steps=2").write_text("x")
    argv = [a.replace("{file}", str(blocker)) for a in argv]
    err = refuse(argv, tmp_path, monkeypatch, capsys)
    assert key in err and "is a file, not a folder" in err


# -- the console script itself, in separate processes (run at once to save time) --------------

SUBPROCESS = {
    "NaN": (["region.initial_trust=nan"], "region.initial_trust", "[0, 1]"),
    "unknown preset": (["funding=cliffs"], "funding=cliffs", "allowed: cliff"),
    "negative replicate": (["-m", "replicate=-1,0"], "replicate", "[0, "),
    "blocked output": (["hydra.run.dir=a_file/sub"], "hydra.run.dir", "is a file"),
    "broken YAML": (["--config-dir", "conf", "region=broken"], "broken.yaml", "broken YAML"),
}


@pytest.fixture(scope="module")
def console(tmp_path_factory) -> dict[str, tuple[subprocess.CompletedProcess, Path, dict]]:
    def launch(case: str):
        cwd = tmp_path_factory.mktemp(case.replace(" ", "_"))
        (cwd / "a_file").write_text("x")
        (cwd / "conf" / "region").mkdir(parents=True)
        (cwd / "conf" / "region" / "broken.yaml").write_text("n_organisations: [1, 2\n")
        before = tree(cwd)
        done = subprocess.run(
            [CLI, *SUBPROCESS[case][0]], cwd=cwd, capture_output=True, text=True, timeout=300
        )
        return case, (done, cwd, before)

    with ThreadPoolExecutor(len(SUBPROCESS)) as pool:
        return dict(pool.map(launch, SUBPROCESS))


@pytest.mark.parametrize("case", sorted(SUBPROCESS))
def test_console_script_exits_2_with_one_line_and_writes_nothing(case, console):
    done, cwd, before = console[case]
    _, key, allowed = SUBPROCESS[case]
    assert done.returncode == 2, done.stderr
    assert done.stderr.count("\n") == 1 and done.stderr.startswith("csei-sim: error: ")
    assert key in done.stderr and allowed in done.stderr
    assert done.stdout == "" and tree(cwd) == before


@pytest.mark.parametrize("start", ["0000-01", "9999-12", "1899-12", "2200-01"])
def test_months_outside_the_calendar_range_are_refused(start):
    # these used to start a run that died in the plots' date axis, leaving a partial folder
    with pytest.raises(ParameterError, match=r"start.*1900\.\.2199"):
        CSEIModel(start=start, steps=12)


@pytest.mark.parametrize(
    ("key", "month"),
    [
        ("start", "２０２５-01"),
        ("start", "2025-01\n"),
        ("committed_end", "2030-1２"),
        ("start", " 2025-01"),
    ],
)
def test_months_in_other_digits_or_with_a_newline_are_refused(key, month):
    # \d took fullwidth digits and $ a trailing newline: both passed the check
    with pytest.raises(ParameterError, match=rf"{key}: expected a month as YYYY-MM"):
        Params.from_dict({key: month})
    with pytest.raises(ParameterError, match=key):
        CSEIModel(**{key: month}, steps=2)


@pytest.mark.parametrize("seed", ["²", "١٢", "１２"])
def test_unicode_digits_are_refused_as_a_seed(seed):
    # they pass str.isdigit(); int() then raised a bare ValueError deep inside Mesa
    with pytest.raises(ParameterError, match="rng"):
        CSEIModel(rng=seed)


@pytest.mark.parametrize("kind", [np.int64, np.int32, np.uint32])
def test_numpy_integer_seeds_give_the_numbers_of_the_same_python_int(kind):
    # EMA Workbench and batch_run(rng=np.arange(n)) hand over numpy integers
    a = CSEIModel(n_organisations=30, steps=12, rng=kind(7)).run().timeseries()
    b = CSEIModel(n_organisations=30, steps=12, rng=7).run().timeseries()
    assert a.equals(b)


# -- argparse's own refusals: one line naming the key and what it allows, exit 2 ---------------


def _entries():
    from csei_sim.calibration.cli import main as calibrate_main
    from csei_sim.experiment.report import main as report_main
    from csei_sim.multiregion.study import main as exchange_main
    from csei_sim.sensitivity.cli import main as analysis_main
    from csei_sim.studies.cli import main as study_main

    return {
        "csei-sim-study": study_main,
        "csei-sim-analysis": analysis_main,
        "csei-sim-report": report_main,
        "csei-sim-calibrate": calibrate_main,
        "csei-sim-exchange": exchange_main,
        "csei-sim": main,
    }


ARGPARSE = {
    "no study": ("csei-sim-study", [], ["NAME: missing", "allowed: funding_scenarios"]),
    "unknown study": (
        "csei-sim-study",
        ["nope"],
        ["NAME: invalid choice 'nope'", "informal_vs_formal, quick"],
    ),
    "text for replicates": ("csei-sim-study", ["quick", "--replicates", "x"], ["--replicates"]),
    "unknown correction": ("csei-sim-study", ["quick", "--correction", "z"], ["holm, bh, none"]),
    "unknown flag": ("csei-sim-study", ["quick", "--foo", "3"], ["--foo 3", "allowed: -h"]),
    "flag without value": ("csei-sim-study", ["quick", "--runs"], ["--runs: its value is"]),
    "no analysis": ("csei-sim-analysis", [], ["command: missing", "morris, sobol, prim"]),
    "unknown analysis": ("csei-sim-analysis", ["x"], ["command: invalid choice 'x'", "headline"]),
    "text for trajectories": (
        "csei-sim-analysis",
        ["morris", "--trajectories", "x"],
        ["--trajectories: expected an integer, got 'x'"],
    ),
    "a flag of another analysis": (
        "csei-sim-analysis",
        ["morris", "--alpha", "0.1"],
        ["--alpha 0.1", "--trajectories"],  # morris's own flags are listed
    ),
    "no headline method": ("csei-sim-analysis", ["headline"], ["method: missing", "sobol, prim"]),
    "no sweep folder": ("csei-sim-report", [], ["sweep_dir: missing", "a path"]),
    "unknown report flag": ("csei-sim-report", ["x", "--bogus"], ["--bogus", "allowed: -h"]),
    "no case": ("csei-sim-calibrate", [], ["case: missing", "vasterbotten"]),
    "text for a seed": ("csei-sim-calibrate", ["x", "--seed", "y"], ["--seed", "an integer"]),
    "exchange report, no folder": ("csei-sim-exchange", ["report"], ["sweep_dir: missing"]),
}


@pytest.mark.parametrize("case", sorted(ARGPARSE))
def test_argparse_refusals_are_one_line_naming_key_and_allowed(case, tmp_path, monkeypatch, capsys):
    prog, argv, fragments = ARGPARSE[case]
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit) as stop:
        _entries()[prog](argv)
    assert stop.value.code == 2
    out = capsys.readouterr()
    assert out.err.count("\n") == 1 and out.err.startswith(prog), out.err
    assert "usage:" not in out.err and "Traceback" not in out.err and out.out == ""
    assert "error: " in out.err and all(f in out.err for f in fragments), out.err
    assert not list(tmp_path.iterdir())


HYDRA_FLAGS = {
    "unknown Hydra flag": ("csei-sim-exchange", ["--foo"], ["--foo", "--multirun"]),
    "unknown --cfg": (
        "csei-sim",
        ["--cfg", "zz"],
        ["--cfg/-c: invalid choice 'zz'", "job, hydra, all"],
    ),
    "--config-name without value": ("csei-sim", ["-m", "--config-name"], ["--config-name/-cn"]),
}


@pytest.mark.parametrize("case", sorted(HYDRA_FLAGS))
def test_hydra_flag_refusals_are_one_line(case, tmp_path, monkeypatch, capsys):
    prog, argv, fragments = HYDRA_FLAGS[case]
    monkeypatch.chdir(tmp_path)
    assert _entries()[prog](argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith(f"{prog}: error: "), err
    assert all(f in err for f in fragments), err
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize("prog", ["csei-sim-study", "csei-sim-analysis", "csei-sim-report"])
def test_help_is_argparses_own(prog, capsys):
    with pytest.raises(SystemExit) as stop:
        _entries()[prog](["--help"])
    assert stop.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith(f"usage: {prog}") and "options:" in out
