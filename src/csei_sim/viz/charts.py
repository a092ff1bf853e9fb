"""Shared drawing helpers: figures rendered once per model step, cached time series, date axes.

Figures are plain :class:`matplotlib.figure.Figure` objects (no pyplot state, safe in the server's
threads), turned into PNG bytes only when the model has moved on.
"""

from __future__ import annotations

import io
import weakref
from collections.abc import Callable
from html import escape

import pandas as pd
import reacton.ipywidgets as rw
import solara
from matplotlib.figure import Figure
from mesa.visualization.utils import update_counter

from csei_sim.model import CSEIModel
from csei_sim.plots import SECTOR_COLOURS
from csei_sim.viz.explorer_model import model_lock

DPI = 80
SECTOR_LABELS = {
    "municipality": "municipalities",
    "ngo": "NGOs",
    "firm": "firms",
    "university": "universities",
}
__all__ = [
    "DPI",
    "SECTOR_COLOURS",
    "SECTOR_LABELS",
    "Chart",
    "png",
    "timeseries",
    "dates",
    "date_axis",
    "html_table",
]

_SERIES: weakref.WeakKeyDictionary[CSEIModel, tuple[int, pd.DataFrame]] = (
    weakref.WeakKeyDictionary()
)


def png(fig: Figure) -> bytes:
    """The figure as PNG bytes."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=DPI)
    return buf.getvalue()


def locked_png(draw: Callable[[CSEIModel], Figure], model: CSEIModel) -> bytes:
    """Draw while the model cannot step, so the figure shows one consistent month."""
    with model_lock(model):
        return png(draw(model))


def timeseries(model: CSEIModel) -> pd.DataFrame:
    """The model's time series, computed once per step however many panels ask for it."""
    cached = _SERIES.get(model)
    if cached is None or cached[0] != model.steps:
        cached = (model.steps, model.timeseries())
        _SERIES[model] = cached
    return cached[1]


def dates(ts: pd.DataFrame) -> pd.Series:
    return pd.to_datetime(ts["date"])


def date_axis(ax, model: CSEIModel, label_grant_end: bool = False) -> None:
    """Fix the x axis to the whole horizon, so curves grow into a still frame as the model runs."""
    first = pd.Timestamp(model.date_of(0))
    last = pd.Timestamp(model.date_of(model.params.steps))
    ax.set_xlim(first, last)
    end = model.params.funding
    if end.committed_amount > 0:
        ax.axvline(
            pd.Timestamp(end.committed_end),
            color="#888",
            linestyle=":",
            linewidth=1,
            label="grant ends" if label_grant_end else None,
        )
    ax.grid(alpha=0.3)


@solara.component
def Chart(draw: Callable[[CSEIModel], Figure], model: CSEIModel):
    """A figure of ``model`` drawn by ``draw``, redrawn only when the model or its step changes."""
    update_counter.get()  # Mesa's controller bumps it after steps: re-render, then check the step
    image = solara.use_memo(lambda: locked_png(draw, model), [id(model), model.steps, draw])
    return rw.Image(value=image, format="png", layout={"max_width": "100%"})


def html_table(table: pd.DataFrame) -> str:
    """A small table as HTML (Solara's Markdown loads diagram and formula scripts from a CDN)."""
    head = "".join(
        f"<th style='text-align:left;padding:2px 8px'>{escape(str(c))}</th>" for c in table.columns
    )
    rows = "".join(
        "<tr>"
        + "".join(f"<td style='padding:2px 8px'>{escape(str(v))}</td>" for v in row)
        + "</tr>"
        for row in table.itertuples(index=False)
    )
    return f"<table style='border-collapse:collapse;font-size:13px'><tr>{head}</tr>{rows}</table>"
