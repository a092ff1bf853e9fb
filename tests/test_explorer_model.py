"""The explorer's model and inputs: presets feed the sliders, sliders stay in range, seeds work."""

from __future__ import annotations

import inspect

import numpy as np
import pandas as pd
import pytest

pytest.importorskip("solara")

from csei_sim import presets  # noqa: E402
from csei_sim.agents import Status  # noqa: E402
from csei_sim.params import Params, field_specs  # noqa: E402
from csei_sim.viz import explorer_model as em  # noqa: E402
from csei_sim.viz.inputs import choose_preset, valid_seed  # noqa: E402

STEPS = 12


def test_every_preset_is_offered():
    for group in presets.GROUPS:
        offered = em.choices(group)
        try:
            shipped = presets.options(group)
        except FileNotFoundError:
            shipped = []
        assert set(shipped) <= set(offered)
        assert len(offered) == len(set(offered))
    assert em.choices("region")[0] == "generic"


def test_slider_ranges_lie_within_the_parameters_allowed_ranges():
    for spec in em.SLIDERS:
        lo, hi = spec.allowed()
        assert lo <= spec.lo < spec.hi <= hi, spec.key
        assert spec.bounds(spec.hi * 10) == (spec.lo, min(spec.hi * 10, hi))
        assert spec.bounds(hi * 10)[1] == hi  # widened for a preset, never past the allowed range


def test_slider_keys_are_explorer_model_arguments():
    args = inspect.signature(em.ExplorerModel).parameters
    assert set(em.default_inputs()) == set(args)
    for spec in em.SLIDERS:
        assert spec.field in field_specs(type(getattr(Params(), spec.group)))


@pytest.mark.parametrize("group", presets.GROUPS)
def test_choosing_a_preset_sets_the_sliders_to_its_values(group):
    for name in em.choices(group):
        inputs = choose_preset(em.default_inputs(), group, name)
        preset = presets.load(group, name) if name != em.DEFAULT else {}
        defaults = getattr(Params(), group)
        for spec in em.SLIDERS:
            if spec.group != group or spec.key == "grant_end_year":
                continue
            expected = preset.get(spec.field, getattr(defaults, spec.field))
            assert inputs[spec.key] == pytest.approx(expected), (group, name, spec.key)
        params = em.ExplorerModel(**inputs).params
        for key, value in preset.items():
            if key not in {s.field for s in em.SLIDERS} and key != "core_size":
                assert getattr(getattr(params, group), key) == value, (group, name, key)


def test_sliders_override_presets():
    inputs = {
        **em.default_inputs(),
        "initial_trust": 0.8,
        "facilitation_hours": 120,
        "committed_amount": 9000,
        "grant_end_year": 2033,
        "n_organisations": 90,
    }
    p = em.ExplorerModel(**inputs).params
    assert p.region.initial_trust == 0.8
    assert p.facilitation.facilitation_hours == 120.0
    assert p.funding.committed_amount == 9000.0
    assert p.funding.committed_end == "2033-12"
    assert p.region.n_organisations == 90


def _run(inputs: dict, steps: int = STEPS) -> em.ExplorerModel:
    model = em.ExplorerModel(**inputs)
    for _ in range(steps):
        model.step()
    return model


@pytest.mark.parametrize("end", ["lo", "hi"])
def test_extreme_slider_values_run(end):
    inputs = em.default_inputs()
    for spec in em.SLIDERS:
        inputs[spec.key] = getattr(spec, end)
    model = _run(inputs)
    assert model.steps == STEPS
    assert model.orgs.n == inputs["n_organisations"]
    members = model.timeseries()["members"]
    assert ((members >= 0) & (members <= model.orgs.n)).all()
    assert np.isfinite(model.timeseries()["balance"]).all()


def test_grant_ending_before_it_starts_is_clamped_to_its_start_year():
    p = em.build_params({**em.default_inputs(), "grant_end_year": 2025, "committed_amount": 1000})
    assert p.funding.committed_end == "2025-12"
    assert p.funding.committed_start <= p.funding.committed_end


def test_textual_seed_reproduces_a_run_and_other_seeds_differ():
    inputs = em.default_inputs()
    a = _run({**inputs, "rng": "42"}, 24).timeseries()
    b = _run({**inputs, "rng": "42"}, 24).timeseries()
    pd.testing.assert_frame_equal(a, b)
    sums = {int(_run({**inputs, "rng": str(s)}, 24).timeseries()["joins"].sum()) for s in range(6)}
    assert len(sums) > 1  # six seeds do not all give the same number of joins
    assert _run({**inputs, "rng": ""}, 2).steps == 2  # empty box: a fresh seed


def test_seed_box_accepts_whole_numbers_or_nothing():
    assert valid_seed("42") and valid_seed(" 7 ") and valid_seed("")
    assert not valid_seed("4.2") and not valid_seed("-1") and not valid_seed("abc")


def test_mesa_reset_passes_only_explorer_arguments():
    """Mesa's ModelController rebuilds with these kwargs: no `scenario` may slip in."""
    from mesa.visualization.solara_viz import _build_model_init_kwargs

    model = em.ExplorerModel()
    inputs = {**em.default_inputs(), "rng": "3"}
    kwargs = _build_model_init_kwargs(
        model, inputs, add_scenario_when_empty=True, require_model_accepts_scenario=True
    )
    assert kwargs == inputs
    rebuilt = type(model)(**kwargs)
    assert rebuilt.inputs == inputs
    assert int((rebuilt.orgs.status == Status.MEMBER).sum()) == rebuilt.params.region.core_size


def test_step_stops_at_the_horizon():
    """The Step button calls step() after the run is over: the month must stay at the horizon."""
    from csei_sim.viz.app import step_info

    model = em.ExplorerModel(n_organisations=10, rng="1")
    horizon = model.params.steps
    for _ in range(horizon + 24):
        model.step()
    assert model.steps == horizon
    assert f"Step {horizon} of {horizon}" in step_info(model)


def test_the_event_filter_offers_every_kind_the_model_logs():
    from csei_sim.viz import panels

    # an unfunded formal cluster closes its unpaid office: a kind the filter must offer
    m = em.CSEIModel(rng=1, steps=24, governance_mode="formal", n_organisations=40).run()
    logged = {e["kind"] for e in m.events}
    assert "deformalisation" in logged
    assert logged <= set(panels.EVENT_KINDS)
