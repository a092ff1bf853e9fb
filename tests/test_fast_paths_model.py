"""The model's fast paths give exactly what the plain versions they replaced give."""

from __future__ import annotations

import copy

import mesa
import numpy as np
import pandas as pd

from csei_sim import CSEIModel
from csei_sim.agents import Status
from csei_sim.facilitation import EVENT_COMMITMENT, NEW_TIE_TRUST, dialogue
from csei_sim.params import Params


def _dialogue_event_by_event(pop, ties, hours, p, rng, step) -> int:
    """Reference: the dialogue events one after another, each adding its own ties."""
    whole, part = divmod(hours / p.hours_per_event, 1.0)
    n_events = int(whole) + int(rng.random() < part)
    pool = np.flatnonzero(pop.is_(Status.MEMBER) | pop.is_(Status.AWARE))
    if len(pool) < 2:
        return 0
    for _ in range(n_events):
        people = rng.choice(pool, size=min(p.event_size, len(pool)), replace=False)
        a, b = np.triu_indices(len(people), k=1)
        rows = ties.add(people[a], people[b], NEW_TIE_TRUST, step)
        trust = ties.trust
        trust[rows] += p.dialogue_trust_gain * (1.0 - trust[rows])
        ties.touch(rows, step)
        members = people[pop.status[people] == Status.MEMBER]
        pop.commitment[members] += EVENT_COMMITMENT * (1.0 - pop.commitment[members])
    return n_events


def test_batched_dialogue_events_equal_events_one_by_one():
    # a small pool and many events, so pairs meet more than once in a month
    model = CSEIModel(rng=3, n_organisations=15, steps=1)
    p = Params.from_dict(None, event_size=6, hours_per_event=1.0).facilitation
    fast_pop, fast_ties = copy.deepcopy(model.orgs), copy.deepcopy(model.ties)
    ref_pop, ref_ties = copy.deepcopy(model.orgs), copy.deepcopy(model.ties)
    for step in range(1, 4):
        held = dialogue(fast_pop, fast_ties, 7.5, p, np.random.default_rng(step), step)
        ref = _dialogue_event_by_event(ref_pop, ref_ties, 7.5, p, np.random.default_rng(step), step)
        assert held == ref >= 7
    assert fast_ties.m == ref_ties.m > model.ties.m
    for name in ("u", "v", "_trust", "_last"):
        np.testing.assert_array_equal(
            getattr(fast_ties, name)[: ref_ties.m], getattr(ref_ties, name)[: ref_ties.m]
        )
    np.testing.assert_array_equal(fast_pop.commitment, ref_pop.commitment)


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
