"""Invariants over random valid parameters (Hypothesis): nothing raises, the books balance."""

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from csei_sim import CSEIModel
from csei_sim.agents import SECTORS
from csei_sim.metrics import RADAR
from csei_sim.params import GOVERNANCE_MODES


def _shares(k: int):
    return (
        st.lists(st.integers(0, 10), min_size=k, max_size=k)
        .filter(sum)
        .map(lambda w: [x / sum(w) for x in w])
    )


@st.composite
def valid_params(draw):
    n = draw(st.integers(4, 120))
    region = dict(
        zip(
            ["share_municipality", "share_ngo", "share_firm", "share_university"],
            draw(_shares(4)),
            strict=True,
        )
    )
    hours = dict(
        zip(["share_outreach", "share_dialogue", "share_mission"], draw(_shares(3)), strict=True)
    )
    start_year = draw(st.integers(2024, 2030))
    end_year = draw(st.integers(start_year, 2036))
    unit = st.floats(0, 1)
    return {
        "steps": draw(st.integers(1, 30)),
        "n_organisations": n,
        **region,
        "core_size": draw(st.integers(0, n)),
        "initial_aware_share": draw(unit),
        "mean_degree": draw(st.floats(0, 20)),
        "cross_sector_share": draw(unit),
        "initial_trust": draw(unit),
        "trust_spread": draw(st.floats(0, 0.5)),
        "vision_spread": draw(unit),
        "threshold_mean": draw(unit),
        "threshold_spread": draw(st.floats(0, 0.5)),
        "governance_mode": draw(st.sampled_from(GOVERNANCE_MODES)),
        "office_cost": draw(st.floats(0, 20_000)),
        "formal_fee": draw(st.floats(0, 500)),
        "formalise_min_members": draw(st.integers(1, 50)),
        "committed_amount": draw(st.floats(0, 50_000)),
        "committed_start": f"{start_year}-01",
        "committed_end": f"{end_year}-12",
        "taper_months": draw(st.integers(0, 48)),
        "grant_win_rate": draw(unit),
        "membership_fee": draw(st.floats(0, 300)),
        "facilitation_hours": draw(st.floats(0, 400)),
        **hours,
        "facilitation_paid_by": draw(st.sampled_from(["sponsor", "budget"])),
        "hourly_cost": draw(st.floats(0, 200)),
        "event_size": draw(st.integers(2, 40)),
        "collab_rate": draw(st.floats(0, 2)),
        "trust_gain": draw(unit),
        "trust_loss": draw(unit),
        "trust_decay": draw(unit),
        "confidence": draw(st.floats(-1, 1)),
    }


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(params=valid_params(), seed=st.integers(0, 2**32 - 1))
def test_invariants_hold_for_any_valid_parameters(params, seed):
    model = CSEIModel(rng=seed, **params).run()
    ts = model.timeseries()
    n = params["n_organisations"]
    assert len(ts) == params["steps"] + 1
    # counts add up
    total = ts["members"] + ts["aware"] + ts["outsiders"] + ts["exited"]
    assert (total == n).all()
    assert (sum(ts[f"members_{s}"] for s in SECTORS) == ts["members"]).all()
    assert (sum(ts[f"aware_{s}"] for s in SECTORS) == ts["aware"]).all()
    # the ledger balances and is never overdrawn
    assert abs(model.ledger.discrepancy()) <= 1e-6 * max(1.0, model.ledger.total_income)
    assert (ts["balance"] >= -1e-9).all()
    flows = (ts["income_total"] - ts["spending_total"]).iloc[1:]
    assert np.allclose(ts["balance"].diff().iloc[1:], flows, atol=1e-6)
    # bounded quantities
    trust = model.ties.trust
    assert ((trust >= 0) & (trust <= 1)).all()
    for column in [
        "mean_member_trust",
        "goal_consensus",
        "service_level",
        "planning_stability",
        *[f"radar_{k}" for k in RADAR],
    ]:
        assert ts[column].between(0, 1).all(), column
    assert ts["blau_diversity"].between(0, 0.75 + 1e-12).all()
    assert ((model.orgs.vision >= 0) & (model.orgs.vision <= 1)).all()
