"""Member-led recruiting and open calls (docs/ODD.md 7.3a), with paired seeds.

Comparisons require a difference larger than two standard errors of the difference, so the
tolerance comes from the spread of the replicates.
"""

import numpy as np

from conftest import clearly_greater, replicate
from csei_sim import CSEIModel
from csei_sim.agents import Status
from csei_sim.recruiting import member_recruiting

SEEDS = range(12)


def test_informal_cluster_grows_through_member_recruiting():
    """Seed (Västerbotten): an informal cluster grows through its members' own contacts."""
    pool = {"governance_mode": "informal", "n_organisations": 120}
    on = replicate(range(20), steps=18, **pool)
    off = replicate(range(20), steps=18, recruit_rate=0.0, **pool)
    members = lambda runs: [ts["members"].iloc[18] for ts in runs]  # noqa: E731
    assert clearly_greater(members(on), members(off))


def test_members_recruit_more_with_more_facilitation_and_commitment():
    introduced = {}
    for hours in (0.0, 10.0, 80.0):
        for commitment in (0.2, 0.8):
            m = CSEIModel(rng=3, steps=1)
            m.orgs.commitment[m.orgs.is_(Status.MEMBER)] = commitment
            counts = [
                len(member_recruiting(m.orgs, m.ties, hours, m.params.facilitation, rng, 1))
                for rng in (np.random.default_rng(s) for s in range(200))
            ]
            introduced[hours, commitment] = np.mean(counts)
    assert introduced[0.0, 0.8] == 0  # no facilitation support: members do not recruit
    assert introduced[80.0, 0.8] > introduced[10.0, 0.8] > 0
    assert introduced[80.0, 0.8] > introduced[80.0, 0.2]


def test_an_office_consults_on_top_of_member_recruiting():
    """Formal: switching members' recruiting off lowers first-year growth; consultations stay."""
    funded = {"governance_mode": "formal", "committed_amount": 8000.0, "n_organisations": 120}
    on = replicate(SEEDS, steps=18, **funded)
    off = replicate(SEEDS, steps=18, recruit_rate=0.0, **funded)
    members = lambda runs: [ts["members"].iloc[18] for ts in runs]  # noqa: E731
    assert clearly_greater(members(on), members(off))
    assert all(ts["consultations"].iloc[7:].sum() > 0 for ts in off)


def test_open_calls_produce_waves_of_joins():
    """A call every 12 months: joins bunch in call months (metropolitan alliances grow in waves)."""
    calls = {"open_call_interval": 12, "open_call_reach": 0.5, "open_call_bar": 0.3}
    runs = replicate(SEEDS, steps=48, n_organisations=160, **calls)
    plain = replicate(SEEDS, steps=48, n_organisations=160)
    months = np.arange(1, 49)
    call = months % 12 == 0
    in_calls = [ts["joins"].iloc[1:][call].mean() for ts in runs]
    between = [ts["joins"].iloc[1:][~call].mean() for ts in runs]
    assert clearly_greater(in_calls, between)
    assert clearly_greater(in_calls, [ts["joins"].iloc[1:][call].mean() for ts in plain])


def test_open_call_applicants_meet_the_entry_requirements():
    """Membership rules filter applicants: an operating office admits only capable ones."""
    rules = {
        "governance_mode": "formal",
        "setup_months": 0,
        "committed_amount": 8000.0,
        "entry_min_capacity": 0.6,
        "open_call_interval": 6,
        "open_call_bar": 0.0,
        "open_call_reach": 1.0,
        "n_organisations": 120,
    }
    for seed in range(3):
        m = CSEIModel(rng=seed, steps=12, **rules).run()
        joined = [e["org"] for e in m.events if e["kind"] == "join"]
        assert joined and m.orgs.capacity[joined].min() >= 0.6


def test_no_call_is_published_without_outreach_or_an_office():
    quiet = {"share_outreach": 0.0, "share_dialogue": 0.8, "share_mission": 0.2}
    calls = {"open_call_interval": 3, "open_call_reach": 1.0, "open_call_bar": 0.0}
    with_calls = CSEIModel(rng=1, steps=12, **quiet, **calls).run().timeseries()
    without = CSEIModel(rng=1, steps=12, **quiet).run().timeseries()
    assert with_calls["members"].tolist() == without["members"].tolist()
