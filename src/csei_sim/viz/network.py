"""The relationship network: nodes coloured by sector and marked by status, ties shaded by trust.

Node positions are computed once per model (after Reset) from the prior-cooperation ties and kept,
so organisations stay put while the cluster forms. Ties of exited organisations are not drawn; for
large pools only ties among members and aware organisations are, and at most ``MAX_EDGES`` of them
(the strongest), which keeps the picture readable and an update small. Hovering a node names the
organisation, its sector, status and the mean trust on its ties.
"""

from __future__ import annotations

import weakref

import networkx as nx
import numpy as np
import plotly.graph_objects as go
import solara

from csei_sim.agents import SECTORS, Status
from csei_sim.model import CSEIModel
from csei_sim.viz.charts import (
    SECTOR_COLOURS,
    SECTOR_LABELS,
    LiveFigure,
    Update,
    base_layout,
)

LARGE_NETWORK = 120  # above this many organisations, draw only ties among members and aware ones
MAX_EDGES = 600  # at most this many ties are drawn (more is a hairball nobody can read)
RIM = 1.15  # nodes beyond this (in units of the 95th-percentile radius) are drawn on it
LAYOUT_SEED = 7  # the layout has its own fixed seed: it must not draw on the model's generator
# ties in three bands of trust: (upper bound, colour, width)
TIE_BANDS = (
    (1 / 3, "rgba(160,160,160,0.35)", 0.6, "weak ties (trust < 0.33)"),
    (2 / 3, "rgba(107,143,184,0.6)", 1.2, "medium ties"),
    (1.01, "rgba(8,48,107,0.9)", 2.2, "strong ties (trust > 0.67)"),
)
# status -> (Plotly marker symbol, size, label)
STATUS_STYLE = {
    Status.MEMBER: ("circle", 15, "member"),
    Status.AWARE: ("circle", 9, "aware"),
    Status.OUTSIDER: ("circle-open", 7, "outsider"),
    Status.EXITED: ("x-thin-open", 9, "exited"),
}

_LAYOUTS: weakref.WeakKeyDictionary[CSEIModel, np.ndarray] = weakref.WeakKeyDictionary()


def layout(model: CSEIModel) -> np.ndarray:
    """Positions (n x 2), computed on first use for this model and reused on every redraw."""
    pos = _LAYOUTS.get(model)
    if pos is None:
        pos = _compute_layout(model)
        _LAYOUTS[model] = pos
    return pos


def _compute_layout(model: CSEIModel) -> np.ndarray:
    n, sector = model.orgs.n, model.orgs.sector
    graph = nx.Graph()
    graph.add_nodes_from(range(n))
    m = model.ties.m
    graph.add_edges_from(zip(model.ties.u[:m].tolist(), model.ties.v[:m].tolist(), strict=True))
    # start each sector in its own quarter, so sectors stay recognisable after the spring pulls
    rng = np.random.default_rng(LAYOUT_SEED)
    angle = sector * (np.pi / 2) + np.pi / 4
    start = np.c_[np.cos(angle), np.sin(angle)] + rng.normal(0, 0.35, (n, 2))
    pos = nx.spring_layout(
        graph,
        pos=dict(enumerate(start)),
        iterations=40,
        seed=LAYOUT_SEED,
        k=1.6 / np.sqrt(max(n, 1)),
    )
    return _fit(np.array([pos[i] for i in range(n)]))


def _fit(pos: np.ndarray) -> np.ndarray:
    """Centre and scale so most nodes fill the frame; far-flung loners are pulled to its rim."""
    if not len(pos):
        return pos
    pos = pos - np.median(pos, axis=0)
    radius = np.linalg.norm(pos, axis=1)
    scale = np.quantile(radius, 0.95) or 1.0
    pos = pos / scale
    radius = radius / scale
    far = radius > RIM
    pos[far] *= (RIM / radius[far])[:, None]
    return pos


def visible_ties(model: CSEIModel) -> tuple[np.ndarray, str]:
    """Rows of the ties to draw, and a note saying what was left out."""
    m = model.ties.m
    u, v = model.ties.u[:m], model.ties.v[:m]
    status = model.orgs.status
    if model.orgs.n > LARGE_NETWORK:
        shown = np.isin(status, (Status.MEMBER.value, Status.AWARE.value))
        what = "among members and aware organisations"
    else:
        shown = status != Status.EXITED.value
        what = "exited organisations' ties left out"
    rows = np.flatnonzero(shown[u] & shown[v])
    note = f"{len(rows)} of {m} ties ({what})" if len(rows) < m else f"all {m} ties"
    if len(rows) > MAX_EDGES:
        strongest = np.argpartition(model.ties.trust[rows], -MAX_EDGES)[-MAX_EDGES:]
        rows = np.sort(rows[strongest])
        note = f"the {MAX_EDGES} strongest of {m} ties ({what})"
    return rows, note


def mean_tie_trust(model: CSEIModel) -> tuple[np.ndarray, np.ndarray]:
    """Per organisation: the number of its ties and the mean trust on them (0 without ties)."""
    m, n = model.ties.m, model.orgs.n
    ends = np.r_[model.ties.u[:m], model.ties.v[:m]]
    trust = np.r_[model.ties.trust[:m], model.ties.trust[:m]]
    degree = np.bincount(ends, minlength=n)
    total = np.bincount(ends, weights=trust, minlength=n)
    return degree, np.divide(total, degree, out=np.zeros(n), where=degree > 0)


def _segments(pos: np.ndarray, u: np.ndarray, v: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """x and y of line segments u-v for one trace, separated by gaps (NaN)."""
    k = len(u)
    xs, ys = np.full(3 * k, np.nan), np.full(3 * k, np.nan)
    xs[0::3], xs[1::3] = pos[u, 0], pos[v, 0]
    ys[0::3], ys[1::3] = pos[u, 1], pos[v, 1]
    return xs, ys


def build_network(model: CSEIModel) -> go.Figure:
    """Three tie traces (weak, medium, strong) under one node trace per sector."""
    fig = go.Figure()
    for _hi, colour, width, label in TIE_BANDS:
        fig.add_trace(
            go.Scatter(
                name=label,
                mode="lines",
                line={"color": colour, "width": width},
                hoverinfo="skip",
                legendgroup="ties",
            )
        )
    for s in SECTORS:
        fig.add_trace(
            go.Scatter(
                name=SECTOR_LABELS[s],
                mode="markers",
                marker={"color": SECTOR_COLOURS[s], "line": {"color": "black", "width": 0}},
                hovertemplate="%{hovertext}<extra></extra>",
            )
        )
    hidden = {"visible": False, "showgrid": False, "zeroline": False}
    layout = base_layout("Relationship network", height=520)
    layout["hovermode"] = "closest"
    layout["margin"] = {"l": 10, "r": 10, "t": 48, "b": 10}
    fig.update_layout(**layout, xaxis=hidden, yaxis={**hidden, "scaleanchor": "x"})
    return fig


def _hover(model: CSEIModel, idx: np.ndarray, degree, trust) -> list[str]:
    sector = np.asarray(SECTORS)[model.orgs.sector[idx]]
    labels = {st.value: style[2] for st, style in STATUS_STYLE.items()}
    status = model.orgs.status[idx]
    return [
        f"organisation #{i}<br>{SECTOR_LABELS[s]}, {labels[int(st)]}<br>"
        f"trust {t:.2f} (mean over {d} ties)"
        for i, s, st, t, d in zip(
            idx.tolist(), sector, status.tolist(), trust[idx], degree[idx], strict=True
        )
    ]


def update_network(model: CSEIModel) -> Update:
    pos = layout(model)
    rows, note = visible_ties(model)
    u, v, trust = model.ties.u[rows], model.ties.v[rows], model.ties.trust[rows]
    data = []
    lo = 0.0
    for hi, *_style in TIE_BANDS:
        band = (trust >= lo) & (trust < hi)
        xs, ys = _segments(pos, u[band], v[band])
        data.append({"x": xs, "y": ys})
        lo = hi
    degree, mean_trust = mean_tie_trust(model)
    symbols = np.array([style[0] for style in STATUS_STYLE.values()], dtype=object)
    sizes = np.array([style[1] for style in STATUS_STYLE.values()])
    order = {st.value: k for k, st in enumerate(STATUS_STYLE)}
    code = np.vectorize(order.get)(model.orgs.status) if model.orgs.n else np.zeros(0, int)
    member = model.orgs.status == Status.MEMBER.value
    for k, _s in enumerate(SECTORS):
        idx = np.flatnonzero(model.orgs.sector == k)
        data.append(
            {
                "x": pos[idx, 0],
                "y": pos[idx, 1],
                "hovertext": _hover(model, idx, degree, mean_trust),
                "marker.symbol": symbols[code[idx]].tolist(),
                "marker.size": sizes[code[idx]],
                "marker.line.width": np.where(member[idx], 1.5, 0.0),
            }
        )
    return {"data": data, "layout": {"title.text": f"{model.date_of(model.steps)}: {note}"}}


@solara.component
def NetworkPanel(model: CSEIModel, step: int = 0):
    """The network figure; its layout is cached per model."""
    return LiveFigure(build_network, update_network, model, step)
