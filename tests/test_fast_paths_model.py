"""The model's fast paths give exactly what the plain versions they replaced give."""

from __future__ import annotations

import copy

import mesa
import numpy as np
import pandas as pd

from csei_sim import CSEIModel
from csei_sim.agents import Status
from csei_sim.facilitation import (
    EVENT_COMMITMENT,
    NEW_TIE_TRUST,
    TIE_SCALE,
    _guest_weights,
    dialogue,
)
from csei_sim.params import Params


def _dialogue_event_by_event(pop, ties, hours, p, rng, step) -> tuple[int, int]:
    """Reference: the same guests and draws, each event then adding its own ties in turn."""
    whole, part = divmod(hours / p.hours_per_event, 1.0)
    n_events = int(whole) + int(rng.random() < part)
    members = np.flatnonzero(pop.is_(Status.MEMBER))
    weight = _guest_weights(pop, ties)
    pool = np.flatnonzero(weight > 0)
    hosts = min(len(members), int(round(p.host_share * p.event_size)))
    guests = min(len(pool), p.event_size - hosts)
    if n_events == 0 or hosts + guests < 2:
        return 0, 0
    groups = []
    for _ in range(n_events):
        chosen = list(rng.choice(members, size=hosts, replace=False))
        chosen += list(
            rng.choice(pool, size=guests, replace=False, p=weight[pool] / weight[pool].sum())
        )
        groups.append(np.array(chosen))
    a, b = np.triu_indices(hosts + guests, k=1)
    draws = rng.random(n_events * len(a)).reshape(n_events, -1)
    for people, draw in zip(groups, draws, strict=True):
        gap = np.linalg.norm(pop.vision[people[a]] - pop.vision[people[b]], axis=1)
        chance = p.event_tie_chance * np.exp(-gap / TIE_SCALE)
        rows = np.array(
            [ties.find(int(x), int(y)) for x, y in zip(people[a], people[b], strict=True)]
        )
        forms = (rows < 0) & (draw < chance)
        rows[forms] = ties.add(people[a][forms], people[b][forms], NEW_TIE_TRUST, step)
        met = rows[rows >= 0]
        ties.trust[met] += p.dialogue_trust_gain * (1.0 - ties.trust[met])
        ties.touch(rows, step)
        host = people[:hosts]
        pop.commitment[host] += EVENT_COMMITMENT * (1.0 - pop.commitment[host])
    attending = np.unique(np.concatenate([g[hosts:] for g in groups]))
    newcomers = attending[pop.status[attending] == Status.OUTSIDER]
    pop.set_status(newcomers, Status.AWARE)
    return n_events, len(newcomers)


def test_batched_dialogue_events_equal_events_one_by_one():
    # a small pool and many events, so pairs meet more than once in a month
    model = CSEIModel(rng=3, n_organisations=15, steps=1)
    p = Params.from_dict(None, event_size=6, hours_per_event=1.0, event_tie_chance=0.8).facilitation
    fast_pop, fast_ties = copy.deepcopy(model.orgs), copy.deepcopy(model.ties)
    ref_pop, ref_ties = copy.deepcopy(model.orgs), copy.deepcopy(model.ties)
    for step in range(1, 4):
        held = dialogue(fast_pop, fast_ties, 7.5, p, np.random.default_rng(step), step)
        ref = _dialogue_event_by_event(ref_pop, ref_ties, 7.5, p, np.random.default_rng(step), step)
        assert held == ref and held[0] >= 7
    assert fast_ties.m == ref_ties.m > model.ties.m
    for name in ("u", "v", "_trust", "_last"):
        np.testing.assert_array_equal(
            getattr(fast_ties, name)[: ref_ties.m], getattr(ref_ties, name)[: ref_ties.m]
        )
    np.testing.assert_array_equal(fast_pop.commitment, ref_pop.commitment)
    np.testing.assert_array_equal(fast_pop.status, ref_pop.status)


def test_metrics_collector_records_what_mesas_collector_records():
    model = CSEIModel(rng=5, n_organisations=30, steps=6)
    plain = mesa.DataCollector(
        model_reporters={name: (lambda m, k=name: m.metrics[k]) for name in model.metrics}
    )
    plain.collect(model)
    for _ in range(6):
        model.step()
        plain.collect(model)
    pd.testing.assert_frame_equal(
        model.datacollector.get_model_vars_dataframe(), plain.get_model_vars_dataframe()
    )
    assert model.datacollector._collection_steps == list(range(7))
