"""Hydra configs: every preset composes into valid parameters, comments give sources, bad input."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from csei_sim import presets
from csei_sim.cli import main, preflight
from csei_sim.experiment.runner import run_seed
from csei_sim.experiment.validate import ConfigError
from csei_sim.params import Params

CONFIGS = Path(presets.CONFIG_DIR)
SEED_REGIONS = ["agder", "hamburg", "pomorskie", "kurzeme", "vasterbotten", "voru"]
OPTIONS = {
    "region": ["generic", *SEED_REGIONS],
    "governance": ["informal", "lead_organisation", "formal", "gradual"],
    "funding": ["none", "project_grants", "committed_2030", "cliff", "taper", "fees_only"],
    "facilitation": ["none", "light", "intensive", "mission_focused"],
}
NUMBER = re.compile(r"^\w+:\s*-?[\d.]+(e-?\d+)?\s*(#.*)?$")


@pytest.mark.parametrize("group", sorted(OPTIONS))
def test_every_option_the_issue_names_exists_and_is_valid(group):
    assert set(OPTIONS[group]) <= set(presets.options(group))
    for name in presets.options(group):
        params = Params.from_dict({group: presets.load(group, name)})
        if group == "region":
            assert params.region.name == name


def test_each_number_in_a_preset_says_whether_it_quotes_the_seed_or_assumes():
    for group in OPTIONS:
        for path in sorted((CONFIGS / group).glob("*.yaml")):
            for line in path.read_text().splitlines():
                if NUMBER.match(line):
                    assert re.search(
                        r'# (seed( \[[^\]]+\])?: ".+"|source \[[^\]]+\]: \S'
                        r"|assumption( \[[^\]]+\])?: \S)",
                        line,
                    ), f"{path}: {line}"


def test_seed_regions_state_their_seed_pairings_in_the_header():
    for region in SEED_REGIONS:
        header = (CONFIGS / "region" / f"{region}.yaml").read_text()
        assert "Seed pairings" in header and f"experiment=case_{region}" in header
        case = (CONFIGS / "experiment" / f"case_{region}.yaml").read_text()
        assert f"override /region: {region}" in case


def test_vasterbotten_quotes_its_starting_core_from_the_seed():
    text = (CONFIGS / "region" / "vasterbotten.yaml").read_text()
    line = next(x for x in text.splitlines() if x.startswith("core_size:"))
    assert line.startswith("core_size: 5") and '"What started as four or five' in line


def test_run_seeds_are_spawned_from_the_base_seed():
    children = np.random.SeedSequence(7).spawn(3)
    expected = [int(c.generate_state(1, dtype=np.uint32)[0]) for c in children]
    assert [run_seed(7, r) for r in range(3)] == expected
    assert len({run_seed(7, r) for r in range(50)}) == 50


def test_default_command_composes_the_documented_defaults(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    plan = preflight([])
    assert not plan.multirun and plan.run_dirs == [Path("outputs/default")]
    nested = presets.compose(
        region="generic", governance="informal", funding="none", facilitation="light"
    )
    assert plan.specs[0].params == Params.from_dict(nested)
    assert (plan.specs[0].base_seed, plan.specs[0].replicate) == (2025, 0)


def test_command_line_values_override_presets(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    spec = preflight(["region=hamburg", "funding=committed_2030", "region.core_size=3"]).specs[0]
    assert spec.params.region.name == "hamburg" and spec.params.region.core_size == 3
    assert spec.params.funding.committed_end == "2030-12"
    assert spec.choices == {} and spec.params.region.n_organisations == 120


@pytest.mark.parametrize(
    ("experiment", "runs"),
    [
        ("informal_vs_formal", 4 * 3 * 3 * 20),
        ("funding_scenarios", 6 * 20),
        ("facilitation_grid", 3 * 5 * 10),
        ("smoke", 4),
    ],
)
def test_named_sweeps_expand_to_their_documented_size(experiment, runs, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    plan = preflight([f"experiment={experiment}"])
    assert plan.multirun and len(plan.jobs) == runs == len(set(plan.run_dirs))
    assert plan.sweep_dir == Path("multirun") / experiment
    assert not any(tmp_path.iterdir())  # planning writes nothing


def test_quick_planning_names_folders_and_seeds_exactly_as_full_composition(tmp_path, monkeypatch):
    from csei_sim.experiment import validate

    monkeypatch.chdir(tmp_path)
    args = ["-m", "experiment=smoke", "seed=3,4", "region.core_size=4,5"]
    quick = preflight(args)
    monkeypatch.setattr(validate, "DEFAULT_SUBDIR", "compose every job")
    full = preflight(args)
    assert len(quick.jobs) == 16 and quick.run_dirs == full.run_dirs
    assert [(s.seed, s.params) for s in quick.specs] == [(s.seed, s.params) for s in full.specs]
    assert len({s.seed for s in quick.specs}) == 4  # 2 base seeds x 2 replicates


def test_the_six_cases_sweep_together(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    plan = preflight(["-m", "experiment=glob(case_*)", "replicate=0,1", "study=cases"])
    assert len(plan.jobs) == 12 and plan.sweep_dir == Path("multirun/cases")


BAD = [
    (["region=narnia"], "region=narnia", "vasterbotten"),
    (["governance=anarchy"], "governance=anarchy", "lead_organisation"),
    (["region.n_organisatons=30"], "region.n_organisatons", "n_organisations"),
    (["colour=blue"], "colour", "critical_mass"),
    (["region.n_organisations=many"], "region.n_organisations", "[4, 2000000]"),
    (["region.n_organisations=2"], "region.n_organisations", "[4, 2000000]"),
    (["governance.governance_mode=anarchy"], "governance.governance_mode", "gradual"),
    (["funding.committed_end=2030-13"], "funding.committed_end", "YYYY-MM"),
    (["-m", "region.n_organisations=30,-1"], "region.n_organisations", "[4, 2000000]"),
    (["-m", "replicate=0,0"], "replicate=0", "once"),
]


@pytest.mark.parametrize(("argv", "key", "allowed"), BAD)
def test_bad_input_is_one_line_naming_key_and_allowed_values(
    argv, key, allowed, tmp_path, monkeypatch, capsys
):
    monkeypatch.chdir(tmp_path)
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("csei-sim: error: ")
    assert key in err and allowed in err
    assert not any(tmp_path.iterdir())


def test_a_typo_inside_a_config_file_names_the_file_and_key(tmp_path, monkeypatch):
    (tmp_path / "mine" / "region").mkdir(parents=True)
    (tmp_path / "mine" / "region" / "typo.yaml").write_text("name: typo\nthreshold_men: 0.2\n")
    monkeypatch.chdir(tmp_path)
    with pytest.raises(
        ConfigError,
        match=r"region/typo.yaml: region.threshold_men: unknown key "
        r"\(did you mean threshold_mean\?\)",
    ):
        preflight(["--config-dir", str(tmp_path / "mine"), "region=typo"])


def test_explore_is_dispatched_before_hydra_and_fails_clearly_without_the_explorer(
    monkeypatch, capsys
):
    import sys

    calls = []
    fake = type(sys)("csei_sim.viz.launch")
    fake.main = lambda argv: calls.append(argv) or 0
    monkeypatch.setitem(sys.modules, "csei_sim.viz.launch", fake)
    assert main(["explore", "--port", "9000"]) == 0 and calls == [["--port", "9000"]]
    monkeypatch.setitem(sys.modules, "csei_sim.viz.launch", None)  # import fails
    assert main(["explore"]) == 2
    assert "explore: the explorer is not available" in capsys.readouterr().err
