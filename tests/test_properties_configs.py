"""Invariants over random configurations composed as the command line composes them (Hypothesis).

A configuration is one preset per group plus command-line overrides, merged onto the structured
schema in the order of ``config.yaml``'s defaults list, with the overrides applied by Hydra's own
override parser; then checked by :func:`csei_sim.experiment.validate.check` (what ``csei-sim``
checks before it runs) and built with :meth:`CSEIModel.from_config`. A short test confirms that
this composition gives exactly what ``csei-sim`` plans.
"""

from __future__ import annotations

import numpy as np
import yaml
from hydra._internal.config_loader_impl import ConfigLoaderImpl
from hydra.core.override_parser.overrides_parser import OverridesParser
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from omegaconf import DictConfig, OmegaConf

from csei_sim import CSEIModel, presets
from csei_sim.agents import SECTORS
from csei_sim.cli import preflight
from csei_sim.experiment.schema import RunConfig
from csei_sim.experiment.validate import check
from csei_sim.metrics import RADAR
from csei_sim.params import _GROUPS, field_specs

OPTIONS = {group: presets.options(group) for group in presets.GROUPS}
PRESETS = {(g, name): presets.load(g, name) for g, names in OPTIONS.items() for name in names}
APP = yaml.safe_load((presets.CONFIG_DIR / "config.yaml").read_text())
APP_VALUES = {k: v for k, v in APP.items() if k not in ("defaults", "hydra")}
# Upper ends that keep one run short (allowed ranges reach far beyond what a region needs).
CAPS = {
    "mean_degree": 20,
    "facilitation_hours": 400,
    "event_size": 40,
    "collab_rate": 2,
    "reach_per_hour": 5,
    "shared_capacity": 500,
    "capacity_lead": 500,
    "capacity_per_fte": 500,
}
# Set together with other fields (shares sum to 1, the core fits the pool, months in order).
JOINED = {"n_organisations", "core_size", "committed_start", "committed_end"}


def _free_fields() -> dict[str, tuple[str, type, float, float]]:
    """Numeric fields an override may set on its own: name -> (group, type, lo, hi)."""
    out = {}
    for group, cls in _GROUPS.items():
        for name, (kind, meta) in field_specs(cls).items():
            if kind in (int, float) and name not in JOINED and not name.startswith("share_"):
                out[name] = (group, kind, meta["lo"], min(meta["hi"], CAPS.get(name, meta["hi"])))
    return out


FREE = _free_fields()


@st.composite
def command_lines(draw) -> tuple[dict[str, str], list[str]]:
    """One option per preset group and a list of overrides, as typed after ``csei-sim``."""
    choice = {group: draw(st.sampled_from(names)) for group, names in OPTIONS.items()}
    n = draw(st.integers(4, 80))
    overrides = {
        "steps": draw(st.integers(1, 18)),
        "seed": draw(st.integers(0, 2**32 - 1)),
        "replicate": draw(st.integers(0, 1000)),
        "region.n_organisations": n,
        "region.core_size": draw(st.integers(0, n)),
        "start": f"{draw(st.integers(2020, 2032))}-{draw(st.integers(1, 12)):02d}",
    }
    if draw(st.booleans()):
        first, last = sorted(draw(st.lists(st.integers(2020 * 12, 2040 * 12), min_size=2)))[:2]
        overrides["funding.committed_start"] = f"{first // 12}-{first % 12 + 1:02d}"
        overrides["funding.committed_end"] = f"{last // 12}-{last % 12 + 1:02d}"
    for name in draw(st.lists(st.sampled_from(sorted(FREE)), max_size=6, unique=True)):
        group, kind, lo, hi = FREE[name]
        value = draw(st.integers(int(lo), int(hi)) if kind is int else st.floats(lo, hi))
        overrides[f"{group}.{name}"] = value
    return choice, [f"{key}={value!r}".replace("'", "") for key, value in overrides.items()]


def compose(choice: dict[str, str], overrides: list[str]) -> DictConfig:
    """Schema, then each group's preset, then config.yaml's values, then the overrides."""
    cfg = OmegaConf.merge(
        OmegaConf.structured(RunConfig),
        *({group: PRESETS[group, name]} for group, name in choice.items()),
        APP_VALUES,
    )
    OmegaConf.set_struct(cfg, True)  # as Hydra: an override of an unknown key fails
    ConfigLoaderImpl._apply_overrides_to_config(
        OverridesParser.create().parse_overrides(overrides), cfg
    )
    return cfg


def assert_invariants(model: CSEIModel) -> None:
    ts, n = model.timeseries(), model.orgs.n
    assert len(ts) == model.params.steps + 1
    assert (ts["members"] + ts["aware"] + ts["outsiders"] + ts["exited"] == n).all()
    assert (sum(ts[f"members_{s}"] for s in SECTORS) == ts["members"]).all()
    assert (sum(ts[f"aware_{s}"] for s in SECTORS) == ts["aware"]).all()
    assert abs(model.ledger.discrepancy()) <= 1e-6 * max(1.0, model.ledger.total_income)
    assert (ts["balance"] >= -1e-9).all()
    flows = (ts["income_total"] - ts["spending_total"]).iloc[1:]
    assert np.allclose(ts["balance"].diff().iloc[1:], flows, atol=1e-6)
    trust = model.ties.trust[: model.ties.m]
    assert ((trust >= 0) & (trust <= 1)).all()
    bounded = ["mean_member_trust", "goal_consensus", "service_level", "planning_stability"]
    for column in bounded + [f"radar_{k}" for k in RADAR]:
        assert ts[column].between(0, 1).all(), column
    assert ((model.orgs.vision >= 0) & (model.orgs.vision <= 1)).all()


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(command_lines())
def test_any_valid_command_line_runs_and_keeps_the_invariants(line):
    choice, overrides = line
    cfg = compose(choice, overrides)
    spec = check(cfg)  # what csei-sim checks before it runs: a valid line never raises
    model = CSEIModel.from_config(cfg)
    assert model.params == spec.params and model._seed == spec.seed
    for item in overrides:  # the overrides won over the presets
        key, _, text = item.partition("=")
        group, _, name = key.rpartition(".")
        value = getattr(getattr(spec.params, group) if group else spec.params, name, None)
        if key not in ("seed", "replicate"):
            assert str(value) == text or float(value) == float(text), item
    assert_invariants(model.run())


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(line=command_lines())
def test_the_composition_here_is_what_the_command_plans(line):
    choice, overrides = line  # planning composes and checks only: it writes nothing
    (planned,) = preflight([*(f"{g}={n}" for g, n in choice.items()), *overrides]).specs
    spec = check(compose(choice, overrides))
    assert (spec.params, spec.seed) == (planned.params, planned.seed)
