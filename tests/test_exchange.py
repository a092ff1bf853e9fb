"""Peer exchange between regions: parameters, seeds, what exchange changes, and nothing when off."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

from csei_sim import ParameterError
from csei_sim.experiment.runner import run_seed
from csei_sim.multiregion import SEED_REGIONS, MultiRegionModel, case_choices, partners, spawn_seeds
from csei_sim.multiregion import events as ev
from csei_sim.multiregion.params import ExchangeParams
from csei_sim.params import field_specs
from csei_sim.run import simulate

SHORT = 36  # months: enough for many events, short enough for a fast suite


def paired_clearly_greater(a, b, z: float = 2.0) -> bool:
    """Replicates share seeds with and without exchange: the mean paired difference exceeds
    ``z`` standard errors."""
    diff = np.asarray(a, dtype=float) - np.asarray(b, dtype=float)
    return diff.mean() > z * diff.std(ddof=1) / np.sqrt(len(diff))


# exchange that only helps: no hours spent, no practice that fails at home, nothing forgotten
GAINS_ONLY = {"event_hours": 0.0, "transfer_risk": 0.0, "practice_decay": 0.0}
NO_EFFECT = {"learning_rate": 0.0, "peer_floor": 0.0, "confidence_gain": 0.0, **GAINS_ONLY}


# -- parameters ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("key", "value", "says"),
    [
        ("events_per_year", 13, "allowed range [0, 12]"),
        ("partner_choice", "nearest", "similar, dissimilar, random"),
        ("enabled", "yes", "true or false"),
        ("seminar_size", 2.5, "integer"),
        ("share_study_visit", 0.9, "sum to 1"),
        ("learning_rat", 0.1, "allowed: enabled"),
    ],
)
def test_bad_exchange_parameters_name_the_key_and_what_is_allowed(key, value, says):
    with pytest.raises(ParameterError) as err:
        ExchangeParams.from_dict({key: value})
    assert err.value.key.startswith("exchange.")
    assert says in str(err.value)


def test_every_exchange_parameter_names_its_source_or_is_an_assumption():
    for name, (_, meta) in field_specs(ExchangeParams).items():
        if name == "enabled":
            continue
        doc = meta["doc"]
        assert "ssumption" in doc or "Seed" in doc or "seed" in doc, name


def test_default_regions_are_the_six_seed_regions_with_their_case_pairings():
    mr = MultiRegionModel(steps=1)
    assert mr.names == list(SEED_REGIONS)
    assert mr.base_params["agder"].governance.governance_mode == "lead_organisation"
    assert mr.base_params["hamburg"].funding.committed_amount > 0
    assert case_choices("vasterbotten")["governance"] == "informal"
    with pytest.raises(ParameterError, match="unknown region preset 'atlantis'"):
        MultiRegionModel(["agder", "atlantis"])


def test_region_seeds_are_spawned_children_and_the_exchange_stream_is_separate():
    seeds, exchange_seq = spawn_seeds(11, 4)
    assert seeds == [run_seed(11, i) for i in range(4)]
    assert exchange_seq.spawn_key == (4,)
    assert len(set(seeds)) == 4


# -- learning with diminishing returns ------------------------------------------------------------
def test_learning_rises_toward_the_cap_with_shrinking_steps_and_follows_the_advantage():
    levels = [1.0]
    for _ in range(200):  # between equals only the floor teaches: slowly
        levels.append(ev.learn(levels[-1], partner=1.0, cap=1.5, rate=0.25, floor=0.1))
    steps = np.diff(levels)
    assert np.all(steps > 0) and np.all(np.diff(steps) < 0)  # always up, ever smaller
    assert levels[-1] == pytest.approx(1.5, abs=0.01) and max(levels) <= 1.5
    # gain grows with the partner's advantage, in proportion to the rate
    gain = [ev.learn(1.0, p, 2.0, 0.25, 0.0) - 1.0 for p in (1.0, 1.2, 1.6)]
    assert gain == pytest.approx([0.0, 0.05, 0.15])
    assert ev.learn(1.8, 1.0, 1.5, 0.25, 0.1) == 1.8  # above the cap: nothing learnt, no loss


# -- switched off: exactly separate runs -----------------------------------------------------------
def _assert_same_as_separate_runs(mr: MultiRegionModel) -> None:
    for name, seed in zip(mr.names, mr.seeds, strict=True):
        alone = simulate(mr.base_params[name], seed=seed).timeseries
        pd.testing.assert_frame_equal(mr.region_timeseries(name), alone, check_exact=True)


def test_without_exchange_every_region_runs_exactly_as_alone():
    mr = MultiRegionModel(seed=5, exchange={"enabled": False}, steps=SHORT).run()
    assert mr.events().empty
    _assert_same_as_separate_runs(mr)


def test_exchange_events_without_effects_leave_every_region_untouched():
    mr = MultiRegionModel(seed=5, exchange={"events_per_year": 12, **NO_EFFECT}, steps=SHORT).run()
    assert len(mr.events()) > 50  # the exchange drew plenty, from its own stream
    _assert_same_as_separate_runs(mr)


def test_the_same_seed_gives_the_same_multi_region_run():
    a = MultiRegionModel(seed=9, steps=24).run()
    b = MultiRegionModel(seed=9, steps=24).run()
    pd.testing.assert_frame_equal(a.timeseries(), b.timeseries(), check_exact=True)
    pd.testing.assert_frame_equal(a.events(), b.events())


# -- switched on: what exchange changes ------------------------------------------------------------
@pytest.fixture(scope="module")
def busy_run() -> MultiRegionModel:
    return MultiRegionModel(
        seed=3, exchange={"events_per_year": 12, **GAINS_ONLY}, steps=SHORT
    ).run()


def test_practice_rises_monotonically_toward_the_caps(busy_run):
    x, ts = busy_run.exchange, busy_run.exchange_timeseries()
    for name, rows in ts.groupby("region"):
        eff, skill = rows["facilitation_effectiveness"], rows["mission_skill"]
        base = busy_run.base_params[name].facilitation
        assert eff.is_monotonic_increasing and skill.is_monotonic_increasing
        assert eff.iloc[0] == base.facilitation_effectiveness
        assert eff.iloc[-1] > base.facilitation_effectiveness
        assert skill.iloc[-1] > base.mission_skill
        assert eff.max() <= x.effectiveness_cap and skill.max() <= x.mission_skill_cap
        # a year of monthly exchange closes most of the gap
        assert x.effectiveness_cap - eff.iloc[-1] < 0.5 * (x.effectiveness_cap - eff.iloc[0])
        # and the model really runs on the learnt values
        assert busy_run.models[name].params.facilitation.mission_skill == skill.iloc[-1]


def test_members_gain_confidence_which_decays_when_exchange_stops():
    x = {"events_per_year": 12, "months_active": 18, **GAINS_ONLY}
    mr = MultiRegionModel(seed=4, exchange=x, steps=SHORT).run()
    ts = mr.exchange_timeseries()
    p = mr.exchange
    for _, rows in ts.groupby("region"):
        c = rows.set_index("step")["confidence"]
        assert 0 < c.loc[1:18].max() <= p.confidence_cap
        after = c.loc[19:].to_numpy()  # no events from month 19: pure decay
        np.testing.assert_allclose(after[1:], after[:-1] * (1 - p.confidence_decay))
        assert rows.set_index("step")["exchange_events"].loc[19:].sum() == 0


def test_confidence_raises_membership_over_replicates():
    """Confidence adds to expected benefit: more organisations join and stay."""
    seeds, regions = range(8), ["agder", "kurzeme", "vasterbotten", "voru"]

    def total_members(exchange):
        runs = [MultiRegionModel(regions, exchange, seed=s, steps=48).run() for s in seeds]
        return [sum(m.region_timeseries(n)["members"].iloc[-1] for n in m.names) for m in runs]

    confidence_only = {
        "events_per_year": 12,
        "learning_rate": 0.0,
        "peer_floor": 0.0,
        "confidence_cap": 0.15,
        **GAINS_ONLY,
    }
    on = total_members(confidence_only)
    off = total_members({"enabled": False})
    assert paired_clearly_greater(on, off)


def test_mission_skill_learnt_from_a_skilled_partner_raises_goal_consensus():
    """Kurzeme (ordinary skill) visiting Võru (trained in MOIP) converges its visions faster."""
    regions = ["kurzeme", "voru"]
    x = {
        "events_per_year": 12,
        "share_study_visit": 0.0,
        "share_joint_seminar": 0.0,
        "share_shared_tool": 1.0,
        "confidence_gain": 0.0,
        **GAINS_ONLY,
    }
    on, off = [], []
    for seed in range(8):
        with_ex = MultiRegionModel(regions, x, seed=seed, steps=SHORT).run()
        without = MultiRegionModel(regions, {"enabled": False}, seed=seed, steps=SHORT).run()
        assert with_ex.models["kurzeme"].params.facilitation.mission_skill > 1.5
        on.append(with_ex.region_timeseries("kurzeme")["goal_consensus"].iloc[1:].mean())
        off.append(without.region_timeseries("kurzeme")["goal_consensus"].iloc[1:].mean())
    assert paired_clearly_greater(on, off)


def test_peer_exchange_can_lower_confidence_and_membership():
    """Practices learnt from unlike regions can fail at home: confidence falls below zero, and
    exchange that costs hours and fails often leaves fewer members than no exchange (paired)."""
    seeds, regions = range(8), ["agder", "kurzeme", "vasterbotten", "voru"]
    harmful = {
        "events_per_year": 12,
        "partner_choice": "dissimilar",
        "transfer_risk": 1.0,
        "event_hours": 16.0,
    }
    on, off = [], []
    for seed in seeds:
        mr = MultiRegionModel(regions, harmful, seed=seed, steps=48).run()
        assert mr.state.failures.sum() > 0
        assert mr.exchange_timeseries()["confidence"].min() < 0
        on.append(sum(mr.region_timeseries(n)["members"].iloc[-1] for n in mr.names))
        alone = MultiRegionModel(regions, {"enabled": False}, seed=seed, steps=48).run()
        off.append(sum(alone.region_timeseries(n)["members"].iloc[-1] for n in alone.names))
    assert paired_clearly_greater(off, on)


def test_learnt_practice_is_forgotten_when_exchange_stops():
    x = {"events_per_year": 12, "months_active": 12, "transfer_risk": 0.0}
    mr = MultiRegionModel(seed=3, exchange=x, steps=SHORT).run()
    ts = mr.exchange_timeseries()
    for name, rows in ts.groupby("region"):
        eff = rows.set_index("step")["facilitation_effectiveness"]
        own = mr.base_params[name].facilitation.facilitation_effectiveness
        assert eff.loc[12] > own
        assert eff.loc[13:].is_monotonic_decreasing and eff.loc[SHORT] < eff.loc[12]
        assert eff.loc[SHORT] > own  # forgotten slowly, toward the region's own level


# -- partner choice ------------------------------------------------------------------------------
def test_similar_regions_seek_the_nearest_and_dissimilar_the_farthest():
    d = np.array([[0, 1, 2, 3], [1, 0, 1, 2], [2, 1, 0, 1], [3, 2, 1, 0]], dtype=float)
    rng = np.random.default_rng(0)
    picks = {
        c: np.bincount([partners.choose(0, 1, d, c, 3.0, rng)[0] for _ in range(2000)], minlength=4)
        for c in ("similar", "dissimilar", "random")
    }
    assert picks["similar"][1] > picks["similar"][2] > picks["similar"][3]
    assert picks["dissimilar"][3] > picks["dissimilar"][2] > picks["dissimilar"][1]
    assert picks["random"][0] == 0 and all(abs(n - 667) < 100 for n in picks["random"][1:])
    seminar = partners.choose(2, 5, d, "similar", 3.0, rng)
    assert sorted(seminar.tolist()) == [0, 1, 3]  # no more partners than other regions


def test_parameter_distance_is_symmetric_and_scaled():
    mr = MultiRegionModel(steps=1, exchange={"radar_weight": 0.0})
    d = mr.distance()
    np.testing.assert_allclose(d, d.T)
    assert np.all(np.diag(d) == 0)
    n = len(d)
    assert d.sum() / (n * (n - 1)) == pytest.approx(1.0)


def test_exchange_params_round_trip():
    x = ExchangeParams.from_dict(events_per_year=4, partner_choice="dissimilar")
    assert ExchangeParams.from_dict(x.to_dict()) == x
    assert {f.name for f in dataclasses.fields(x)} == set(x.to_dict())
    assert not ExchangeParams.from_dict(start_step=5, months_active=2).active(7)
    assert ExchangeParams.from_dict(start_step=5, months_active=2).active(6)
