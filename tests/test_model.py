"""The model as a Mesa model: agents, outputs, reproducibility, batch_run."""

import math

import mesa
import numpy as np
import pandas as pd
import pytest

from csei_sim import NGO, CSEIModel, Firm, Municipality, Status, University
from csei_sim.metrics import ARCHETYPES, RADAR, SURVIVAL_LAG, blau


def test_one_agent_class_per_sector_with_their_own_defaults():
    model = CSEIModel(rng=1, steps=3)
    by_type = model.agents_by_type
    assert set(by_type) == {Municipality, NGO, Firm, University}
    assert sum(len(agents) for agents in by_type.values()) == model.orgs.n == 60
    assert Municipality.inertia > NGO.inertia
    assert NGO.cost_sensitivity > Municipality.cost_sensitivity
    for cls in (Municipality, NGO, Firm, University):
        assert sum(cls.values) == pytest.approx(1.0)
    agent = next(iter(by_type[NGO]))
    assert agent.sector == "ngo" and agent.status in set(Status)
    assert agent.capacity == model.orgs.capacity[agent.idx]


def test_agents_are_made_on_first_access_in_index_order():
    model = CSEIModel(rng=1, steps=3, n_organisations=30)
    assert len(model._all_agents) == 0  # a run needs no agent objects
    model.run()
    agents = list(model.agents)
    assert [a.idx for a in agents] == list(range(30))
    assert [a.unique_id for a in agents] == list(range(1, 31))
    assert model.agents is model.agents and len(model.agents) == 30  # made once
    assert set(model.agent_types) == {type(a) for a in agents}
    assert [a.status for a in model.organisations()] == model.orgs.status.tolist()


def test_start_has_core_members_aware_and_outsiders():
    model = CSEIModel(rng=3, core_size=4, initial_aware_share=0.5, n_organisations=41)
    ts = model.timeseries()
    assert ts.loc[0, "members"] == 4
    assert ts.loc[0, "aware"] == round(0.5 * 37)
    assert ts.loc[0, "members"] + ts.loc[0, "aware"] + ts.loc[0, "outsiders"] == 41


def test_timeseries_has_the_promised_columns(small_run):
    ts = small_run.timeseries()
    assert len(ts) == 37 and ts.index[0] == 0
    needed = [
        "members",
        "aware",
        "exits",
        "blau_diversity",
        "mean_member_trust",
        "goal_consensus",
        "joint_projects",
        "pilots",
        "balance",
        "coordination_load",
        "governance_state",
        "income_committed_grant",
        "income_project_grants",
        "income_fees",
        "income_sponsor",
        "spending_facilitation",
        "spending_office",
        "spending_services",
    ]
    needed += [f"members_{s}" for s in ("municipality", "ngo", "firm", "university")]
    needed += [f"radar_{k}" for k in RADAR]
    assert not set(needed) - set(ts.columns)
    assert ts["date"].iloc[12] == "2025-12"
    for k in RADAR:
        assert ts[f"radar_{k}"].between(0, 1).all(), k


def test_summary_fields(small_run):
    frame = CSEIModel(rng=7, steps=144).run().summary()
    assert isinstance(frame, pd.DataFrame) and len(frame) == 1  # one row, as documented
    summary = frame.iloc[0].to_dict()
    for key in (
        "time_to_critical_mass",
        "peak_members",
        "final_members",
        "members_end_2030",
        "members_end_2035",
        "survival_after_funding",
        "joint_projects",
        "mean_diversity",
        "cost_per_project",
        "archetype",
    ):
        assert key in summary
    assert summary["archetype"] in ARCHETYPES
    assert summary["peak_members"] >= summary["final_members"]
    assert math.isnan(summary["survival_after_funding"])  # no committed grant by default
    short = small_run.summary_record()
    assert math.isnan(short["members_end_2035"])  # horizon ends before 2035
    assert "members_end_2035: the run ends 2027-12, before the end of 2035" in short["not_observed"]
    assert "members_end_2030: the run ends" in short["not_observed"]


def test_not_observed_is_empty_when_every_dated_outcome_lies_inside_the_run():
    record = (
        CSEIModel(
            rng=3,
            steps=144,
            committed_amount=8000,
            committed_start="2025-01",
            committed_end="2030-12",
        )
        .run()
        .summary_record()
    )
    assert not math.isnan(record["members_end_2035"]) and record["not_observed"] == ""


def test_blau_index():
    assert blau(np.array([5, 0, 0, 0])) == 0.0
    assert blau(np.array([1, 1, 1, 1])) == pytest.approx(0.75)
    assert blau(np.array([0, 0, 0, 0])) == 0.0


def test_same_seed_same_numbers_different_seed_different_numbers():
    a = CSEIModel(rng=11, steps=48).run()
    b = CSEIModel(rng=11, steps=48).run()
    c = CSEIModel(rng=12, steps=48).run()
    assert a.timeseries().equals(b.timeseries())
    assert a.summary_record() == b.summary_record() or _same_with_nan(
        a.summary_record(), b.summary_record()
    )
    pd.testing.assert_frame_equal(a.summary(), b.summary())
    assert a.events == b.events
    assert not a.timeseries()[["members", "mean_member_trust"]].equals(
        c.timeseries()[["members", "mean_member_trust"]]
    )


def _same_with_nan(x: dict, y: dict) -> bool:
    return all(
        (x[k] == y[k]) or (isinstance(x[k], float) and math.isnan(x[k]) and math.isnan(y[k]))
        for k in x
    )


def test_batch_run_runs_the_model_and_is_reproducible():
    params = {"n_organisations": [30, 50], "governance_mode": ["informal", "formal"], "steps": 24}
    results = mesa.batch_run(
        CSEIModel,
        parameters=params,
        rng=[1, 2],
        max_steps=24,
        data_collection_period=-1,
        display_progress=False,
    )
    assert len(results) == 8
    assert {r["n_organisations"] for r in results} == {30, 50}
    again = mesa.batch_run(
        CSEIModel,
        parameters=params,
        rng=[1, 2],
        max_steps=24,
        data_collection_period=-1,
        display_progress=False,
    )
    key = ("n_organisations", "governance_mode", "rng")
    first = sorted((tuple(r[k] for k in key), r["members"]) for r in results)
    second = sorted((tuple(r[k] for k in key), r["members"]) for r in again)
    assert first == second
    direct = CSEIModel(rng=1, n_organisations=30, governance_mode="informal", steps=24).run()
    match = [
        r
        for r in results
        if r["rng"] == 1 and r["n_organisations"] == 30 and r["governance_mode"] == "informal"
    ]
    assert match[0]["members"] == direct.timeseries()["members"].iloc[-1]


def test_model_stops_at_its_horizon():
    model = CSEIModel(rng=1, steps=5)
    model.run_model()
    assert model.steps == 5 and not model.running


def test_events_log_joins_exits_pilots():
    model = CSEIModel(rng=1, steps=60).run()
    kinds = {e["kind"] for e in model.events}
    assert {"join", "pilot"} <= kinds
    joins = sum(1 for e in model.events if e["kind"] == "join")
    assert joins == model.timeseries()["joins"].sum()


def test_gradual_formalises_once_thresholds_are_met():
    model = CSEIModel(
        rng=1,
        steps=96,
        governance_mode="gradual",
        formalise_min_members=10,
        formalise_min_trust=0.0,
    ).run()
    ts = model.timeseries()
    step = model.governance.formalised_at
    assert step is not None
    assert ts.loc[step - 1, "governance_state"] == "informal"
    assert ts.loc[step, "governance_state"] == "formal"
    assert ts.loc[step, "members"] >= 10
    assert any(e["kind"] == "formalisation" for e in model.events)
    assert (ts.loc[step + 1 :, "spending_office"] > 0).any()


def test_ledger_balances_and_never_goes_negative():
    model = CSEIModel(
        rng=4,
        steps=96,
        committed_amount=5000,
        committed_end="2027-06",
        governance_mode="formal",
        facilitation_paid_by="budget",
        grant_win_rate=0.1,
        membership_fee=20,
    ).run()
    ts = model.timeseries()
    assert abs(model.ledger.discrepancy()) < 1e-6
    change = ts["balance"].diff().iloc[1:]
    flows = (ts["income_total"] - ts["spending_total"]).iloc[1:]
    assert np.allclose(change, flows)
    assert (ts["balance"] >= -1e-9).all()
    assert ts["income_committed_grant"].iloc[1:31].gt(0).all()
    assert ts["income_committed_grant"].iloc[31:].eq(0).all()


def test_summary_of_a_grant_that_ended_before_the_start():
    model = CSEIModel(
        rng=2, steps=30, committed_amount=5000, committed_start="2020-01", committed_end="2023-06"
    ).run()
    assert model.timeseries()["income_committed_grant"].eq(0).all()
    assert math.isnan(model.summary_record()["survival_after_funding"])


def test_members_after_funding_counts_members_two_years_after_the_grant():
    model = CSEIModel(
        rng=4, steps=60, committed_amount=8000, committed_start="2025-01", committed_end="2026-12"
    ).run()
    summary, members = model.summary_record(), model.timeseries()["members"]
    end = model.params.step_of("2026-12")
    assert summary["members_after_funding"] == members.loc[end + SURVIVAL_LAG]
    assert summary["survival_after_funding"] == pytest.approx(
        members.loc[end + SURVIVAL_LAG] / members.loc[end]
    )
    short = CSEIModel(rng=4, steps=30, committed_amount=8000, committed_end="2026-12").run()
    assert math.isnan(short.summary_record()["members_after_funding"])  # past the end
    assert "before 24 months after the funding end" in short.summary_record()["not_observed"]
    assert math.isnan(CSEIModel(rng=4, steps=30).run().summary_record()["members_after_funding"])
