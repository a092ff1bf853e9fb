"""The relationship network: undirected weighted ties with pairwise trust in [0, 1].

Ties are kept as flat arrays (one row per tie) with a dictionary from pair key to row for
look-ups, so every per-step pass over ties is a numpy operation costing O(ties), and adding k ties
costs O(k).
"""

from __future__ import annotations

import math
import random
from itertools import combinations_with_replacement, pairwise, repeat

import networkx as nx
import numpy as np

LOCAL_SHARE = 0.85  # share of prior ties inside an organisation's local community (assumption)


class TieNetwork:
    """Undirected ties, each stored once with ``u < v``."""

    def __init__(self, n: int, capacity: int = 64):
        self.n = n
        self.m = 0
        self.u = np.zeros(capacity, dtype=np.int64)
        self.v = np.zeros(capacity, dtype=np.int64)
        self._trust = np.zeros(capacity)
        self._last = np.zeros(capacity, dtype=np.int64)  # step of last contact
        self._rows: dict[int, int] = {}  # pair key u * n + v -> row
        # adjacency over both directions, kept sorted by (2 * node + side, row); see _adjacency
        self._adj_m = 0  # ties already in the adjacency
        self._adj_key = np.zeros(0, dtype=np.int64)
        self._adj_nbr = np.zeros(0, dtype=np.int64)
        self._adj_row = np.zeros(0, dtype=np.int64)
        self._indptr = np.zeros(n + 1, dtype=np.int64)

    # -- storage --------------------------------------------------------------------------------
    @property
    def trust(self) -> np.ndarray:
        """Trust of every tie (a view: writes go to the network)."""
        return self._trust[: self.m]

    @property
    def last_contact(self) -> np.ndarray:
        return self._last[: self.m]

    def _grow(self, needed: int) -> None:
        size = max(needed, 2 * len(self.u))
        for name in ("u", "v", "_trust", "_last"):
            old = getattr(self, name)
            new = np.zeros(size, dtype=old.dtype)
            new[: self.m] = old[: self.m]
            setattr(self, name, new)

    def add(self, us, vs, trust, step: int = 0) -> np.ndarray:
        """Add ties (skipping self-ties); an existing pair keeps its row. Returns the rows.

        New pairs get rows in the order they first appear; a pair repeated within the call keeps
        the trust of its first appearance.
        """
        us, vs = np.atleast_1d(us).astype(np.int64), np.atleast_1d(vs).astype(np.int64)
        trust = np.broadcast_to(np.asarray(trust, dtype=float), us.shape)
        lo, hi = np.minimum(us, vs), np.maximum(us, vs)
        keys = lo * self.n + hi
        rows = self._lookup(keys)
        at = np.flatnonzero((rows < 0) & (lo != hi))
        if len(at):
            new_keys, first, inverse = np.unique(keys[at], return_index=True, return_inverse=True)
            new_rows = np.empty(len(new_keys), dtype=np.int64)
            new_rows[np.argsort(first)] = self.m + np.arange(len(new_keys))
            if self.m + len(new_keys) > len(self.u):
                self._grow(self.m + len(new_keys))
            src = at[first]
            self.u[new_rows], self.v[new_rows] = lo[src], hi[src]
            self._trust[new_rows], self._last[new_rows] = trust[src], step
            rows[at] = new_rows[inverse.ravel()]
            self._rows.update(zip(new_keys.tolist(), new_rows.tolist(), strict=True))
            self.m += len(new_keys)
        return rows

    def _lookup(self, keys: np.ndarray) -> np.ndarray:
        """Rows of the ties with these pair keys, -1 where there is none."""
        found = map(self._rows.get, keys.tolist(), repeat(-1))  # dict look-ups run in C
        return np.fromiter(found, dtype=np.int64, count=len(keys))

    def rows_of(self, us: np.ndarray, vs: np.ndarray) -> np.ndarray:
        """Rows of the ties between ``us[i]`` and ``vs[i]``, -1 where there is none."""
        lo, hi = np.minimum(us, vs).astype(np.int64), np.maximum(us, vs).astype(np.int64)
        return self._lookup(lo * self.n + hi)

    def find(self, a: int, b: int) -> int:
        """Row of the tie between ``a`` and ``b``, or -1."""
        return self._rows.get(min(a, b) * self.n + max(a, b), -1)

    # -- per-step passes --------------------------------------------------------------------------
    def touch(self, rows: np.ndarray, step: int) -> None:
        rows = rows[rows >= 0]
        self._last[rows] = step

    def decay(self, step: int, rate: float) -> None:
        """Trust fades on ties without contact this month (Klos & Nooteboom 2001)."""
        idle = self.last_contact < step
        self.trust[idle] *= 1.0 - rate

    def trusted_share_in(self, inside: np.ndarray) -> np.ndarray:
        """Per organisation: trust-weighted share of its contacts that are inside (e.g. members)."""
        u, v, w = self.u[: self.m], self.v[: self.m], self.trust
        num = np.bincount(u, w * inside[v], self.n) + np.bincount(v, w * inside[u], self.n)
        den = np.bincount(u, w, self.n) + np.bincount(v, w, self.n)
        return np.divide(num, den, out=np.zeros(self.n), where=den > 0)

    def trust_to(self, inside: np.ndarray) -> np.ndarray:
        """Per organisation: summed trust on ties to organisations inside."""
        u, v, w = self.u[: self.m], self.v[: self.m], self.trust
        return np.bincount(u, w * inside[v], self.n) + np.bincount(v, w * inside[u], self.n)

    def mean_trust_within(self, inside: np.ndarray) -> float:
        """Mean trust on ties whose both ends are inside; 0 where there are none."""
        both = inside[self.u[: self.m]] & inside[self.v[: self.m]]
        return float(self.trust[both].mean()) if both.any() else 0.0

    def degree(self) -> np.ndarray:
        return np.bincount(self.u[: self.m], minlength=self.n) + np.bincount(
            self.v[: self.m], minlength=self.n
        )

    # -- neighbour sampling ------------------------------------------------------------------------
    def _adjacency(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """CSR over both directions: (indptr, neighbour, row).

        A node's neighbours are listed first through the ties where it is ``u``, then where it is
        ``v``, each in row order. Ties added since the last call are merged in (new rows come
        last within their node and side), so a month costs O(ties) copying instead of a sort.
        """
        if self._adj_m < self.m:
            rows = np.arange(self._adj_m, self.m)
            u, v = self.u[rows], self.v[rows]
            key = np.concatenate([2 * u, 2 * v + 1])
            order = np.argsort(key, kind="stable")
            key = key[order]
            at = np.searchsorted(self._adj_key, key, side="right")
            self._adj_key = np.insert(self._adj_key, at, key)
            self._adj_nbr = np.insert(self._adj_nbr, at, np.concatenate([v, u])[order])
            self._adj_row = np.insert(self._adj_row, at, np.concatenate([rows, rows])[order])
            self._indptr[1:] += np.cumsum(np.bincount(key // 2, minlength=self.n))
            self._adj_m = self.m
        return self._indptr, self._adj_nbr, self._adj_row

    def random_neighbour(self, nodes: np.ndarray, rng: np.random.Generator):
        """One uniformly drawn neighbour per node and its tie row; -1 where a node has none."""
        indptr, nbr, rows = self._adjacency()
        deg = indptr[nodes + 1] - indptr[nodes]
        pick = indptr[nodes] + (rng.random(len(nodes)) * np.maximum(deg, 1)).astype(np.int64)
        has = deg > 0
        pick = np.where(has, pick, 0)
        safe = len(nbr) > 0
        j = np.where(has, nbr[pick] if safe else -1, -1)
        row = np.where(has, rows[pick] if safe else -1, -1)
        return j, row

    def to_networkx(self) -> nx.Graph:
        graph = nx.Graph()
        graph.add_nodes_from(range(self.n))
        graph.add_weighted_edges_from(
            zip(
                self.u[: self.m].tolist(),
                self.v[: self.m].tolist(),
                self.trust.tolist(),
                strict=True,
            ),
            weight="trust",
        )
        return graph


def prior_ties(
    sector: np.ndarray,
    mean_degree: float,
    cross_share: float,
    rng: np.random.Generator,
    community_size: int | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Ties of prior cooperation: mostly within sector, some across, and mostly local.

    A pool larger than ``community_size`` is split into local communities (towns, districts or
    thematic scenes), each with a proportional share of every sector. A share ``LOCAL_SHARE`` of
    ties stays inside a community, so prior cooperation stays as clustered in a large pool as in a
    small one; the rest bridges communities. Organisations are ordered by sector.
    """
    n = len(sector)
    k = max(1, math.ceil(n / community_size)) if community_size else 1
    if k == 1:
        return _sector_block_model(sector, mean_degree, cross_share, int(rng.integers(2**32)))
    community = communities(sector, k)
    seeds = rng.integers(2**32, size=k + 1).tolist()
    us, vs = [], []
    for c in range(k):
        idx = np.flatnonzero(community == c)  # still ordered by sector
        u, v = _sector_block_model(sector[idx], mean_degree * LOCAL_SHARE, cross_share, seeds[c])
        us.append(idx[u])
        vs.append(idx[v])
    # bridges: a block model over the whole pool, keeping the pairs that join two communities
    bridge_degree = mean_degree * (1 - LOCAL_SHARE) * k / (k - 1)
    u, v = _sector_block_model(sector, bridge_degree, cross_share, seeds[k])
    apart = community[u] != community[v]
    return np.concatenate([*us, u[apart]]), np.concatenate([*vs, v[apart]])


def communities(sector: np.ndarray, k: int) -> np.ndarray:
    """Community (0 .. k-1) of each organisation: each sector's members split evenly over k."""
    out = np.zeros(len(sector), dtype=np.int64)
    for s in np.unique(sector):
        idx = np.flatnonzero(sector == s)
        out[idx] = np.arange(len(idx)) * k // len(idx)
    return out


def _sector_block_model(
    sector: np.ndarray, mean_degree: float, cross_share: float, seed: int
) -> tuple[np.ndarray, np.ndarray]:
    """A stochastic block model with the sectors as blocks.

    The within and across probabilities are set so that the expected degree is ``mean_degree`` and
    a share ``cross_share`` of ties crosses sectors.
    """
    sizes = np.bincount(sector, minlength=4).astype(float)
    n = sizes.sum()
    within_pairs = float((sizes * (sizes - 1) / 2).sum())
    across_pairs = float(n * (n - 1) / 2 - within_pairs)
    edges = mean_degree * n / 2
    p_in = min(1.0, (1 - cross_share) * edges / within_pairs) if within_pairs else 0.0
    p_out = min(1.0, cross_share * edges / across_pairs) if across_pairs else 0.0
    # probabilities too small to matter would divide by log(1 - p) = 0
    p_in, p_out = (p if p > 1e-12 else 0.0 for p in (p_in, p_out))
    probs = [[p_in if a == b else p_out for b in range(4)] for a in range(4)]
    return block_model_pairs(sizes.astype(int).tolist(), probs, seed)


def block_model_pairs(
    sizes: list[int], probs: list[list[float]], seed: int
) -> tuple[np.ndarray, np.ndarray]:
    """The edges of ``networkx.stochastic_block_model(sizes, probs, seed=seed, sparse=True)``.

    The same draws from Python's ``random.Random(seed)`` give the same edges in the same order as
    ``graph.edges()``, but skipped pairs are jumped over by index instead of being iterated one by
    one (networkx walks all n^2 / 2 pairs, which dominates start-up at national scale).
    """
    draws = random.Random(seed)
    bounds = np.concatenate([[0], np.cumsum(sizes)]).tolist()
    # networkx's node order: each block's nodes as Python iterates set(range(...))
    parts = [np.array(list(set(range(lo, hi))), dtype=np.int64) for lo, hi in pairwise(bounds)]
    firsts, seconds = [], []
    for i, j in combinations_with_replacement(range(len(sizes)), 2):
        a, b = parts[i], parts[j]
        total = len(a) * (len(a) - 1) // 2 if i == j else len(a) * len(b)
        if probs[i][j] == 1:
            pos = np.arange(total)
        elif probs[i][j] > 0:
            pos = _geometric_positions(total, probs[i][j], draws)
        else:
            continue
        if i == j:  # position in itertools.combinations(a, 2) order
            starts = np.cumsum(np.arange(len(a) - 1, -1, -1)) - np.arange(len(a) - 1, -1, -1)
            x = np.searchsorted(starts, pos, side="right") - 1
            y = x + 1 + pos - starts[x]
        else:  # position in itertools.product(a, b) order
            x, y = np.divmod(pos, len(b))
        firsts.append(a[x])
        seconds.append(b[y])
    if not firsts:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    first, second = np.concatenate(firsts), np.concatenate(seconds)
    # graph.edges() lists each edge once, from the end added to the graph first, node by node,
    # and within a node in the order its edges were generated
    rank = np.empty(sum(sizes), dtype=np.int64)
    rank[np.concatenate(parts)] = np.arange(len(rank))
    swap = rank[second] < rank[first]
    u, v = np.where(swap, second, first), np.where(swap, first, second)
    order = np.argsort(rank[u], kind="stable")
    return u[order], v[order]


def _geometric_positions(total: int, p: float, draws: random.Random) -> np.ndarray:
    """Indices of the pairs that get an edge, by networkx's geometric skipping (same arithmetic)."""
    log_q = math.log(1 - p)
    found, pos = [], 0
    while True:
        pos += math.floor(math.log(draws.random()) / log_q)
        if pos >= total:
            return np.array(found, dtype=np.int64)
        found.append(pos)
        pos += 1
