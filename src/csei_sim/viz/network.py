"""The relationship network: nodes coloured by sector and marked by status, ties shaded by trust.

Node positions are computed once per model (after Reset) from the prior-cooperation ties and kept,
so organisations stay put while the cluster forms. For large pools only ties among members and
aware organisations are drawn, and at most ``MAX_EDGES`` of them (the strongest), which keeps a
redraw cheap with hundreds of organisations.
"""

from __future__ import annotations

import weakref

import networkx as nx
import numpy as np
import solara
from matplotlib.cm import ScalarMappable
from matplotlib.collections import LineCollection
from matplotlib.colors import LinearSegmentedColormap, Normalize
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from csei_sim.agents import SECTORS, Status
from csei_sim.model import CSEIModel
from csei_sim.viz.charts import SECTOR_COLOURS, SECTOR_LABELS, Chart

LARGE_NETWORK = 120  # above this many organisations, draw only ties among members and aware ones
MAX_EDGES = 800  # at most this many ties are drawn
RIM = 1.15  # nodes beyond this (in units of the 95th-percentile radius) are drawn on it
LAYOUT_SEED = 7  # the layout has its own fixed seed: it must not draw on the model's generator
TRUST_CMAP = LinearSegmentedColormap.from_list("trust", ["#e3e3e3", "#6b8fb8", "#08306b"])
# status -> (marker, size, filled, alpha, label)
STATUS_STYLE = {
    Status.MEMBER: ("o", 70, True, 1.0, "member"),
    Status.AWARE: ("o", 28, True, 0.55, "aware"),
    Status.OUTSIDER: ("o", 14, False, 0.6, "outsider"),
    Status.EXITED: ("x", 30, True, 0.9, "exited"),
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
    rows = np.arange(m)
    note = f"all {m} ties"
    if model.orgs.n > LARGE_NETWORK:
        active = np.isin(model.orgs.status, (Status.MEMBER, Status.AWARE))
        rows = rows[active[model.ties.u[:m]] & active[model.ties.v[:m]]]
        note = f"{len(rows)} of {m} ties (among members and aware organisations)"
    if len(rows) > MAX_EDGES:
        strongest = np.argpartition(model.ties.trust[rows], -MAX_EDGES)[-MAX_EDGES:]
        rows = np.sort(rows[strongest])
        note = f"the {MAX_EDGES} strongest of {m} ties"
    return rows, note


def draw_network(model: CSEIModel) -> Figure:
    """The network at the model's current step."""
    pos = layout(model)
    fig = Figure(figsize=(7.2, 5.4))
    ax = fig.add_axes((0.0, 0.0, 0.74, 0.94))
    rows, note = visible_ties(model)
    trust = model.ties.trust[rows]
    order = np.argsort(trust)  # strong ties on top
    segs = np.stack([pos[model.ties.u[rows]], pos[model.ties.v[rows]]], axis=1)[order]
    t = trust[order]
    colours = TRUST_CMAP(t)
    colours[:, 3] = 0.15 + 0.85 * t  # weak ties fade, strong ones stand out
    lines = LineCollection(segs, colors=colours, linewidths=0.2 + 1.8 * t**2, zorder=1)
    ax.add_collection(lines)
    _draw_nodes(ax, model, pos)
    ax.set_axis_off()
    ax.set_title(f"{model.date_of(model.steps)}: {note}", fontsize=9)
    ax.autoscale_view()
    cax = fig.add_axes((0.78, 0.08, 0.025, 0.3))
    scale = ScalarMappable(norm=Normalize(0.0, 1.0), cmap=TRUST_CMAP)
    fig.colorbar(scale, cax=cax).set_label("trust on a tie", fontsize=8)
    fig.legend(
        handles=_legend_handles(),
        loc="upper left",
        bbox_to_anchor=(0.75, 0.97),
        fontsize=8,
        frameon=False,
    )
    return fig


def _draw_nodes(ax, model: CSEIModel, pos: np.ndarray) -> None:
    status, sector = model.orgs.status, model.orgs.sector
    colours = np.array([SECTOR_COLOURS[s] for s in SECTORS])[sector]
    for st, (marker, size, filled, alpha, _label) in STATUS_STYLE.items():
        idx = np.flatnonzero(status == st)
        if not len(idx):
            continue
        face = colours[idx] if filled else "none"
        edge = "black" if st == Status.MEMBER else colours[idx]
        kw = {"edgecolors": edge} if marker != "x" else {}
        ax.scatter(
            pos[idx, 0],
            pos[idx, 1],
            s=size,
            marker=marker,
            c=face if marker != "x" else colours[idx],
            alpha=alpha,
            linewidths=0.8,
            zorder=3 + int(st == 2),
            **kw,
        )


def _legend_handles() -> list[Line2D]:
    handles = [
        Line2D(
            [],
            [],
            marker="o",
            linestyle="",
            color=SECTOR_COLOURS[s],
            markersize=7,
            label=SECTOR_LABELS[s],
        )
        for s in SECTORS
    ]
    for marker, size, filled, _alpha, label in STATUS_STYLE.values():
        handles.append(
            Line2D(
                [],
                [],
                marker=marker,
                linestyle="",
                color="#555",
                markerfacecolor="#555" if filled else "none",
                markeredgecolor="black" if label == "member" else "#555",
                markersize=np.sqrt(size),
                label=label,
            )
        )
    return handles


@solara.component
def NetworkPanel(model: CSEIModel):
    """The network figure; its layout is cached per model."""
    return Chart(draw_network, model)
