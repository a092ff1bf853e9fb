"""Coordination capacity, the cost of formalising, de-formalising, trust-buffered leaving and
mission binding (docs/ODD.md 7.4, 7.5, 7.9, 7.10), with paired seeds.

Comparisons require a difference larger than two standard errors of the difference.
"""

import numpy as np

from conftest import clearly_greater, replicate
from csei_sim import CSEIModel
from csei_sim.agents import Status
from csei_sim.governance import Governance
from csei_sim.params import GovernanceParams

SEEDS = range(12)
FUNDED = {"governance_mode": "formal", "committed_amount": 8000.0, "n_organisations": 120}


def _capacity(ts):
    """Capacity each month: members present during the month over the month's load."""
    during = ts["members"].shift(1).iloc[1:]
    return during / ts["coordination_load"].iloc[1:]


def test_shared_capacity_rises_with_member_trust_and_consensus():
    """Provan & Kenis (2008): shared governance works as far as trust and consensus reach."""
    g = Governance(GovernanceParams())
    assert g.capacity(0.0, 0.0, 0.8, 0.8) > g.capacity(0.0, 0.0, 0.4, 0.8)
    assert g.capacity(0.0, 0.0, 0.8, 0.8) > g.capacity(0.0, 0.0, 0.8, 0.4)
    high = replicate(SEEDS, steps=24, initial_trust=0.65)
    low = replicate(SEEDS, steps=24, initial_trust=0.3)
    at_24 = lambda runs: [_capacity(ts).iloc[-1] for ts in runs]  # noqa: E731
    assert clearly_greater(at_24(high), at_24(low))


def test_an_office_adds_capacity_with_its_paid_staff():
    g = Governance(GovernanceParams(governance_mode="formal", setup_months=0))
    assert g.capacity(0.0, 1.0, 0.5, 0.5) - g.capacity(0.0, 0.0, 0.5, 0.5) == 0.5 * 120.0
    two = Governance(GovernanceParams(governance_mode="formal", setup_months=0, office_staff=2.0))
    assert two.capacity(0.0, 1.0, 0.5, 0.5) > g.capacity(0.0, 1.0, 0.5, 0.5)


def test_office_set_up_delays_consultations_and_costs_money():
    """Seed: Pomorskie spent 2025 in workshops on rules, legal form and services first."""
    for seed in range(3):
        m = CSEIModel(rng=seed, steps=12, **FUNDED).run()
        ts = m.timeseries()
        assert ts["consultations"].iloc[1:7].sum() == 0  # six months of set-up
        assert ts["consultations"].iloc[7:].sum() > 0
        instant = CSEIModel(rng=seed, steps=12, setup_months=0, **FUNDED).run().timeseries()
        assert instant["consultations"].iloc[1:7].sum() > 0
    slow = replicate(SEEDS, steps=6, **FUNDED)
    fast = replicate(SEEDS, steps=6, setup_months=0, **FUNDED)
    members = lambda runs: [ts["members"].iloc[6] for ts in runs]  # noqa: E731
    assert clearly_greater(members(fast), members(slow))


def test_set_up_spends_its_monthly_cost_and_charges_no_fee():
    m = CSEIModel(rng=0, steps=8, **FUNDED)
    spent, fees = [], []
    for _ in range(8):
        m.step()
        spent.append(m.ledger.spending.get("office", 0.0))
        fees.append(m._month["fee"])
    assert spent[:6] == [1000.0] * 6 and spent[6] == 3000.0
    assert fees[:6] == [0.0] * 6 and fees[6] == 30.0


def test_an_unpaid_office_closes_and_the_cluster_reverts_to_shared_governance():
    unfunded = {"governance_mode": "formal", "n_organisations": 40}
    m = CSEIModel(rng=1, steps=24, **unfunded).run()
    closed = [e["step"] for e in m.events if e["kind"] == "deformalisation"]
    assert closed == [12]  # six months of set-up, then six unpaid months
    states = m.timeseries()["governance_state"]
    assert (states.loc[1:11] == "formal").all() and (states.loc[12:] == "informal").all()
    kept = CSEIModel(rng=1, steps=24, deformalise_months=0, **unfunded).run()
    assert not [e for e in kept.events if e["kind"] == "deformalisation"]
    paid = CSEIModel(rng=1, steps=24, committed_amount=8000.0, **unfunded).run()
    assert not [e for e in paid.events if e["kind"] == "deformalisation"]


def _kept_after_grant(seed: int, **params) -> float:
    """Share of the members at a grant's last month still members two years later."""
    grant = {
        "committed_amount": 8000.0,
        "committed_end": "2027-12",
        "n_organisations": 80,
        "facilitation_hours": 80.0,
        "initial_trust": 0.6,
    }
    m = CSEIModel(rng=seed, steps=60, **grant, **params)
    for _ in range(m.funding.funding_end_step()):
        m.step()
    cohort = np.flatnonzero(m.orgs.is_(Status.MEMBER))
    for _ in range(24):
        m.step()
    return float((m.orgs.status[cohort] == int(Status.MEMBER)).mean())


def test_trust_buffers_the_end_of_a_grant():
    """Trust in fellow members keeps more of them after the grant ends (paired seeds)."""
    seeds = range(24)
    loyal = np.array([_kept_after_grant(s) for s in seeds])
    not_loyal = np.array([_kept_after_grant(s, trust_loyalty=0.0) for s in seeds])
    diff = loyal - not_loyal
    assert diff.mean() > 2 * diff.std(ddof=1) / np.sqrt(len(diff))


def test_mission_work_binds_members_when_consensus_holds():
    """Mission work pays back in retention with a shared mission (narrow visions) ..."""
    mission = {"share_outreach": 0.3, "share_dialogue": 0.3, "share_mission": 0.4}
    narrow = {"vision_spread": 0.05, "steps": 48, **mission}
    on = replicate(SEEDS, **narrow)
    off = replicate(SEEDS, mission_commitment=0.0, **narrow)
    exits = lambda runs: [ts["exits"].sum() for ts in runs]  # noqa: E731
    assert clearly_greater(exits(off), exits(on))


def test_mission_work_costs_distant_members_when_consensus_is_low():
    """... and lowers the commitment of members far from a mission they do not share."""
    from csei_sim import facilitation as fac

    m = CSEIModel(rng=2, steps=1, vision_spread=0.6)
    member = m.orgs.is_(Status.MEMBER)
    consensus = fac.goal_consensus(m.orgs, fac.mission_target(m.orgs))
    assert consensus < fac.MISSION_CONSENSUS
    before = m.orgs.commitment.copy()
    fac.mission_binding(m.orgs, 20.0, consensus, m.params.facilitation)
    far = member & (
        np.linalg.norm(m.orgs.vision - fac.mission_target(m.orgs), axis=1) > fac.CONSENSUS_SCALE
    )
    assert far.any() and (m.orgs.commitment[far] < before[far]).all()
    assert (m.orgs.commitment[~member] == before[~member]).all()
