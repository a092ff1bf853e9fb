"""Shared chart helpers: interactive Plotly figures drawn in the browser, updated in place.

A panel is a pair of functions: ``build(model)`` lays out the figure once per model (axes, titles,
empty traces), and ``update(model)`` returns the traces' new data after a step. :func:`LiveFigure`
keeps one ``plotly`` FigureWidget per panel and sends only those data on each step, so a Step costs
the model's step plus a few kilobytes, not a server-side rendering of images. The browser draws
hover values, zoom and legends that toggle a trace.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from html import escape
from typing import Any

import pandas as pd
import plotly.graph_objects as go
import solara

from csei_sim.model import CSEIModel
from csei_sim.plots import SECTOR_COLOURS
from csei_sim.viz.explorer_model import model_lock
from csei_sim.viz.serving import PLOTLY_BUNDLE

FONT_PX = 15  # readable on a projector: at least 12 px on screen at 1024 px wide
HEIGHT = 380
SECTOR_LABELS = {
    "municipality": "municipalities",
    "ngo": "NGOs",
    "firm": "firms",
    "university": "universities",
}
GRANT_END_COLOUR = "#888"
# the chart takes its card's width (narrow screens, projectors); no logo linking to the web
CONFIG = {"responsive": True, "displaylogo": False}
__all__ = [
    "FONT_PX",
    "SECTOR_COLOURS",
    "SECTOR_LABELS",
    "LiveFigure",
    "LiveHTML",
    "redraw",
    "Update",
    "base_layout",
    "horizon",
    "month_axis",
    "grant_end_marks",
    "timeseries",
    "html_table",
    "WholeFigure",
]

# what ``update`` returns: new properties per trace (in the order ``build`` added them) and layout
Update = dict[str, Any]

# per model, the figures showing it: a step sends them their data directly (:func:`redraw`)
_VIEWERS: weakref.WeakKeyDictionary[CSEIModel, dict[int, Callable[[], None]]] = (
    weakref.WeakKeyDictionary()
)
_SERIES: weakref.WeakKeyDictionary[CSEIModel, tuple[int, pd.DataFrame]] = (
    weakref.WeakKeyDictionary()
)


def timeseries(model: CSEIModel) -> pd.DataFrame:
    """The model's time series, computed once per step however many panels ask for it."""
    cached = _SERIES.get(model)
    if cached is None or cached[0] != model.steps:
        cached = (model.steps, model.timeseries())
        _SERIES[model] = cached
    return cached[1]


def month_axis(ts: pd.DataFrame) -> list[str]:
    """The x values of a time series: the first day of each month, as Plotly reads dates."""
    return [f"{d}-01" for d in ts["date"].astype(str)]


def horizon(model: CSEIModel) -> list[str]:
    """The x range of the whole run, so curves grow into a still frame as the model runs."""
    return [f"{model.date_of(0)}-01", f"{model.date_of(model.params.steps)}-01"]


def grant_end_marks(model: CSEIModel, row: int | None = None) -> tuple[list[dict], list[dict]]:
    """A dotted line and a label where the committed grant ends, if it ends within the run."""
    end = model.params.funding
    first, last = horizon(model)
    when = f"{end.committed_end}-01"
    if end.committed_amount <= 0 or not first <= when <= last:
        return [], []
    axis = "" if row in (None, 1) else str(row)
    shape = {
        "type": "line",
        "xref": f"x{axis}",
        "yref": f"y{axis} domain",
        "x0": when,
        "x1": when,
        "y0": 0,
        "y1": 1,
        "line": {"color": GRANT_END_COLOUR, "dash": "dot", "width": 1.5},
    }
    label = {
        "x": when,
        "xref": f"x{axis}",
        "y": 1,
        "yref": f"y{axis} domain",
        "text": "grant ends",
        "showarrow": False,
        "xanchor": "left",
        "yanchor": "top",
        "font": {"color": "#555", "size": FONT_PX - 2},
    }
    return [shape], [label]


def base_layout(title: str, height: int = HEIGHT, **extra: Any) -> dict[str, Any]:
    """Large fonts, the legend below the plot (never on the data), hover of all traces at once."""
    layout = {
        "title": {"text": title, "x": 0.01, "xanchor": "left", "font": {"size": FONT_PX + 1}},
        "font": {"size": FONT_PX},
        "height": height,
        "autosize": True,
        "margin": {"l": 60, "r": 20, "t": 48, "b": 20},
        "legend": {"orientation": "h", "x": 0, "y": -0.12, "yanchor": "top"},
        "hovermode": "x unified",
        "plot_bgcolor": "white",
        "uirevision": "keep",  # zoom and hidden traces stay as they are across steps
    }
    layout.update(extra)
    return layout


def send_update(widget, patch: Update) -> None:
    """Apply ``patch`` with one restyle per set of keys and one relayout: several times cheaper
    than setting each trace's properties (plotly checks each property path on every set)."""
    groups: dict[tuple[str, ...], list[int]] = {}
    data = list(patch.get("data", ()))[: len(widget.data)]
    for index, props in enumerate(data):
        groups.setdefault(tuple(props), []).append(index)
    for keys, indexes in groups.items():
        restyle = {key: [data[i][key] for i in indexes] for key in keys}
        widget.plotly_restyle(restyle, indexes)
    if patch.get("layout"):
        widget.plotly_relayout(patch["layout"])


# Plotly's widget code (about 5 MB) is served once as a file, which the browser fetches and
# caches once per page, instead of travelling inside every chart's state on every new figure.
# The loader also redraws a chart when its card changes width (a hidden tab shown, a narrow
# screen, a sidebar opened): Plotly itself only listens to the window's size.
LOADER = """
const root = (globalThis.solara && globalThis.solara.rootPath) || "";
const plotly = await import(new URL(root + "/static/assets/BUNDLE", location.href).href);
export default () => {
  const widget = plotly.default();
  return {
    initialize: (ctx) => widget.initialize(ctx),
    render(ctx) {
      const remove = widget.render(ctx);
      const el = ctx.el;
      el.style.width = "100%";
      let width = 0;
      const observer = new ResizeObserver(() => {
        const now = el.clientWidth;
        if (now > 0 && now !== width && el._responsiveChartHandler) {
          width = now;
          el._responsiveChartHandler();
        }
      });
      observer.observe(el);
      return () => { observer.disconnect(); remove(); };
    },
  };
};
""".replace("BUNDLE", PLOTLY_BUNDLE)


_WIDGET = None


def _widget_class():
    """A FigureWidget made from a whole figure once; re-renders leave it to the updates."""
    global _WIDGET
    if _WIDGET is None:
        from plotly.graph_objs import FigureWidget

        class StartedFigureWidget(FigureWidget):
            _esm = LOADER

            def __init__(self, figure: go.Figure | None = None, **kwargs: Any):
                super().__init__(figure, **kwargs)
                self._config = CONFIG  # part of the first state the browser gets

            @property
            def figure(self) -> None:
                return None

            @figure.setter
            def figure(self, _value: go.Figure) -> None:
                """Reacton sets the element's arguments again on each render: ignored, as the
                figure's data arrive by restyle."""

        _WIDGET = StartedFigureWidget
    return _WIDGET


@solara.component
def LiveFigure(
    build: Callable[[CSEIModel], go.Figure],
    update: Callable[[CSEIModel], Update],
    model: CSEIModel,
    step: int = 0,
):
    """One browser-side figure: laid out by ``build`` per model, its data replaced by ``update``
    when the model has stepped: by :func:`redraw` after a step (no render pass), or when the
    parent renders with a new ``step``."""

    def first_draw() -> tuple[go.Figure, dict[str, int]]:
        with model_lock(model):
            fig = build(model)
            send_update(fig, update(model))
            return fig, {"step": model.steps}

    # the widget starts with the whole figure (layout and data), so a browser draws it at once;
    # later steps send only new data. A new model (Reset) gets a new widget (the key).
    fig, drawn = solara.use_memo(first_draw, [id(model), build])
    element = _widget_class().element(figure=fig).key(f"fig-{id(model)}")

    def refresh(widget) -> None:
        with model_lock(model):  # one consistent month, even while Play steps in a thread
            if model.steps == drawn["step"]:
                return
            patch = update(model)
            drawn["step"] = model.steps
        send_update(widget, patch)

    def watch():
        widget = solara.get_widget(element)
        widget._validate = False  # our own traces: skip plotly's per-property checks on updates
        viewers = _VIEWERS.setdefault(model, {})
        viewers[id(widget)] = lambda: refresh(widget)
        refresh(widget)  # a step taken before this figure was shown
        return lambda: viewers.pop(id(widget), None)

    solara.use_effect(watch, [id(model), build])
    solara.use_effect(lambda: refresh(solara.get_widget(element)), [step])
    return element


@solara.component
def LiveHTML(text: Callable[[CSEIModel], str], model: CSEIModel):
    """HTML made by ``text(model)``, replaced in place by :func:`redraw` after each step (the
    step counter, the event log): a re-render inside the page's layout would re-render it all."""
    element = solara.HTML(unsafe_innerHTML=text(model))

    def watch():
        widget = solara.get_widget(element)

        def refresh() -> None:
            with model_lock(model):
                html = text(model)
            widget.unsafe_innerHTML = html

        viewers = _VIEWERS.setdefault(model, {})
        viewers[id(widget)] = refresh
        return lambda: viewers.pop(id(widget), None)

    solara.use_effect(watch, [id(model), text])
    return element


def redraw(model: CSEIModel) -> None:
    """Send the figures showing ``model`` their new data, without re-rendering the page: a step
    then costs the model's step and the figures' updates, not a pass over every component."""
    for refresh in list(_VIEWERS.get(model, {}).values()):
        refresh()


@solara.component
def WholeFigure(fig: go.Figure, key: str):
    """A browser-side figure drawn whole (a comparison, the regions): a new ``key`` draws a new
    one, with the same served widget code and width-following as the live panels."""
    return _widget_class().element(figure=fig).key(key)


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
    return f"<table style='border-collapse:collapse;font-size:15px'><tr>{head}</tr>{rows}</table>"
