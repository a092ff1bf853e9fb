"""Panels of the running model: members by sector, trust and consensus, budget, radar, event log."""

from __future__ import annotations

from functools import partial
from html import escape

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import solara
from plotly.subplots import make_subplots

from csei_sim.agents import SECTORS
from csei_sim.funding import INCOME_SOURCES
from csei_sim.ledger import SPENDING_PURPOSES
from csei_sim.metrics import RADAR
from csei_sim.model import CSEIModel
from csei_sim.viz.charts import (
    SECTOR_COLOURS,
    SECTOR_LABELS,
    LiveFigure,
    LiveHTML,
    Update,
    base_layout,
    grant_end_marks,
    horizon,
    html_table,
    month_axis,
    timeseries,
)

INCOME_COLOURS = ("#4c72b0", "#55a868", "#c44e52", "#8172b2")
SPENDING_COLOURS = ("#dd8452", "#937860", "#da8bc3")
EVENT_KINDS = ("join", "exit", "pilot", "formalisation", "deformalisation")
LOG_ROWS = 12
MIN_EUR_AXIS = 1000.0  # an empty budget shows 0..1,000 EUR, not a flat line on a 0..0.05 axis
NO_MONEY = "no income or spending yet"


def _line(name: str, colour: str, dash: str = "solid", **extra) -> go.Scatter:
    return go.Scatter(
        name=name, mode="lines", line={"color": colour, "dash": dash, "width": 2.5}, **extra
    )


def _area(name: str, colour: str, group: str, **extra) -> go.Scatter:
    return go.Scatter(
        name=name,
        mode="lines",
        stackgroup=group,
        line={"color": colour, "width": 0.5},
        fillcolor=colour,
        **extra,
    )


def build_membership(model: CSEIModel) -> go.Figure:
    """Members stacked by sector, exited as a line, the aware pool on its own right axis."""
    fig = go.Figure()
    for s in SECTORS:
        fig.add_trace(_area(SECTOR_LABELS[s], SECTOR_COLOURS[s], "members"))
    fig.add_trace(_line("exited", "#c44e52", "dot"))
    fig.add_trace(_line("aware (right axis)", "black", "dash", yaxis="y2"))
    shapes, notes = grant_end_marks(model)
    critical = {
        "type": "line",
        "xref": "x domain",
        "x0": 0,
        "x1": 1,
        "y0": model.params.critical_mass,
        "y1": model.params.critical_mass,
        "line": {"color": "#888", "width": 1},
    }
    fig.update_layout(
        **base_layout("Members by sector"),
        xaxis={"range": horizon(model), "showgrid": True, "gridcolor": "#eee"},
        yaxis={"title": "members, exited", "rangemode": "tozero", "gridcolor": "#eee"},
        yaxis2={"title": "aware", "overlaying": "y", "side": "right", "rangemode": "tozero"},
        shapes=[critical, *shapes],
        annotations=notes,
    )
    fig.update_layout(margin={"r": 60})
    return fig


def update_membership(model: CSEIModel) -> Update:
    ts = timeseries(model)
    x = month_axis(ts)
    data = [{"x": x, "y": ts[f"members_{s}"].to_numpy()} for s in SECTORS]
    data += [{"x": x, "y": ts["exited"].to_numpy()}, {"x": x, "y": ts["aware"].to_numpy()}]
    top = max(ts["members"].max(), ts["exited"].max(), model.params.critical_mass) * 1.2
    title = (
        f"Members by sector: {int(ts['members'].iloc[-1])} now "
        f"(grey line: critical mass {model.params.critical_mass})"
    )
    aware_top = max(float(ts["aware"].max()), 1.0) * 1.15
    return {
        "data": data,
        "layout": {
            "title.text": title,
            "yaxis.range": [0, top],
            "yaxis2.range": [0, aware_top],
        },
    }


def build_trust(model: CSEIModel) -> go.Figure:
    """Mean trust among members, on all ties, and goal consensus."""
    fig = go.Figure()
    fig.add_trace(_line("trust among members", "#08306b"))
    fig.add_trace(_line("trust on all ties", "#6b8fb8", "dash"))
    fig.add_trace(_line("goal consensus", "#2ca02c"))
    shapes, notes = grant_end_marks(model)
    fig.update_layout(
        **base_layout("Trust and goal consensus"),
        xaxis={"range": horizon(model), "gridcolor": "#eee"},
        yaxis={"range": [0, 1], "gridcolor": "#eee"},
        shapes=shapes,
        annotations=notes,
    )
    return fig


def update_trust(model: CSEIModel) -> Update:
    ts = timeseries(model)
    x = month_axis(ts)
    columns = ("mean_member_trust", "mean_trust", "goal_consensus")
    return {"data": [{"x": x, "y": ts[c].to_numpy()} for c in columns]}


def build_budget(model: CSEIModel) -> go.Figure:
    """Monthly income stacked by source (top) and spending stacked by purpose (bottom)."""
    fig = make_subplots(rows=2, cols=1, shared_xaxes=True, vertical_spacing=0.08)
    for source, colour in zip(INCOME_SOURCES, INCOME_COLOURS, strict=True):
        fig.add_trace(_area(source.replace("_", " "), colour, "income"), row=1, col=1)
    for purpose, colour in zip(SPENDING_PURPOSES, SPENDING_COLOURS, strict=True):
        fig.add_trace(_area(purpose, colour, "spending"), row=2, col=1)
    shapes, notes = grant_end_marks(model)
    fig.update_layout(
        **base_layout("Budget", height=int(1.3 * 380)),
        shapes=shapes,
        annotations=notes,
    )
    fig.update_xaxes(range=horizon(model), gridcolor="#eee")
    fig.update_yaxes(title_text="income EUR/month", row=1, col=1, gridcolor="#eee")
    fig.update_yaxes(title_text="spending EUR/month", row=2, col=1, gridcolor="#eee")
    return fig


def _eur_top(total: pd.Series) -> float:
    return max(float(total.max()) * 1.15 if len(total) else 0.0, MIN_EUR_AXIS)


def update_budget(model: CSEIModel) -> Update:
    ts = timeseries(model)
    x = month_axis(ts)
    income = [f"income_{s}" for s in INCOME_SOURCES]
    spending = [f"spending_{s}" for s in SPENDING_PURPOSES]
    data = [{"x": x, "y": ts[c].to_numpy()} for c in (*income, *spending)]
    money = float(ts[income].to_numpy().sum() + ts[spending].to_numpy().sum())
    title = f"Budget: balance {ts['balance'].iloc[-1]:,.0f} EUR"
    if money == 0:
        title += f" ({NO_MONEY})"
    return {
        "data": data,
        "layout": {
            "title.text": title,
            "yaxis.range": [0, _eur_top(ts[income].sum(axis=1))],
            "yaxis2.range": [0, _eur_top(ts[spending].sum(axis=1))],
        },
    }


def build_radar(model: CSEIModel) -> go.Figure:
    """The five CSEI radar scores now (filled) and at the start (dashed)."""
    fig = go.Figure()
    fig.add_trace(
        go.Scatterpolar(name="start", mode="lines", line={"color": "#999", "dash": "dash"})
    )
    fig.add_trace(
        go.Scatterpolar(
            name="now",
            mode="lines+markers",
            fill="toself",
            line={"color": "#c44e52", "width": 2.5},
            fillcolor="rgba(196,78,82,0.25)",
        )
    )
    layout = base_layout("CSEI radar", height=int(1.3 * 380))
    layout["hovermode"] = "closest"
    fig.update_layout(
        **layout,
        polar={"radialaxis": {"range": [0, 1], "tickvals": [0.5, 1.0]}},
    )
    return fig


def update_radar(model: CSEIModel) -> Update:
    ts = timeseries(model)
    names = list(RADAR)
    closed = [*names, names[0]]
    data = []
    for row in (ts.iloc[0], ts.iloc[-1]):
        values = np.array([row[f"radar_{k}"] for k in RADAR], dtype=float)
        data.append({"theta": closed, "r": np.r_[values, values[:1]]})
    return {"data": data, "layout": {"title.text": f"CSEI radar: {ts['archetype'].iloc[-1]}"}}


@solara.component
def MembershipPanel(model: CSEIModel, step: int = 0):
    return LiveFigure(build_membership, update_membership, model, step)


@solara.component
def TrustPanel(model: CSEIModel, step: int = 0):
    return LiveFigure(build_trust, update_trust, model, step)


@solara.component
def BudgetPanel(model: CSEIModel, step: int = 0):
    return LiveFigure(build_budget, update_budget, model, step)


@solara.component
def RadarPanel(model: CSEIModel, step: int = 0):
    return LiveFigure(build_radar, update_radar, model, step)


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
def EventLog(model: CSEIModel, step: int = 0):
    """Counts of joins, exits, pilots and formalisation, and the latest events of chosen kinds;
    replaced in place after each step."""
    kinds, set_kinds = solara.use_state(list(EVENT_KINDS))
    text = solara.use_memo(lambda: partial(event_log, kinds=tuple(kinds)), [tuple(kinds)])
    with solara.Column(gap="4px"):
        solara.ToggleButtonsMultiple(
            value=kinds, on_value=set_kinds, values=list(EVENT_KINDS), dense=True
        )
        LiveHTML(text, model)


def event_log(model: CSEIModel, kinds: tuple[str, ...]) -> str:
    """The counts so far and a table of the latest events of ``kinds``, as HTML."""
    counts = {k: 0 for k in EVENT_KINDS}
    for event in model.events:
        counts[event["kind"]] = counts.get(event["kind"], 0) + 1
    line = "Events so far: " + ", ".join(f"{counts[k]} {k}" for k in EVENT_KINDS)
    table = event_table(model, list(kinds))
    body = (
        "<div style='color:#777'>No events of these kinds yet.</div>"
        if table.empty
        else html_table(table)
    )
    return f"<div style='margin-bottom:6px'>{escape(line)}</div>{body}"
