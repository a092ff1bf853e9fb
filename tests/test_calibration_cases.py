"""Where the shipped calibration cases live, and that a user's own file still loads."""

from __future__ import annotations

import shutil
from pathlib import Path

from csei_sim.calibration.cases import CASE_DIR, case_names, load_case, resolve
from csei_sim.cli import main
from csei_sim.presets import CONFIG_DIR


def test_shipped_cases_are_package_data_outside_the_hydra_config_path():
    config = Path(str(CONFIG_DIR)).resolve()
    assert CASE_DIR.resolve().parent.name == "calibration"
    assert not CASE_DIR.resolve().is_relative_to(config)
    assert not (config / "calibration").exists()
    assert {"vasterbotten", "torino", "hamburg"} <= set(case_names())
    assert resolve("vasterbotten") == CASE_DIR / "vasterbotten.yaml"


def test_help_lists_no_calibration_config_group(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["--help"]) == 0
    stdout = capsys.readouterr().out
    listing = stdout.split("== Groups and their options ==", 1)[1].split("==", 1)[0]
    groups = [line.split(":", 1)[0] for line in listing.splitlines() if ": " in line]
    assert {"region", "governance", "funding", "facilitation", "experiment"} <= set(groups)
    assert "calibration" not in groups and "calibration:" not in stdout


def test_a_users_copy_of_a_shipped_case_loads_from_its_path(tmp_path):
    own = tmp_path / "my_cluster.yaml"
    shutil.copy(CASE_DIR / "vasterbotten.yaml", own)
    case = load_case(own)
    assert case.path == own and case.name == "vasterbotten"
    assert [o.date for o in case.observations] == [
        o.date for o in load_case("vasterbotten").observations
    ]
