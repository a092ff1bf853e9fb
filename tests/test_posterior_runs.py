"""Runs and studies over a calibration's posterior (or a case's priors): seeded draws, refusals,
the split of the spread and prediction intervals wider than run noise alone."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from csei_sim.calibration.posterior import source, spread_shares
from csei_sim.experiment import aggregate, run_sweep
from csei_sim.experiment.runner import RunSpec
from csei_sim.model import CSEIModel
from csei_sim.params import ParameterError, Params
from csei_sim.studies.design import Grid, run_grid
from csei_sim.studies.over_posterior import predictive

ROOT = Path(__file__).resolve().parents[1]
POSTERIOR = str(ROOT / "experiments" / "calibration" / "vasterbotten")
BIN = Path(sys.executable).parent
SHORT = {"steps": 6, "region": {"name": "vasterbotten"}}


def cli(exe: str, *args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(BIN / exe), *args], cwd=cwd, capture_output=True, text=True, timeout=600
    )


def test_the_same_seed_draws_the_same_parameters_and_other_seeds_others():
    params = Params.from_dict(SHORT)
    first = RunSpec(params, 7, 3, posterior=POSTERIOR)
    again = RunSpec(params, 7, 3, posterior=POSTERIOR)
    other = RunSpec(params, 7, 4, posterior=POSTERIOR)
    assert first.drawn == again.drawn and first.params == again.params
    assert first.drawn != other.drawn
    assert set(first.drawn) == set(source(POSTERIOR).keys)
    # a block's sibling (replace with another replicate) draws for its own replicate
    assert replace(first, replicate=4).drawn == other.drawn
    assert first.params.region.n_organisations == first.drawn["region.n_organisations"]


def test_runs_per_draw_share_one_draw():
    params = Params.from_dict(SHORT)
    specs = [RunSpec(params, 7, r, posterior=POSTERIOR, per_draw=2) for r in range(4)]
    assert [s.draw for s in specs] == [0, 0, 1, 1]
    assert specs[0].drawn == specs[1].drawn != specs[2].drawn == specs[3].drawn
    assert specs[0].seed != specs[1].seed  # same parameters, own run noise


def test_a_sweep_draws_the_same_on_two_jobs_as_on_one_and_rebuilds_from_its_config(tmp_path):
    scenarios = {"v": Params.from_dict(SHORT)}
    kwargs = {"replicates": 4, "base_seed": 11, "progress": False, "posterior": POSTERIOR}
    run_sweep(scenarios, tmp_path / "serial", n_jobs=1, **kwargs)
    run_sweep(scenarios, tmp_path / "parallel", n_jobs=2, **kwargs)
    _, serial = aggregate(tmp_path / "serial")
    _, parallel = aggregate(tmp_path / "parallel")
    pd.testing.assert_frame_equal(serial, parallel)
    assert serial["n_organisations"].nunique() > 1  # the pool was drawn, not the preset's
    folder = tmp_path / "serial" / "v" / "replicate=2"
    config = yaml.safe_load((folder / "config.yaml").read_text())
    drawn = json.loads((folder / "done.json").read_text())["posterior_draw"]
    assert drawn["source"] == POSTERIOR and drawn["draw"] == 2
    assert config["region"]["n_organisations"] == drawn["values"]["region.n_organisations"]
    rebuilt = CSEIModel.from_config(config).run().summary_record()
    assert rebuilt["final_members"] == serial.loc[serial["replicate"] == 2, "final_members"].item()


def test_a_hydra_run_over_the_posterior_records_its_draw(tmp_path):
    done = cli("csei-sim", f"posterior={POSTERIOR}", "steps=3", "seed=5", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    (done_json,) = (tmp_path / "outputs").glob("*/done.json")
    saved = json.loads(done_json.read_text())
    spec = RunSpec(Params.from_dict(steps=3), 5, 0, posterior=POSTERIOR)
    assert saved["posterior_draw"]["values"] == pytest.approx(dict(spec.drawn))
    config = yaml.safe_load((done_json.parent / "config.yaml").read_text())
    assert config["region"]["n_organisations"] == spec.params.region.n_organisations


def _bad_posterior(folder: Path) -> Path:
    folder.mkdir()
    pd.DataFrame({"region.pool_size": [10.0], "weight": [1.0]}).to_parquet(
        folder / "posterior.parquet"
    )
    return folder


@pytest.mark.parametrize("kind", ["missing", "not_a_parameter"])
def test_a_bad_posterior_folder_is_refused_before_anything_is_written(tmp_path, kind):
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    folder = tmp_path / "nothing" if kind == "missing" else _bad_posterior(tmp_path / "bad")
    for args in (
        [f"posterior={folder}", "steps=3"],
        ["-m", f"posterior={folder}", "replicate=0,1", "steps=3"],
    ):
        done = cli("csei-sim", *args, cwd=cwd)
        assert done.returncode == 2, done.stderr
        assert done.stderr.count("\n") == 1 and done.stderr.startswith("csei-sim: error: posterior")
        assert not any(cwd.iterdir())
    done = cli("csei-sim-study", "funding_scenarios", "--posterior", str(folder), cwd=cwd)
    assert done.returncode == 2 and "--posterior" in done.stderr
    assert not any(cwd.iterdir())


def test_a_prior_case_of_a_region_the_study_lacks_is_refused(tmp_path):
    done = cli("csei-sim-study", "funding_scenarios", "--prior", "torino", cwd=tmp_path)
    assert done.returncode == 2 and "--prior" in done.stderr
    assert not any(tmp_path.iterdir())


def test_prior_draws_lie_inside_the_case_priors():
    found = source("prior:hamburg")
    assert found.kind == "prior" and found.region == "hamburg"
    base = Params.from_dict(region={"name": "hamburg"})
    for seed in range(20):
        _, theta = found.apply(base, seed)
        for prior in found.priors:
            assert prior.lo - 0.5 <= theta[prior.key] <= prior.hi + 0.5
    with pytest.raises(ParameterError, match="posterior"):
        source("prior:narnia")


def test_the_variance_split_is_exact_on_a_constructed_example():
    # two draws with means 0 and 2, runs at mean -1 and +1: within variance 2; the variance of
    # the draws' means is 2, of which 2 / 2 runs is noise, so between = 1 and total = 3
    values = pd.DataFrame({"draw": [0, 0, 1, 1], "y": [-1.0, 1.0, 1.0, 3.0]})
    shares = spread_shares(values, "y")
    assert shares["variance"] == pytest.approx(3.0)
    assert shares["parameters"] == pytest.approx(1 / 3) and shares["noise"] == pytest.approx(2 / 3)


def test_the_variance_split_recovers_a_known_share():
    # y = mu_draw + e with var(mu) = 4 and var(e) = 1: parameters carry 4 / 5 of the variance
    rng = np.random.default_rng(3)
    draws, runs = 400, 5
    mu = rng.normal(0, 2, draws)
    y = np.repeat(mu, runs) + rng.normal(0, 1, draws * runs)
    values = pd.DataFrame({"draw": np.repeat(np.arange(draws), runs), "y": y})
    shares = spread_shares(values, "y")
    # the share's standard error here is about 0.015 (delta method on the two variances)
    assert shares["parameters"] == pytest.approx(0.8, abs=0.05)


def test_prediction_intervals_over_the_posterior_are_wider_than_noise_only(tmp_path):
    grid = Grid({"region": ["vasterbotten"]}, overrides={"steps": 12})
    kwargs = {"replicates": 12, "n_jobs": 1, "progress": False}
    _, noise = run_grid(grid, tmp_path / "noise", **kwargs)
    _, over = run_grid(grid, tmp_path / "post", posterior=POSTERIOR, per_draw=2, **kwargs)
    assert (over["seed"].to_numpy() == noise["seed"].to_numpy()).all()  # the same seeds
    table = predictive(over, noise, ["region"], {"final_members": "members"})
    row = table.iloc[0]
    assert row["draws"] == 6 and row["runs"] == 12
    assert row["pi_hi"] - row["pi_lo"] > row["noise_pi_hi"] - row["noise_pi_lo"]
    assert 0 <= row["share_parameters"] <= 1
