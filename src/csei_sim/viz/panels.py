"""Panels of the running model: members by sector, trust and consensus, budget, radar, event log."""

from __future__ import annotations

import numpy as np
import pandas as pd
import solara
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator
from mesa.visualization.utils import update_counter

from csei_sim.agents import SECTORS
from csei_sim.funding import INCOME_SOURCES
from csei_sim.ledger import SPENDING_PURPOSES
from csei_sim.metrics import RADAR
from csei_sim.model import CSEIModel
from csei_sim.viz.charts import (
    SECTOR_COLOURS,
    SECTOR_LABELS,
    Chart,
    date_axis,
    dates,
    html_table,
    timeseries,
)
from csei_sim.viz.explorer_model import model_lock

SIZE = (6.4, 3.6)
# fixed margins: a constrained layout measures every label again on each redraw
MARGINS = {"left": 0.11, "right": 0.98, "top": 0.91, "bottom": 0.09}
INCOME_COLOURS = ("#4c72b0", "#55a868", "#c44e52", "#8172b2")
SPENDING_COLOURS = ("#dd8452", "#937860", "#da8bc3")
EVENT_KINDS = ("join", "exit", "pilot", "formalisation")
LOG_ROWS = 12


def draw_membership(model: CSEIModel) -> Figure:
    """Members stacked by sector, with aware and exited organisations as lines."""
    ts = timeseries(model)
    fig = Figure(figsize=SIZE)
    ax = fig.subplots(gridspec_kw={**MARGINS, "right": 0.9})  # room for the right axis
    x = dates(ts)
    ax.stackplot(
        x,
        *[ts[f"members_{s}"] for s in SECTORS],
        colors=[SECTOR_COLOURS[s] for s in SECTORS],
        labels=[SECTOR_LABELS[s] for s in SECTORS],
        alpha=0.85,
    )
    ax.plot(x, ts["exited"], color="#c44e52", linestyle=":", linewidth=1.2, label="exited")
    ax.axhline(model.params.critical_mass, color="#888", linewidth=0.8)
    date_axis(ax, model, label_grant_end=True)
    top = max(ts["members"].max(), ts["exited"].max(), model.params.critical_mass) * 1.25
    ax.set_ylim(0, top)
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_ylabel("members, exited")
    # the aware pool is often many times the membership: its own axis keeps members readable
    right = ax.twinx()
    right.plot(x, ts["aware"], color="black", linestyle="--", linewidth=1)
    ax.plot([], [], color="black", linestyle="--", linewidth=1, label="aware (right axis)")
    right.set_ylim(0, max(ts["aware"].max(), 1) * 1.15)
    right.set_ylabel("aware", fontsize=8)
    right.tick_params(labelsize=8)
    ax.set_title(
        f"Members by sector: {int(ts['members'].iloc[-1])} now "
        f"(grey line: critical mass {model.params.critical_mass})",
        fontsize=9,
    )
    ax.legend(loc="upper left", fontsize=7, ncol=3, framealpha=0.7)
    return fig


def draw_trust(model: CSEIModel) -> Figure:
    """Mean trust among members, on all ties, and goal consensus."""
    ts = timeseries(model)
    fig = Figure(figsize=SIZE)
    ax = fig.subplots(gridspec_kw=MARGINS)
    x = dates(ts)
    ax.plot(x, ts["mean_member_trust"], color="#08306b", label="trust among members")
    ax.plot(x, ts["mean_trust"], color="#6b8fb8", linestyle="--", label="trust on all ties")
    ax.plot(x, ts["goal_consensus"], color="#2ca02c", label="goal consensus")
    date_axis(ax, model)
    ax.set_ylim(0, 1)
    ax.set_title("Trust and goal consensus", fontsize=9)
    ax.legend(loc="lower left", fontsize=7)
    return fig


def draw_budget(model: CSEIModel) -> Figure:
    """Monthly income stacked by source (top) and spending stacked by purpose (bottom)."""
    ts = timeseries(model)
    fig = Figure(figsize=(SIZE[0], SIZE[1] * 1.25))
    top, bottom = fig.subplots(2, 1, sharex=True, gridspec_kw={**MARGINS, "hspace": 0.12})
    x = dates(ts)
    top.stackplot(
        x,
        *[ts[f"income_{s}"] for s in INCOME_SOURCES],
        colors=INCOME_COLOURS,
        labels=[s.replace("_", " ") for s in INCOME_SOURCES],
    )
    bottom.stackplot(
        x,
        *[ts[f"spending_{s}"] for s in SPENDING_PURPOSES],
        colors=SPENDING_COLOURS,
        labels=list(SPENDING_PURPOSES),
    )
    for ax, what in ((top, "income"), (bottom, "spending")):
        date_axis(ax, model)
        ax.set_ylim(bottom=0)
        ax.set_ylabel(f"{what} EUR/month", fontsize=8)
        ax.legend(loc="upper right", fontsize=7, ncol=2)
    top.set_title(f"Budget: balance {ts['balance'].iloc[-1]:,.0f} EUR", fontsize=9)
    return fig


def draw_radar(model: CSEIModel) -> Figure:
    """The five CSEI radar scores now (filled) and at the start (dashed)."""
    ts = timeseries(model)
    angles = np.linspace(0, 2 * np.pi, len(RADAR), endpoint=False)
    fig = Figure(figsize=(4.6, SIZE[1] * 1.25))
    ax = fig.add_axes((0.14, 0.1, 0.72, 0.76), projection="polar")
    for row, style in (
        (ts.iloc[0], {"color": "#999", "linestyle": "--", "label": "start"}),
        (ts.iloc[-1], {"color": "#c44e52", "label": "now"}),
    ):
        values = np.array([row[f"radar_{k}"] for k in RADAR], dtype=float)
        ax.plot(np.r_[angles, angles[:1]], np.r_[values, values[:1]], **style)
        if style["label"] == "now":
            ax.fill(angles, values, color="#c44e52", alpha=0.25)
    ax.set_xticks(angles, list(RADAR), fontsize=8)
    ax.set_ylim(0, 1)
    ax.set_yticks([0.25, 0.5, 0.75, 1.0], ["", "0.5", "", "1"], fontsize=7)
    ax.set_title(f"CSEI radar: {ts['archetype'].iloc[-1]}", fontsize=9)
    ax.legend(loc="lower right", bbox_to_anchor=(1.15, -0.05), fontsize=7)
    return fig


@solara.component
def MembershipPanel(model: CSEIModel):
    return Chart(draw_membership, model)


@solara.component
def TrustPanel(model: CSEIModel):
    return Chart(draw_trust, model)


@solara.component
def BudgetPanel(model: CSEIModel):
    return Chart(draw_budget, model)


@solara.component
def RadarPanel(model: CSEIModel):
    return Chart(draw_radar, model)


def event_table(model: CSEIModel, kinds: list[str], rows: int = LOG_ROWS) -> pd.DataFrame:
    """The latest ``rows`` events of the chosen kinds, newest first."""
    events = [e for e in model.events if e["kind"] in kinds][-rows:][::-1]
    return pd.DataFrame(
        [
            {
                "month": e["date"],
                "event": e["kind"],
                "organisation": "cluster" if e["org"] < 0 else f"#{e['org']}",
                "detail": e["detail"],
            }
            for e in events
        ],
        columns=["month", "event", "organisation", "detail"],
    )


@solara.component
def EventLog(model: CSEIModel):
    """Counts of joins, exits, pilots and formalisation, and the latest events of chosen kinds."""
    update_counter.get()
    kinds, set_kinds = solara.use_state(list(EVENT_KINDS))
    with model_lock(model):
        events = list(model.events)
        table = event_table(model, kinds)
    counts = {k: 0 for k in EVENT_KINDS}
    for event in events:
        counts[event["kind"]] = counts.get(event["kind"], 0) + 1
    with solara.Column(gap="4px"):
        solara.Text("Events so far: " + ", ".join(f"{counts[k]} {k}" for k in EVENT_KINDS))
        solara.ToggleButtonsMultiple(
            value=kinds, on_value=set_kinds, values=list(EVENT_KINDS), dense=True
        )
        if table.empty:
            solara.Text("No events of these kinds yet.", style={"color": "#777"})
        else:
            solara.HTML(unsafe_innerHTML=html_table(table))
