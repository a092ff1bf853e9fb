"""The fast paths of the tie network give exactly what the plain constructions give."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest

from csei_sim.network import TieNetwork, block_model_pairs


def _plain_adjacency(net: TieNetwork) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """CSR built from scratch with one stable sort of all ties (the reference construction)."""
    m = net.m
    src = np.concatenate([net.u[:m], net.v[:m]])
    dst = np.concatenate([net.v[:m], net.u[:m]])
    rows = np.concatenate([np.arange(m), np.arange(m)])
    order = np.argsort(src, kind="stable")
    indptr = np.zeros(net.n + 1, dtype=np.int64)
    np.cumsum(np.bincount(src, minlength=net.n), out=indptr[1:])
    return indptr, dst[order], rows[order]


def test_incremental_adjacency_matches_a_full_rebuild():
    rng = np.random.default_rng(3)
    n = 50
    net = TieNetwork(n, capacity=8)
    for _ in range(30):  # batches of ties (with repeats and self-pairs), adjacency read in between
        k = int(rng.integers(1, 40))
        net.add(rng.integers(0, n, k), rng.integers(0, n, k), 0.5)
        for got, want in zip(net._adjacency(), _plain_adjacency(net), strict=True):
            np.testing.assert_array_equal(got, want)
    assert net.m > 100  # the check covered a network that grew well past its initial capacity


@pytest.mark.parametrize(
    ("sizes", "p_in", "p_out"),
    [
        ([15, 40, 30, 15], 0.1, 0.02),
        ([0, 5, 1, 3], 0.5, 0.3),  # an empty block still draws once, as in networkx
        ([300, 800, 600, 300], 0.01, 0.001),
        ([3, 4, 5, 6], 1.0, 0.5),  # p = 1 takes every pair without drawing
        ([10, 10, 10, 10], 0.0, 0.2),
    ],
)
@pytest.mark.parametrize("seed", [0, 12345, 2**32 - 1])
def test_block_model_pairs_equal_networkx_edges_in_order(sizes, p_in, p_out, seed):
    probs = [[p_in if a == b else p_out for b in range(4)] for a in range(4)]
    graph = nx.stochastic_block_model(sizes, probs, seed=seed, sparse=True)
    want = np.array(list(graph.edges()), dtype=np.int64).reshape(-1, 2)
    u, v = block_model_pairs(sizes, probs, seed)
    np.testing.assert_array_equal(u, want[:, 0])
    np.testing.assert_array_equal(v, want[:, 1])


def _plain_add(index: dict, ties: list, us, vs, trust) -> list[int]:
    """Reference: add pairs one by one, as the original loop did."""
    rows = []
    for k, (a, b) in enumerate(zip(us.tolist(), vs.tolist(), strict=True)):
        key = (min(a, b), max(a, b))
        row = index.get(key, -1)
        if row < 0 and a != b:
            row = index[key] = len(ties)
            ties.append((*key, float(trust[k])))
        rows.append(row)
    return rows


def test_vectorised_add_matches_adding_pair_by_pair():
    rng = np.random.default_rng(5)
    n = 40
    net, index, ties = TieNetwork(n, capacity=4), {}, []
    for _ in range(25):  # batches with repeated pairs, reversed pairs and self-pairs
        k = int(rng.integers(1, 60))
        us, vs, trust = rng.integers(0, n, k), rng.integers(0, n, k), rng.random(k)
        want_rows = _plain_add(index, ties, us, vs, trust)
        np.testing.assert_array_equal(net.add(us, vs, trust), want_rows)
    want = np.array(ties)
    np.testing.assert_array_equal(net.u[: net.m], want[:, 0])
    np.testing.assert_array_equal(net.v[: net.m], want[:, 1])
    np.testing.assert_array_equal(net.trust, want[:, 2])
    assert net.find(int(want[3, 1]), int(want[3, 0])) == 3
    assert net.find(7, 7) == -1


def test_large_pools_keep_prior_cooperation_local_and_clustered():
    """Communities keep a large pool's prior ties as local as a small pool's (ODD 5, prior ties)."""
    from csei_sim.network import LOCAL_SHARE, communities, prior_ties

    sector = np.repeat(np.arange(4), [120, 240, 180, 60])  # 600 organisations, ordered by sector
    rng = np.random.default_rng(11)
    local = prior_ties(sector, 6.0, 0.3, rng, community_size=60)
    flat = prior_ties(sector, 6.0, 0.3, np.random.default_rng(11), community_size=None)
    community = communities(sector, 10)
    assert np.bincount(community).tolist() == [60] * 10  # every community has its sector mix
    for u, _ in (local, flat):
        assert abs(2 * len(u) / len(sector) - 6.0) < 0.5  # the mean degree is kept
    inside = (community[local[0]] == community[local[1]]).mean()
    assert abs(inside - LOCAL_SHARE) < 0.05
    assert (community[flat[0]] == community[flat[1]]).mean() < 0.2  # about 1 in 10 by chance

    def clustering(u, v):
        graph = nx.Graph(zip(u.tolist(), v.tolist(), strict=True))
        return nx.average_clustering(graph)

    assert clustering(*local) > 2 * clustering(*flat)
