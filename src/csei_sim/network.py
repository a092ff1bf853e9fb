"""The relationship network: undirected weighted ties with pairwise trust in [0, 1].

Ties are kept as flat arrays (one row per tie). Pair look-ups go through sorted key arrays and the
neighbours of each organisation through a CSR adjacency, both kept in two parts: a large part
merged rarely and a small part holding the ties added since, so adding k ties costs O(k log k)
and a month's passes over the ties that touch a few members cost O(those ties), not O(all ties).
"""

from __future__ import annotations

import math
from itertools import combinations_with_replacement, pairwise
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    import networkx as nx

LOCAL_SHARE = 0.85  # share of prior ties inside an organisation's local community (assumption)
_EMPTY = np.zeros(0, dtype=np.int64)
# below this many recent entries (or an eighth of the merged ones) the recent part stays apart
_MERGE_MIN = 4096
# a sum over the ties of some nodes is done over all ties when they touch more than this share
_DENSE_SHARE = 0.25


def _merge_due(recent: int, merged: int) -> bool:
    return recent > max(_MERGE_MIN, merged // 8)


class _PairIndex:
    """Pair key -> tie row, as sorted arrays (a merged part and a small recent part)."""

    def __init__(self) -> None:
        self._keys = [_EMPTY, _EMPTY]
        self._rows = [_EMPTY, _EMPTY]

    def get(self, keys: np.ndarray) -> np.ndarray:
        """Rows of these keys, -1 where there is none."""
        out = np.full(len(keys), -1, dtype=np.int64)
        for stored, rows in zip(self._keys, self._rows, strict=True):
            if not len(stored) or not len(keys):
                continue
            at = np.minimum(np.searchsorted(stored, keys), len(stored) - 1)
            hit = stored[at] == keys
            out[hit] = rows[at[hit]]
        return out

    def get_one(self, key: int) -> int:
        for stored, rows in zip(self._keys, self._rows, strict=True):
            at = int(np.searchsorted(stored, key))
            if at < len(stored) and stored[at] == key:
                return int(rows[at])
        return -1

    def insert(self, keys: np.ndarray, rows: np.ndarray) -> None:
        """Add keys that are sorted, unique and not stored yet."""
        level = 1 if not _merge_due(len(self._keys[1]) + len(keys), len(self._keys[0])) else 0
        if level == 0 and len(self._keys[1]):  # fold the recent part in first
            recent_keys, recent_rows = self._keys[1], self._rows[1]
            self._keys[1] = self._rows[1] = _EMPTY
            self._put(0, recent_keys, recent_rows)
        self._put(level, keys, rows)

    def _put(self, level: int, keys: np.ndarray, rows: np.ndarray) -> None:
        at = np.searchsorted(self._keys[level], keys)
        self._keys[level] = _insert_sorted(self._keys[level], at, keys)
        self._rows[level] = _insert_sorted(self._rows[level], at, rows)


class TieNetwork:
    """Undirected ties, each stored once with ``u < v``."""

    def __init__(self, n: int, capacity: int = 64):
        self.n = n
        self.m = 0
        self.u = np.zeros(capacity, dtype=np.int64)
        self.v = np.zeros(capacity, dtype=np.int64)
        self._trust = np.zeros(capacity)
        self._last = np.zeros(capacity, dtype=np.int64)  # step of last contact
        self._index = _PairIndex()  # pair key u * n + v -> row
        # Adjacency over both directions as CSR over the keys 2 * node + side (side 0: the node is
        # the tie's u, 1: its v), each key's entries in row order. Rows below _base_m are in the
        # merged part (_ptr, _nbr, _row); rows _base_m .. _rec_m in the recent part, kept as
        # sorted keys (_rec_key) with neighbours and rows.
        self._base_m = 0
        self._ptr = np.zeros(2 * n + 1, dtype=np.int64)
        self._nbr = _EMPTY
        self._row = _EMPTY
        self._rec_m = 0
        self._rec_key = self._rec_nbr = self._rec_row = _EMPTY

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
        rows = self._index.get(keys)
        at = np.flatnonzero((rows < 0) & (lo != hi))
        if len(at):
            new_keys, first, inverse = _unique(keys[at])
            if len(new_keys) == len(at):  # all distinct: first is a permutation of 0 .. k-1
                new_rows = self.m + first
            else:
                new_rows = np.empty(len(new_keys), dtype=np.int64)
                new_rows[np.argsort(first)] = self.m + np.arange(len(new_keys))
            if self.m + len(new_keys) > len(self.u):
                self._grow(self.m + len(new_keys))
            src = at[first]
            self.u[new_rows], self.v[new_rows] = lo[src], hi[src]
            self._trust[new_rows], self._last[new_rows] = trust[src], step
            rows[at] = new_rows[inverse.ravel()]
            self._index.insert(new_keys, new_rows)
            self.m += len(new_keys)
        return rows

    def rows_of(self, us: np.ndarray, vs: np.ndarray) -> np.ndarray:
        """Rows of the ties between ``us[i]`` and ``vs[i]``, -1 where there is none."""
        lo, hi = np.minimum(us, vs).astype(np.int64), np.maximum(us, vs).astype(np.int64)
        return self._index.get(lo * self.n + hi)

    def find(self, a: int, b: int) -> int:
        """Row of the tie between ``a`` and ``b``, or -1."""
        if a == b:
            return -1
        return self._index.get_one(min(a, b) * self.n + max(a, b))

    # -- per-step passes --------------------------------------------------------------------------
    def touch(self, rows: np.ndarray, step: int) -> None:
        rows = rows[rows >= 0]
        self._last[rows] = step

    def decay(self, step: int, rate: float) -> None:
        """Trust fades on ties without contact this month (Klos & Nooteboom 2001)."""
        trust = self.trust
        np.multiply(trust, 1.0 - rate, out=trust, where=self.last_contact < step)

    def trusted_share_in(self, inside: np.ndarray) -> np.ndarray:
        """Per organisation: trust-weighted share of its contacts that are inside (e.g. members)."""
        rows = self._rows_touching(np.flatnonzero(inside))
        if rows is None:
            num, den = self._full_sums(inside), self._full_sums(np.ones(self.n))
            return np.divide(num, den, out=np.zeros(self.n), where=den > 0)
        nodes, num = self._member_sums(inside, rows)
        # the share is 0 wherever num is: the weighted degree is needed only where num is not
        nodes, num = nodes[num != 0], num[num != 0]
        rows = self._rows_touching(nodes)
        if rows is None:
            den = self._full_sums(np.ones(self.n))[nodes]
        else:
            u, v, w = self.u[rows], self.v[rows], self._trust[rows]
            den = _sums(nodes, u, w) + _sums(nodes, v, w)
        out = np.zeros(self.n)
        out[nodes] = np.divide(num, den, out=np.zeros(len(num)), where=den > 0)
        return out

    def trust_to(self, inside: np.ndarray) -> np.ndarray:
        """Per organisation: summed trust on ties to organisations inside.

        Summed over the ties that touch an organisation inside, in row order: the other ties add
        only zeros, so the sums equal those of ``np.bincount`` over every tie bit for bit.
        """
        rows = self._rows_touching(np.flatnonzero(inside))
        if rows is None:
            return self._full_sums(inside)
        nodes, total = self._member_sums(inside, rows)
        out = np.zeros(self.n)
        out[nodes] = total
        return out

    def mean_trust_to(self, inside: np.ndarray) -> np.ndarray:
        """Per organisation: mean trust on its ties to organisations inside (0 without any).

        Summed over the ties that touch an organisation inside, as :meth:`trust_to` is: equal bit
        for bit to ``np.bincount`` over every tie, whose other terms are zeros.
        """
        rows = self._rows_touching(np.flatnonzero(inside))
        if rows is None:
            u, v, w = self.u[: self.m], self.v[: self.m], self.trust
            total = np.bincount(u, w * inside[v], self.n) + np.bincount(v, w * inside[u], self.n)
            count = np.bincount(u, inside[v], self.n) + np.bincount(v, inside[u], self.n)
            return np.divide(total, count, out=np.zeros(self.n), where=count > 0)
        nodes, total = self._member_sums(inside, rows)
        u, v = self.u[rows], self.v[rows]
        count = _sums(nodes, u, inside[v]) + _sums(nodes, v, inside[u])
        out = np.zeros(self.n)
        out[nodes] = np.divide(total, count, out=np.zeros(len(nodes)), where=count > 0)
        return out

    def _full_sums(self, inside: np.ndarray) -> np.ndarray:
        """Per organisation, trust times ``inside`` of the other end, over every tie."""
        u, v, w = self.u[: self.m], self.v[: self.m], self.trust
        return np.bincount(u, w * inside[v], self.n) + np.bincount(v, w * inside[u], self.n)

    def _member_sums(self, inside: np.ndarray, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """:meth:`trust_to` at the ends of ``rows`` (ascending), from those ties alone."""
        u, v, w = self.u[rows], self.v[rows], self._trust[rows]
        nodes = np.unique(np.concatenate([u, v]))
        return nodes, _sums(nodes, u, w * inside[v]) + _sums(nodes, v, w * inside[u])

    def mean_trust_within(self, inside: np.ndarray) -> float:
        """Mean trust on ties whose both ends are inside; 0 where there are none."""
        rows = self._rows_touching(np.flatnonzero(inside))
        rows = np.arange(self.m) if rows is None else rows
        rows = rows[inside[self.u[rows]] & inside[self.v[rows]]]
        return float(self._trust[rows].mean()) if len(rows) else 0.0

    def degree(self) -> np.ndarray:
        return np.bincount(self.u[: self.m], minlength=self.n) + np.bincount(
            self.v[: self.m], minlength=self.n
        )

    def rows_touching(self, inside: np.ndarray) -> np.ndarray:
        """Rows of the ties with an end inside, ascending."""
        rows = self._rows_touching(np.flatnonzero(inside))
        if rows is None:
            return np.flatnonzero(inside[self.u[: self.m]] | inside[self.v[: self.m]])
        return rows

    def _rows_touching(self, nodes: np.ndarray) -> np.ndarray | None:
        """Rows of the ties with an end among ``nodes``, ascending; None where they are so many
        that a pass over every tie is cheaper."""
        if not len(nodes) or not self.m:
            return _EMPTY
        if len(nodes) > _DENSE_SHARE * self.n:
            return None
        self._sync()
        ptr = self._ptr
        start, end = ptr[2 * nodes], ptr[2 * nodes + 2]
        if (end - start).sum() + self.m - self._base_m > _DENSE_SHARE * 2 * self.m:
            return None
        found = self._row[_segments(start, end)]
        rec = np.arange(self._base_m, self.m)
        near = np.zeros(self.n, dtype=bool)
        near[nodes] = True
        rec = rec[near[self.u[rec]] | near[self.v[rec]]]
        return np.unique(np.concatenate([found, rec]))

    # -- neighbour sampling ------------------------------------------------------------------------
    def _sync(self) -> None:
        """Bring the adjacency up to the current ties (the recent part, merged when large)."""
        if self._rec_m == self.m:
            return
        if _merge_due(self.m - self._base_m, self._base_m):
            self._merge()
            return
        self._rec_key, self._rec_nbr, self._rec_row = self._unmerged_entries()
        self._rec_m = self.m

    def _unmerged_entries(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Adjacency entries (key, neighbour, row) of the ties not merged yet, sorted by key."""
        rows = np.arange(self._base_m, self.m)
        u, v = self.u[rows], self.v[rows]
        key = np.concatenate([2 * u, 2 * v + 1])
        order = np.argsort(key, kind="stable")  # within a key, rows stay ascending
        return key[order], np.concatenate([v, u])[order], np.concatenate([rows, rows])[order]

    def _merge(self) -> None:
        """Merge every tie not in the merged part into it (new rows last within their key)."""
        key, nbr, row = self._unmerged_entries()
        at = self._ptr[key + 1]  # after the entries the key has already
        self._nbr = _insert_sorted(self._nbr, at, nbr)
        self._row = _insert_sorted(self._row, at, row)
        self._ptr[1:] += np.cumsum(np.bincount(key, minlength=2 * self.n))
        self._base_m = self._rec_m = self.m
        self._rec_key = self._rec_nbr = self._rec_row = _EMPTY

    def _adjacency(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """CSR over both directions: (indptr, neighbour, row).

        A node's neighbours are listed first through the ties where it is ``u``, then where it is
        ``v``, each in row order.
        """
        if self._base_m < self.m:
            self._merge()
        return self._ptr[::2].copy(), self._nbr, self._row

    def random_neighbour(self, nodes: np.ndarray, rng: np.random.Generator):
        """One uniformly drawn neighbour per node and its tie row; -1 where a node has none.

        The k-th neighbour is the one at place k in the order of :meth:`_adjacency`: the merged
        and the recent entries where the node is ``u``, then those where it is ``v``.
        """
        self._sync()
        nodes = np.asarray(nodes, dtype=np.int64)
        ptr, rec = self._ptr, self._rec_key
        b0, b1, b2 = ptr[2 * nodes], ptr[2 * nodes + 1], ptr[2 * nodes + 2]
        r0, r1, r2 = (np.searchsorted(rec, 2 * nodes + s) for s in range(3))
        bu, du, bv = b1 - b0, r1 - r0, b2 - b1
        deg = bu + du + bv + (r2 - r1)
        pick = (rng.random(len(nodes)) * np.maximum(deg, 1)).astype(np.int64)
        has = deg > 0
        in_base = has & ((pick < bu) | ((pick >= bu + du) & (pick < bu + du + bv)))
        at_base = np.where(pick < bu, b0 + pick, b1 + pick - bu - du)
        at_rec = np.where(pick < bu + du, r0 + pick - bu, r1 + pick - bu - du - bv)
        in_rec = has & ~in_base
        j = np.full(len(nodes), -1, dtype=np.int64)
        row = np.full(len(nodes), -1, dtype=np.int64)
        j[in_base], row[in_base] = self._nbr[at_base[in_base]], self._row[at_base[in_base]]
        j[in_rec], row[in_rec] = self._rec_nbr[at_rec[in_rec]], self._rec_row[at_rec[in_rec]]
        return j, row

    def to_networkx(self) -> nx.Graph:
        import networkx as nx

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


def _unique(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``np.unique(keys, return_index=True, return_inverse=True)``; one sort where all differ
    (prior ties at a million organisations), np.unique's second pass only where some repeat."""
    order = np.argsort(keys, kind="stable")
    ordered = keys[order]
    if np.any(ordered[1:] == ordered[:-1]):
        return np.unique(keys, return_index=True, return_inverse=True)
    inverse = np.empty(len(keys), dtype=np.int64)
    inverse[order] = np.arange(len(keys))
    return ordered, order, inverse


def _insert_sorted(old: np.ndarray, at: np.ndarray, values: np.ndarray) -> np.ndarray:
    """``np.insert(old, at, values)`` for ascending ``at``, without np.insert's sort of ``at``."""
    out = np.empty(len(old) + len(values), dtype=old.dtype)
    new = at + np.arange(len(at))
    keep = np.ones(len(out), dtype=bool)
    keep[new] = False
    out[new] = values
    out[keep] = old
    return out


def _sums(nodes: np.ndarray, at: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """``np.bincount(at, weights)[nodes]`` for ascending ``nodes``, summed in the same order."""
    if not len(nodes):
        return np.zeros(0)
    where = np.minimum(np.searchsorted(nodes, at), len(nodes) - 1)
    keep = nodes[where] == at
    return np.bincount(where[keep], weights[keep], len(nodes))


def _segments(start: np.ndarray, end: np.ndarray) -> np.ndarray:
    """The indices start[0] .. end[0] - 1, start[1] .. end[1] - 1, ... as one array."""
    lens = end - start
    offsets = np.cumsum(lens) - lens
    return np.arange(lens.sum()) + np.repeat(start - offsets, lens)


# -- prior ties -----------------------------------------------------------------------------------
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

    Each community's ties are its own block model with its own seed; communities of the same
    sector mix are drawn together, so a pool of a million costs a few numpy passes, not a pass
    per community.
    """
    n = len(sector)
    k = max(1, math.ceil(n / community_size)) if community_size else 1
    if k == 1:
        return _sector_block_model(sector, mean_degree, cross_share, int(rng.integers(2**32)))
    community = communities(sector, k)
    seeds = rng.integers(2**32, size=k + 1)
    members = np.argsort(community, kind="stable")  # each community's organisations, ascending
    first = np.concatenate([[0], np.cumsum(np.bincount(community, minlength=k))])
    mix = np.bincount(community * 4 + sector, minlength=4 * k).reshape(k, 4)
    kinds, kind_of = np.unique(mix, axis=0, return_inverse=True)
    found_c, found_u, found_v = [], [], []
    for kind, sizes in enumerate(kinds.tolist()):
        group = np.flatnonzero(kind_of.ravel() == kind)
        probs = _block_probs(sizes, mean_degree * LOCAL_SHARE, cross_share)
        stream, u, v = _block_models(sizes, probs, seeds[group])
        found_c.append(group[stream])
        found_u.append(u)
        found_v.append(v)
    c = np.concatenate(found_c)
    order = np.argsort(c, kind="stable")  # communities in turn, each in its own edge order
    c = c[order]
    u = members[first[c] + np.concatenate(found_u)[order]]
    v = members[first[c] + np.concatenate(found_v)[order]]
    # bridges: a block model over the whole pool, keeping the pairs that join two communities
    bridge_degree = mean_degree * (1 - LOCAL_SHARE) * k / (k - 1)
    bu, bv = _sector_block_model(sector, bridge_degree, cross_share, int(seeds[k]))
    apart = community[bu] != community[bv]
    return np.concatenate([u, bu[apart]]), np.concatenate([v, bv[apart]])


def communities(sector: np.ndarray, k: int) -> np.ndarray:
    """Community (0 .. k-1) of each organisation: each sector's members split evenly over k."""
    out = np.zeros(len(sector), dtype=np.int64)
    for s in np.unique(sector):
        idx = np.flatnonzero(sector == s)
        out[idx] = np.arange(len(idx)) * k // len(idx)
    return out


def _block_probs(sizes: list[int], mean_degree: float, cross_share: float) -> list[list[float]]:
    """Within and across probabilities for an expected degree ``mean_degree`` and a share
    ``cross_share`` of ties across sectors."""
    sizes_f = np.array(sizes, dtype=float)
    n = sizes_f.sum()
    within_pairs = float((sizes_f * (sizes_f - 1) / 2).sum())
    across_pairs = float(n * (n - 1) / 2 - within_pairs)
    edges = mean_degree * n / 2
    p_in = min(1.0, (1 - cross_share) * edges / within_pairs) if within_pairs else 0.0
    p_out = min(1.0, cross_share * edges / across_pairs) if across_pairs else 0.0
    # probabilities too small to matter would divide by log(1 - p) = 0
    p_in, p_out = (p if p > 1e-12 else 0.0 for p in (p_in, p_out))
    return [[p_in if a == b else p_out for b in range(len(sizes))] for a in range(len(sizes))]


def _sector_block_model(
    sector: np.ndarray, mean_degree: float, cross_share: float, seed: int
) -> tuple[np.ndarray, np.ndarray]:
    """A stochastic block model with the sectors as blocks.

    The within and across probabilities are set so that the expected degree is ``mean_degree`` and
    a share ``cross_share`` of ties crosses sectors.
    """
    sizes = np.bincount(sector, minlength=4).tolist()
    return block_model_pairs(sizes, _block_probs(sizes, mean_degree, cross_share), seed)


def block_model_pairs(
    sizes: list[int], probs: list[list[float]], seed: int
) -> tuple[np.ndarray, np.ndarray]:
    """The edges of ``networkx.stochastic_block_model(sizes, probs, seed=seed, sparse=True)``.

    The same draws from Python's ``random.Random(seed)`` give the same edges in the same order as
    ``graph.edges()``, but skipped pairs are jumped over by index instead of being iterated one by
    one (networkx walks all n^2 / 2 pairs, which dominates start-up at national scale).
    """
    _, u, v = _block_models([int(s) for s in sizes], probs, np.array([seed]))
    return u, v


def _block_models(
    sizes: list[int], probs: list[list[float]], seeds: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """:func:`block_model_pairs` for many seeds at once: (seed's index, u, v), seed by seed."""
    blocks = list(combinations_with_replacement(range(len(sizes)), 2))
    totals = [sizes[i] * (sizes[i] - 1) // 2 if i == j else sizes[i] * sizes[j] for i, j in blocks]
    drawn = [t * probs[i][j] + 1 for t, (i, j) in zip(totals, blocks, strict=True)]
    need = sum(d for d, (i, j) in zip(drawn, blocks, strict=True) if 0 < probs[i][j] < 1)
    length = int(need + 8 * math.sqrt(need) + 32)
    chunk = max(1, 2**22 // length)  # streams at a time: a few tens of MiB of draws
    parts = [
        _block_chunk(sizes, probs, blocks, totals, seeds[at : at + chunk], length, at)
        for at in range(0, len(seeds), chunk)
    ]
    return tuple(np.concatenate(x) for x in zip(*parts, strict=True))  # type: ignore[return-value]


def _block_chunk(sizes, probs, blocks, totals, seeds, length, first_stream):
    """The edges of a few streams; ``length`` draws each, doubled until every stream has enough."""
    while True:
        try:
            stream, u, v = _block_draws(sizes, probs, blocks, totals, seeds, length)
            return stream + first_stream, u, v
        except _ShortOfDraws:
            length *= 2


class _ShortOfDraws(Exception):
    """A stream needed more uniform draws than were made for it."""


def _python_draws(seeds: np.ndarray, length: int) -> np.ndarray:
    """The first ``length`` values of ``random.Random(seed).random()`` for each seed.

    Python seeds its Mersenne Twister with ``init_by_array`` over the seed's 32-bit words and
    makes a double from two outputs exactly as numpy's legacy ``RandomState`` does.
    """
    out = np.empty((len(seeds), length))
    state = np.random.RandomState(0)
    for at, seed in enumerate(seeds.tolist()):
        seed = abs(int(seed))
        words = max(1, (seed.bit_length() + 31) // 32)
        # a list: numpy would take a one-element array as an integer seed (another seeding)
        state.seed([(seed >> (32 * w)) & 0xFFFFFFFF for w in range(words)])
        out[at] = state.random_sample(length)
    return out


def _skips(logs: np.ndarray, draws: np.ndarray, log_q: float, cap: int) -> np.ndarray:
    """``floor(log(draw) / log_q)`` as Python's math computes it, capped at ``cap``.

    numpy's log may differ from the C library's in the last bit; a quotient that close to a whole
    number is recomputed with ``math.log``.
    """
    quotient = logs / log_q
    whole = np.floor(quotient)
    frac = quotient - whole
    tol = 1e-12 * np.maximum(1.0, quotient)
    for at in np.flatnonzero((frac < tol) | (frac > 1.0 - tol)):
        r = float(draws.flat[at])
        whole.flat[at] = math.floor(math.log(r) / log_q) if r > 0 else math.inf
    return np.minimum(whole, cap).astype(np.int64)


def _geometric(logs, draws, offset, log_q: float, total: int, expected: float):
    """Per stream, the pair indices its draws from ``offset`` on land on below ``total``.

    Returns (positions stream by stream, edges per stream). Only a window of columns a little
    wider than the expected count is looked at, unless a stream needs more.
    """
    length = draws.shape[1]
    lo = int(offset.min())
    end = min(length, int(offset.max() + expected + 8 * math.sqrt(expected) + 17))
    while True:
        active = np.arange(lo, end) >= offset[:, None]
        skips = _skips(logs[:, lo:end], draws[:, lo:end], log_q, total)
        at = np.cumsum(np.where(active, skips + 1, 0), axis=1) - 1  # pair index of each draw
        hit = active & (at < total)
        edges = hit.sum(axis=1)
        if np.all(offset + edges < end):  # every stream has the draw that ends the block
            return at[hit], edges
        if end == length:
            raise _ShortOfDraws
        end = length


def _block_draws(sizes, probs, blocks, totals, seeds, length):
    """Geometric skipping as networkx does it, for every stream and block pair in numpy."""
    draws = _python_draws(seeds, length)
    with np.errstate(divide="ignore"):  # a draw of 0.0 ends its block (log = -inf)
        logs = np.log(draws)
    count = len(seeds)
    offset = np.zeros(count, dtype=np.int64)  # each stream's next unused draw
    bounds = np.concatenate([[0], np.cumsum(sizes)]).tolist()
    # networkx's node order: each block's nodes as Python iterates set(range(...))
    parts = [np.array(list(set(range(lo, hi))), dtype=np.int64) for lo, hi in pairwise(bounds)]
    found = []
    for (i, j), total in zip(blocks, totals, strict=True):
        p = probs[i][j]
        if p == 1:
            pos = np.tile(np.arange(total), count)
            stream = np.repeat(np.arange(count), total)
        elif p > 0:
            pos, edges = _geometric(logs, draws, offset, math.log(1 - p), total, total * p)
            stream = np.repeat(np.arange(count), edges)
            offset += edges + 1
        else:
            continue
        a, b = parts[i], parts[j]
        if i == j:  # position in itertools.combinations(a, 2) order
            starts = np.cumsum(np.arange(len(a) - 1, -1, -1)) - np.arange(len(a) - 1, -1, -1)
            x = np.searchsorted(starts, pos, side="right") - 1
            y = x + 1 + pos - starts[x]
        else:  # position in itertools.product(a, b) order
            x, y = np.divmod(pos, len(b))
        found.append((stream, a[x], b[y]))
    if not found:
        return _EMPTY, _EMPTY, _EMPTY
    stream, first, second = (np.concatenate(x) for x in zip(*found, strict=True))
    # graph.edges() lists each edge once, from the end added to the graph first, node by node,
    # and within a node in the order its edges were generated
    rank = np.empty(sum(sizes), dtype=np.int64)
    rank[np.concatenate(parts)] = np.arange(len(rank))
    swap = rank[second] < rank[first]
    u, v = np.where(swap, second, first), np.where(swap, first, second)
    order = np.argsort(stream * len(rank) + rank[u], kind="stable")
    return stream[order], u[order], v[order]
