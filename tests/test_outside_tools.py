"""Driving the model with tools the project did not write: EMA Workbench and ``mesa.batch_run``.

Both hand over numpy integers (EMA's IntegerParameter values, ``rng=np.arange(n)``) where a Python
int is expected; every entry point converts them before they reach Mesa or a file.
"""

from __future__ import annotations

import json

import mesa
import numpy as np
import pandas as pd
import pytest
import yaml

from csei_sim import CSEIModel
from csei_sim.experiment import RunSpec, run_one
from csei_sim.params import Params
from csei_sim.viz.explorer_model import ExplorerModel

STEPS = 12
NUMPY_INTS = (np.int64, np.int32, np.uint32)


def cluster(n_organisations: int = 20, initial_trust: float = 0.5, rng=None) -> dict:
    """A function model as EMA Workbench calls it: keyword arguments in, outcomes out."""
    overrides = {"n_organisations": n_organisations, "initial_trust": initial_trust}
    model = CSEIModel(rng=rng, steps=STEPS, **overrides)
    record = model.run().summary_record()
    return {"peak_members": record["peak_members"], "final_members": record["final_members"]}


@pytest.mark.parametrize("kind", NUMPY_INTS)
def test_numpy_integer_seeds_give_the_numbers_of_python_ints(kind, tmp_path):
    expected = CSEIModel(rng=5, steps=STEPS).run().timeseries()
    pd.testing.assert_frame_equal(CSEIModel(rng=kind(5), steps=STEPS).run().timeseries(), expected)
    pd.testing.assert_frame_equal(
        ExplorerModel(rng=kind(5), n_organisations=kind(30)).run().timeseries(),
        ExplorerModel(rng=5, n_organisations=30).run().timeseries(),
    )
    params = Params.from_dict({"steps": STEPS})
    as_numpy = run_one(RunSpec(params, base_seed=kind(3), replicate=kind(1)), tmp_path / "np")
    as_int = run_one(RunSpec(params, base_seed=3, replicate=1), tmp_path / "int")
    assert as_numpy.seed == as_int.seed and not as_numpy.skipped
    for name in ("timeseries.parquet", "summary.parquet", "config.yaml"):
        assert (tmp_path / "np" / name).read_bytes() == (tmp_path / "int" / name).read_bytes()
    config = yaml.safe_load((tmp_path / "np" / "config.yaml").read_text())
    assert config["base_seed"] == 3 and config["replicate"] == 1
    assert json.loads((tmp_path / "np" / "done.json").read_text())["replicate"] == 1
    mapping = run_one({"steps": STEPS, "seed": kind(3), "replicate": kind(1)}, tmp_path / "map")
    assert mapping.seed == as_int.seed


def test_ema_workbench_model_and_replicator_model_run_an_experiment_set():
    from ema_workbench import (
        Constant,
        IntegerParameter,
        Model,
        RealParameter,
        ReplicatorModel,
        ScalarOutcome,
        perform_experiments,
    )

    def define(model, reduce=None):
        model.uncertainties = [
            IntegerParameter("n_organisations", 15, 30),
            RealParameter("initial_trust", 0.3, 0.7),
        ]
        names = ("peak_members", "final_members")
        model.outcomes = [ScalarOutcome(name, function=reduce) for name in names]
        return model

    single = define(Model("csei", function=cluster))
    single.constants = [Constant("rng", np.int64(11))]
    experiments, outcomes = perform_experiments(single, scenarios=3)
    assert len(experiments) == 3 and np.all(outcomes["peak_members"] >= 0)
    row = experiments.iloc[0]
    again = cluster(int(row["n_organisations"]), float(row["initial_trust"]), 11)
    assert outcomes["peak_members"][0] == again["peak_members"]

    replicated = define(ReplicatorModel("csei_reps", function=cluster), reduce=np.mean)
    replicated.replications = [{"rng": seed} for seed in np.arange(2, dtype=np.int64)]
    experiments, outcomes = perform_experiments(replicated, scenarios=2)
    row = experiments.iloc[1]
    runs = [cluster(int(row["n_organisations"]), float(row["initial_trust"]), s) for s in (0, 1)]
    assert outcomes["peak_members"][1] == np.mean([r["peak_members"] for r in runs])


def test_mesa_batch_run_with_a_numpy_range_of_seeds():
    rows = mesa.batch_run(
        CSEIModel,
        parameters={"steps": STEPS, "n_organisations": 20},
        rng=np.arange(3),
        max_steps=STEPS,
        data_collection_period=-1,
        number_processes=1,
        display_progress=False,
    )
    members = {int(r["rng"]): r["members"] for r in rows}
    assert sorted(members) == [0, 1, 2]
    for seed, value in members.items():
        expected = CSEIModel(rng=seed, steps=STEPS, n_organisations=20).run().timeseries()
        assert value == expected["members"].iloc[-1]
