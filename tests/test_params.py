"""Parameters: typed, validated, documented; bad input names the key and the allowed values."""

import dataclasses
import math

import pytest

from csei_sim import CSEIModel, ParameterError, Params
from csei_sim.params import _GROUPS, all_keys, field_specs


def test_defaults_validate_and_round_trip():
    params = Params()
    again = Params.from_dict(params.to_dict())
    assert again == params
    assert Params.from_dict(**params.flat()) == params


def test_every_field_is_documented_with_a_range_or_choices():
    for cls in [Params, *_GROUPS.values()]:
        for name, (kind, meta) in field_specs(cls).items():
            if name in _GROUPS:
                continue
            assert meta["doc"], f"{cls.__name__}.{name} has no documentation"
            if kind in (int, float):
                assert meta["lo"] is not None and meta["hi"] is not None, name
                default = getattr(cls(), name)
                assert meta["lo"] <= default <= meta["hi"], name


def test_flat_names_are_unique_across_groups():
    names = [f.name for cls in _GROUPS.values() for f in dataclasses.fields(cls)]
    assert len(names) == len(set(names))
    assert "n_organisations" in all_keys() and "governance_mode" in all_keys()


@pytest.mark.parametrize(
    ("kwargs", "key", "fragment"),
    [
        ({"n_organisations": 3}, "region.n_organisations", "[4, 2000000]"),
        ({"n_organisations": "many"}, "region.n_organisations", "integer"),
        ({"initial_trust": 1.5}, "region.initial_trust", "[0, 1]"),
        ({"initial_trust": math.nan}, "region.initial_trust", "finite"),
        ({"committed_amount": -1.0}, "funding.committed_amount", "outside"),
        ({"facilitation_hours": math.inf}, "facilitation.facilitation_hours", "finite"),
        (
            {"governance_mode": "anarchy"},
            "governance.governance_mode",
            "informal, lead_organisation",
        ),
        (
            {"facilitation_paid_by": "nobody"},
            "facilitation.facilitation_paid_by",
            "sponsor, budget",
        ),
        ({"share_ngo": 0.9}, "region.share_*", "sum to 1"),
        ({"share_mission": 0.9}, "facilitation.share_*", "sum to 1"),
        ({"core_size": 100}, "region.core_size", "exceeds"),
        ({"committed_end": "2024-12"}, "funding.committed_end", "before"),
        ({"n_organisations": 2_000_001}, "region.n_organisations", "[4, 2000000]"),
        ({"n_organisations": 2_000_000, "mean_degree": 21.0}, "region.mean_degree", "20,000,000"),
        ({"committed_end": "2030-13"}, "funding.committed_end", "YYYY-MM"),
        ({"steps": 0}, "steps", "[1, 1200]"),
        ({"n_organisatons": 10}, "n_organisatons", "unknown parameter"),
        ({"region": {"size": 10}}, "region.size", "unknown key"),
        ({"trust_decay": True}, "behaviour.trust_decay", "number"),
    ],
)
def test_bad_input_names_key_and_allowed_values(kwargs, key, fragment):
    with pytest.raises(ParameterError) as err:
        CSEIModel(rng=1, **kwargs)
    assert err.value.key == key
    assert fragment in str(err.value)


def test_integral_floats_are_accepted_for_integers():
    assert CSEIModel(rng=1, n_organisations=20.0, steps=2).params.region.n_organisations == 20


def test_from_config_reads_hydra_style_nested_config():
    from omegaconf import OmegaConf

    cfg = OmegaConf.create(
        {
            "seed": 5,
            "steps": 6,
            "region": {"n_organisations": 25},
            "governance": {"governance_mode": "formal"},
        }
    )
    model = CSEIModel.from_config(cfg).run()
    assert model.params.region.n_organisations == 25
    assert model.params.governance.governance_mode == "formal"
    twin = CSEIModel(rng=5, steps=6, n_organisations=25, governance_mode="formal").run()
    assert model.timeseries().equals(twin.timeseries())


def test_from_config_spawns_the_replicate_seed_like_the_command_line():
    from omegaconf import OmegaConf

    from csei_sim.seeds import run_seed

    cfg = OmegaConf.create({"seed": 2025, "replicate": 3, "steps": 6})
    model = CSEIModel.from_config(cfg).run()
    twin = CSEIModel(rng=run_seed(2025, 3), steps=6).run()
    other = CSEIModel(rng=2025, steps=6).run()
    assert model.timeseries().equals(twin.timeseries())
    assert not model.timeseries().equals(other.timeseries())


def test_from_config_refuses_an_unknown_top_level_key_as_the_command_line_does():
    import subprocess
    import sys

    with pytest.raises(ParameterError) as err:
        CSEIModel.from_config({"steps": 6, "sedd": 3})
    cli = subprocess.run(
        [sys.executable, "-m", "csei_sim.cli", "sedd=3"],
        capture_output=True,
        text=True,
    )
    assert cli.returncode == 2
    assert cli.stderr.strip() == f"csei-sim: error: {err.value}"
    assert "did you mean seed?" in str(err.value)


def test_from_config_takes_a_saved_run_config(tmp_path):
    """A run's config.yaml holds ``base_seed`` beside its spawned seed, a Hydra one ``hydra``."""
    saved = {"seed": 11, "base_seed": 2025, "replicate": 1, **Params(steps=3).to_dict()}
    model = CSEIModel.from_config(saved)
    assert model.run().steps == 3
    CSEIModel.from_config({"seed": 1, "steps": 3, "study": "x", "plot": False, "hydra": {}})


@pytest.mark.parametrize("rng", [-1, 1.5, "seven", True])
def test_a_bad_seed_names_rng(rng):
    with pytest.raises(ParameterError) as err:
        CSEIModel(rng=rng, steps=2)
    assert err.value.key == "rng" and "whole number" in str(err.value)


def test_textual_seeds_work_like_numbers():
    assert (
        CSEIModel(rng="42", steps=3)
        .run()
        .timeseries()
        .equals(CSEIModel(rng=42, steps=3).run().timeseries())
    )


def test_a_pool_of_two_million_is_allowed():
    params = Params.from_dict(None, n_organisations=2_000_000, mean_degree=20.0)
    assert params.region.n_organisations == 2_000_000


def test_an_eu_wide_pool_of_two_million_is_accepted():
    """Validation alone (no model is built): the range reaches 2,000,000 organisations at the
    default degree, and one more is refused."""
    params = Params.from_dict({"n_organisations": 2_000_000})
    assert params.region.n_organisations == 2_000_000
    with pytest.raises(ParameterError, match="region.n_organisations"):
        Params.from_dict({"n_organisations": 2_000_001})
