"""The fast paths of the tie network give exactly what the plain constructions give."""

from __future__ import annotations

import numpy as np

from csei_sim.network import TieNetwork


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
