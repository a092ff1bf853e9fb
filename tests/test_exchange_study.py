"""The peer-exchange study: Hydra config, resumable run folders, paired effects, the report."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hydra import compose, initialize_config_module
from omegaconf import OmegaConf

from csei_sim.multiregion import SEED_REGIONS
from csei_sim.multiregion.params import ExchangeParams
from csei_sim.multiregion.regions import region_params
from csei_sim.multiregion.report import OUTCOMES, effects, write_report
from csei_sim.multiregion.study import StudySpec, preflight, run_study_job

TINY = {"steps": 6, "start": "2025-01"}


def _compose(overrides: list[str]):
    with initialize_config_module("csei_sim.multiregion.conf", version_base="1.3"):
        cfg = compose("peer_exchange", overrides=overrides)
    return OmegaConf.masked_copy(cfg, [k for k in cfg if k != "hydra"])


def test_hydra_config_pairs_each_region_as_its_case_experiment_does():
    spec = StudySpec.from_config(_compose([]))
    assert list(spec.regions) == list(SEED_REGIONS)
    assert spec.exchange == ExchangeParams()
    for name, params in spec.regions.items():
        assert params == region_params(name, steps=144, start="2025-01"), name


def test_hydra_variants_switch_the_channels():
    none = StudySpec.from_config(_compose(["exchange=none"])).exchange
    practice = StudySpec.from_config(_compose(["exchange=practice_only"])).exchange
    confidence = StudySpec.from_config(_compose(["exchange=confidence_only"])).exchange
    assert not none.enabled
    assert practice.confidence_gain == 0 and practice.learning_rate > 0
    assert confidence.learning_rate == 0 and confidence.peer_floor == 0
    assert confidence.confidence_gain > 0


@pytest.mark.parametrize(
    ("override", "says"),
    [
        ("exchange.learning_rate=3", "exchange.learning_rate: 3.0 is outside the allowed range"),
        ("exchange=of", "allowed: confidence_only, full, none, practice_only"),
        ("regions.agder.region.share_ngo=0.9", "regions.agder.region.share_*"),
        ("replicate=x", "replicate"),
    ],
)
def test_bad_input_stops_before_anything_runs_naming_the_key(override, says):
    from csei_sim.experiment.validate import ConfigError

    with pytest.raises(ConfigError) as err:
        preflight(["-m", override] if override.startswith("replicate") else [override])
    assert says in str(err.value)


def test_sweep_plan_has_four_variants_times_thirty_replicates():
    assert preflight(["-m"]) == 120


def test_command_runs_once_then_skips(tmp_path):
    args = [
        sys.executable,
        "-m",
        "csei_sim.multiregion",
        "steps=3",
        "exchange=none",
        f"hydra.run.dir={tmp_path}/run",
    ]
    first = subprocess.run(args, capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    ts = pd.read_parquet(tmp_path / "run" / "timeseries.parquet")
    assert set(ts["region"]) == set(SEED_REGIONS) and ts["step"].max() == 3
    again = subprocess.run(args, capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert "skipped (already complete)" in again.stdout
    bad = subprocess.run(
        [*args[:3], "exchange.events_per_year=-1"],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=tmp_path,
    )
    assert bad.returncode == 2 and "exchange.events_per_year" in bad.stderr


def test_paired_effects_recover_a_known_difference():
    rng = np.random.default_rng(0)
    control = rng.normal(10, 2, 30)
    rows = [
        {"region": "r", "variant": v, "replicate": i, "final_members": y}
        for v, values in (("none", control), ("full", control + 3))
        for i, y in enumerate(values)
    ]
    frame = pd.DataFrame(rows)
    for outcome in ["members_end_2030", "peak_members", "reached_critical_mass", "joint_projects"]:
        frame[outcome] = frame["final_members"]
    table = effects(frame, ["full"])
    assert list(table["outcome"]) == list(OUTCOMES)  # the report's order
    out = table.iloc[0]
    assert out["difference"] == pytest.approx(3) and out["diff_lo"] == pytest.approx(3)
    assert out["d"] == pytest.approx(3 / control.std(ddof=1))
    assert out["d_lo"] <= out["d"] <= out["d_hi"]
    assert out["control_mean"] == pytest.approx(control.mean())
    assert out["relative"] == pytest.approx(3 / control.mean())


def test_report_from_a_tiny_sweep(tmp_path):
    regions = {"agder": "agder", "kurzeme": "kurzeme"}
    for variant, exchange in (("none", {"enabled": False}), ("full", {"events_per_year": 12})):
        for rep in range(3):
            spec = StudySpec(
                {k: region_params(v, **TINY) for k, v in regions.items()},
                ExchangeParams.from_dict(exchange),
                7,
                rep,
                TINY["steps"],
                TINY["start"],
                variant,
            )
            assert run_study_job(spec, tmp_path / "sweep" / f"{variant}-{rep}")
            assert not run_study_job(spec, tmp_path / "sweep" / f"{variant}-{rep}")  # resumes
    report = write_report(tmp_path / "sweep", tmp_path / "out")
    text = report.read_text()
    assert "full (3 replicates), none (3 replicates)" in text
    assert "| agder" in text and "| kurzeme" in text
    assert "runs made at git revision" in text and "difference [95% CI]" in text
    for name in ("members_by_region", "effect_final_members", "practice", "partners"):
        assert (tmp_path / "out" / "figures" / f"{name}.png").read_bytes()[:4] == b"\x89PNG"
    effects = pd.read_csv(tmp_path / "out" / "tables" / "effects.csv")
    assert set(effects["region"]) == {"agder", "kurzeme"}
    assert (effects["n"] == 3).all()


def test_report_without_runs_says_so(tmp_path):
    from csei_sim.multiregion.report import main

    assert main([str(tmp_path)]) == 2
    assert not Path(tmp_path / "report").exists()


def test_exchange_subcommand_of_the_main_cli(capsys):
    from csei_sim.cli import main

    assert main(["exchange", "--help"]) == 0
    assert "exchange" in capsys.readouterr().out
    assert main(["exchange", "exchange=nonsense"]) != 0


def test_the_report_only_study_cannot_be_run_by_the_scaffold(tmp_path):
    """Its runs come from the Hydra sweep: the scaffold says so instead of running nothing."""
    from csei_sim.multiregion.report import STUDY

    with pytest.raises(ValueError, match="runs are made elsewhere"):
        STUDY.run(object(), tmp_path / "runs", tmp_path / "out")
    assert not (tmp_path / "out").exists()


def _tiny_run(folder: Path, variant: str, exchange: dict) -> None:
    regions = {"agder": region_params("agder", **TINY)}
    exchange_params = ExchangeParams.from_dict(exchange)
    spec = StudySpec(regions, exchange_params, 7, 0, TINY["steps"], TINY["start"], variant)
    assert run_study_job(spec, folder)


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (["{sweep}", "--out", "{file}/sub"], "--out: cannot write results"),
        (["{only_none}"], "needs none and at least one of them"),
        (["{sweep}/nope"], "sweep_dir: "),
    ],
)
def test_report_refusals_are_one_line(argv, says, tmp_path, capsys):
    from csei_sim.multiregion.report import main

    _tiny_run(tmp_path / "sweep" / "none-0", "none", {"enabled": False})
    _tiny_run(tmp_path / "only_none" / "none-0", "none", {"enabled": False})
    _tiny_run(tmp_path / "sweep" / "full-0", "full", {"events_per_year": 12})
    (tmp_path / "a_file").write_text("x")
    names = {"sweep": tmp_path / "sweep", "only_none": tmp_path / "only_none"}
    argv = [a.format(file=tmp_path / "a_file", **names) for a in argv]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("csei-sim-exchange report: error: "), err
    assert says in err and not (tmp_path / "sweep" / "report").exists()
