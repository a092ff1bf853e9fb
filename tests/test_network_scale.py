"""The tie network's large-pool paths give exactly what the plain constructions give.

Each reference below is the plain version (a pass over every tie, a loop over communities, a
dictionary of pairs) that the faster code replaced; outputs are compared for equality, not
closeness, on networks grown in batches so that both the merged and the recent parts are used.
"""

from __future__ import annotations

import random

import networkx as nx
import numpy as np
import pytest

from csei_sim import network
from csei_sim.network import TieNetwork, communities, prior_ties
from csei_sim.population import sector_counts


@pytest.fixture(params=[8, 4096], ids=["merge-often", "merge-default"])
def merge_min(request, monkeypatch):
    """Small thresholds make the merged and the recent parts both hold ties in small networks."""
    monkeypatch.setattr(network, "_MERGE_MIN", request.param)
    return request.param


def _plain_trust_to(net: TieNetwork, inside: np.ndarray) -> np.ndarray:
    u, v, w = net.u[: net.m], net.v[: net.m], net.trust
    return np.bincount(u, w * inside[v], net.n) + np.bincount(v, w * inside[u], net.n)


def _plain_share_in(net: TieNetwork, inside: np.ndarray) -> np.ndarray:
    u, v, w = net.u[: net.m], net.v[: net.m], net.trust
    num = _plain_trust_to(net, inside)
    den = np.bincount(u, w, net.n) + np.bincount(v, w, net.n)
    return np.divide(num, den, out=np.zeros(net.n), where=den > 0)


def _plain_mean_within(net: TieNetwork, inside: np.ndarray) -> float:
    both = inside[net.u[: net.m]] & inside[net.v[: net.m]]
    return float(net.trust[both].mean()) if both.any() else 0.0


def _plain_bond(net: TieNetwork, member: np.ndarray) -> np.ndarray:
    """Mean trust on ties to members, as decisions.member_bond once summed it over every tie."""
    u, v = net.u[: net.m], net.v[: net.m]
    total = _plain_trust_to(net, member)
    count = np.bincount(u, member[v], net.n) + np.bincount(v, member[u], net.n)
    return np.divide(total, count, out=np.zeros(net.n), where=count > 0)


def _plain_rows_touching(net: TieNetwork, inside: np.ndarray) -> np.ndarray:
    return np.flatnonzero(inside[net.u[: net.m]] | inside[net.v[: net.m]])


def _plain_neighbour(net: TieNetwork, nodes: np.ndarray, rng: np.random.Generator):
    """One stable sort of all ties into a CSR, then the draw as the original code made it."""
    m = net.m
    src = np.concatenate([net.u[:m], net.v[:m]])
    order = np.argsort(src, kind="stable")
    nbr = np.concatenate([net.v[:m], net.u[:m]])[order]
    rows = np.concatenate([np.arange(m), np.arange(m)])[order]
    indptr = np.zeros(net.n + 1, dtype=np.int64)
    np.cumsum(np.bincount(src, minlength=net.n), out=indptr[1:])
    deg = indptr[nodes + 1] - indptr[nodes]
    pick = indptr[nodes] + (rng.random(len(nodes)) * np.maximum(deg, 1)).astype(np.int64)
    has = deg > 0
    pick = np.where(has, pick, 0)
    j = np.where(has, nbr[pick] if m else -1, -1)
    row = np.where(has, rows[pick] if m else -1, -1)
    return j, row


@pytest.mark.parametrize("seed", range(6))
def test_member_sums_and_neighbour_draws_equal_passes_over_every_tie(seed, merge_min):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(30, 400))
    net = TieNetwork(n, capacity=16)
    split = False  # the merged and the recent parts both held ties at a check
    for batch in range(12):
        k = int(rng.integers(1, 6 * n if batch == 0 else n // 2 + 2))
        net.add(rng.integers(0, n, k), rng.integers(0, n, k), rng.random(k), step=batch)
        net.trust[:] = np.clip(net.trust + rng.normal(0, 0.05, net.m), 0, 1)
        net.decay(batch, 0.03)
        for share in (0.0, 0.02, 0.1, 0.6):  # no members, a few (sparse path), many (dense)
            member = rng.random(n) < share
            weight = member * rng.random(n)  # a non-0/1 inside too
            for inside in (member, member.astype(float), weight):
                np.testing.assert_array_equal(net.trust_to(inside), _plain_trust_to(net, inside))
                np.testing.assert_array_equal(
                    net.trusted_share_in(inside), _plain_share_in(net, inside)
                )
            assert net.mean_trust_within(member) == _plain_mean_within(net, member)
            np.testing.assert_array_equal(net.mean_trust_to(member), _plain_bond(net, member))
            np.testing.assert_array_equal(
                net.rows_touching(member), _plain_rows_touching(net, member)
            )
        nodes = rng.integers(0, n, int(rng.integers(0, 3 * n)))
        got = net.random_neighbour(nodes, np.random.default_rng(batch))
        want = _plain_neighbour(net, nodes, np.random.default_rng(batch))
        for a, b in zip(got, want, strict=True):
            np.testing.assert_array_equal(a, b)
        split |= 0 < net._base_m < net.m
    assert split or merge_min > net.m


def test_decay_touches_only_idle_ties():
    net = TieNetwork(10)
    net.add([0, 1, 2], [1, 2, 3], [0.5, 0.4, 0.3], step=0)
    net.touch(np.array([1]), 4)
    net.decay(4, 0.1)
    np.testing.assert_array_equal(net.trust, [0.5 * 0.9, 0.4, 0.3 * 0.9])


def test_pair_look_ups_equal_a_dictionary_of_pairs(merge_min):
    rng = np.random.default_rng(9)
    n = 300
    net, index = TieNetwork(n, capacity=4), {}
    for _ in range(40):
        k = int(rng.integers(1, 400))
        us, vs = rng.integers(0, n, k), rng.integers(0, n, k)
        rows = net.add(us, vs, 0.5)
        for a, b, row in zip(us.tolist(), vs.tolist(), rows.tolist(), strict=True):
            if a != b:
                assert index.setdefault((min(a, b), max(a, b)), row) == row
        probe_u, probe_v = rng.integers(0, n, 200), rng.integers(0, n, 200)
        want = [
            index.get((min(a, b), max(a, b)), -1) for a, b in zip(probe_u, probe_v, strict=True)
        ]
        np.testing.assert_array_equal(net.rows_of(probe_u, probe_v), want)
        a, b = int(probe_u[0]), int(probe_v[0])
        assert net.find(a, b) == index.get((min(a, b), max(a, b)), -1)
    assert net.m == len(index) > 4 * merge_min or merge_min == 4096


@pytest.mark.parametrize("seed", [0, 1, 2**32 - 1, 2**32, 2**40 + 3, 2**64 + 5])
def test_draws_equal_pythons_random(seed):
    draws = random.Random(seed)
    want = [draws.random() for _ in range(500)]
    np.testing.assert_array_equal(
        network._python_draws(np.array([seed], dtype=object), 500)[0], want
    )


def _plain_prior_ties(sector, mean_degree, cross_share, rng, community_size):
    """Reference: networkx's block model, community by community, then the bridges."""

    def block_model(sec, degree, seed):
        sizes = np.bincount(sec, minlength=4).tolist()
        probs = network._block_probs(sizes, degree, cross_share)
        graph = nx.stochastic_block_model(sizes, probs, seed=seed, sparse=True)
        edges = np.array(list(graph.edges()), dtype=np.int64).reshape(-1, 2)
        return edges[:, 0], edges[:, 1]

    n = len(sector)
    k = max(1, -(-n // community_size)) if community_size else 1
    if k == 1:
        return block_model(sector, mean_degree, int(rng.integers(2**32)))
    community = communities(sector, k)
    seeds = rng.integers(2**32, size=k + 1).tolist()
    us, vs = [], []
    for c in range(k):
        idx = np.flatnonzero(community == c)
        u, v = block_model(sector[idx], mean_degree * network.LOCAL_SHARE, seeds[c])
        us.append(idx[u])
        vs.append(idx[v])
    bridge = mean_degree * (1 - network.LOCAL_SHARE) * k / (k - 1)
    u, v = block_model(sector, bridge, seeds[k])
    apart = community[u] != community[v]
    return np.concatenate([*us, u[apart]]), np.concatenate([*vs, v[apart]])


@pytest.mark.parametrize(
    ("n", "shares", "degree", "community_size"),
    [
        (60, [0.2, 0.45, 0.25, 0.1], 6.0, 80),  # one community
        (333, [0.2, 0.45, 0.25, 0.1], 6.0, 80),  # communities of differing sector mixes
        (500, [0.25, 0.25, 0.25, 0.25], 3.0, 7),  # many small communities
        (900, [0.6, 0.0, 0.3, 0.1], 12.0, 50),  # an empty sector
        (120, [0.3, 0.3, 0.2, 0.2], 40.0, 6),  # dense: probabilities of 1 inside communities
    ],
)
@pytest.mark.parametrize("seed", [0, 7, 2025])
def test_prior_ties_equal_networkx_community_by_community(n, shares, degree, community_size, seed):
    sector = np.repeat(np.arange(4), sector_counts(n, shares))
    got = prior_ties(sector, degree, 0.3, np.random.default_rng(seed), community_size)
    want = _plain_prior_ties(sector, degree, 0.3, np.random.default_rng(seed), community_size)
    for a, b in zip(got, want, strict=True):
        np.testing.assert_array_equal(a, b)
    assert len(got[0]) > n / 2  # the case drew ties


def test_sorted_insert_equals_numpys_insert():
    rng = np.random.default_rng(4)
    for _ in range(20):
        old = np.sort(rng.integers(0, 50, int(rng.integers(0, 30))))
        values = rng.integers(0, 1000, int(rng.integers(0, 30)))
        at = np.sort(rng.integers(0, len(old) + 1, len(values)))
        np.testing.assert_array_equal(
            network._insert_sorted(old, at, values), np.insert(old, at, values)
        )


@pytest.mark.parametrize("seed", range(4))
def test_unique_of_new_pairs_equals_numpys_unique(seed):
    rng = np.random.default_rng(seed)
    for high in (10**12, 50):  # pairs that all differ (one sort), pairs that repeat
        keys = rng.integers(0, high, int(rng.integers(1, 3000)))
        got = network._unique(keys)
        want = np.unique(keys, return_index=True, return_inverse=True)
        for a, b in zip(got, want, strict=True):
            np.testing.assert_array_equal(a, b)
