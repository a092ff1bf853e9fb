"""Regions side by side: a multi-region run with peer exchange, membership in small multiples.

``RegionsView()`` is a self-contained Solara component (its own controls, model and figures); mount
it as a tab of the explorer (``with solara.lab.Tab("Regions"): RegionsView()``) or serve it alone
with ``solara run csei_sim.viz.regions``. Next to each region's run with exchange it can step the
same regions, with the same seeds, without exchange (grey), so the effect shows region by region.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import plotly.graph_objects as go
import solara
from plotly.subplots import make_subplots

from csei_sim.multiregion import SEED_REGIONS, MultiRegionModel
from csei_sim.multiregion.params import PARTNER_CHOICES
from csei_sim.viz.charts import FONT_PX, WholeFigure, base_layout, html_table
from csei_sim.viz.inputs import BoundedSlider, clamp

STEP_CHOICES = {"1 month": 1, "1 year": 12, "to the end": 10_000}
COLOURS = {"with": "#1f77b4", "without": "#999999"}
MAX_SEED = 2**31 - 1


@dataclass
class RegionsRun:
    """A multi-region run with exchange and, optionally, its twin without (same seeds)."""

    model: MultiRegionModel
    baseline: MultiRegionModel | None = None

    @classmethod
    def build(
        cls,
        *,
        seed: int,
        exchange: dict,
        compare: bool,
        steps: int = 144,
        regions: tuple[str, ...] = SEED_REGIONS,
    ) -> RegionsRun:
        model = MultiRegionModel(list(regions), exchange, seed=seed, steps=steps)
        twin = (
            MultiRegionModel(list(regions), {**exchange, "enabled": False}, seed=seed, steps=steps)
            if compare
            else None
        )
        return cls(model, twin)

    @property
    def steps(self) -> int:
        return self.model.steps

    def advance(self, months: int) -> None:
        for _ in range(months):
            if not self.model.running:
                break
            self.model.step()
            if self.baseline is not None:
                self.baseline.step()


def _members(model: MultiRegionModel) -> dict[str, pd.DataFrame]:
    return {n: model.region_timeseries(n)[["date", "members"]] for n in model.names}


def draw_regions(run: RegionsRun, cols: int = 3) -> go.Figure:
    """Members per region over the whole horizon: one small panel per region, shared axes; the
    runs without exchange in grey. Hover shows both counts; a legend entry hides one set."""
    model = run.model
    names = model.names
    rows = -(-len(names) // cols)
    series = {"with": _members(model)}
    if run.baseline is not None:
        series["without"] = _members(run.baseline)
    titles = [f"{n}: {int(series['with'][n]['members'].iloc[-1])}" for n in names]
    fig = make_subplots(
        rows=rows,
        cols=cols,
        shared_xaxes=True,
        shared_yaxes=True,
        subplot_titles=titles,
        vertical_spacing=0.16,
        horizontal_spacing=0.04,
    )
    top = max(model.models[n].params.region.n_organisations for n in names)
    for k, name in enumerate(names):
        row, col = divmod(k, cols)
        for label, data in series.items():
            ts = data[name]
            fig.add_scatter(
                x=[f"{d}-01" for d in ts["date"].astype(str)],
                y=ts["members"],
                mode="lines",
                name=f"{label} exchange",
                legendgroup=label,
                showlegend=k == 0,
                line={"color": COLOURS[label], "width": 2},
                hovertemplate=f"{label} exchange: %{{y}}<extra>{name}</extra>",
                row=row + 1,
                col=col + 1,
            )
        fig.add_hline(
            y=model.models[name].params.critical_mass,
            line={"color": "#bbb", "width": 1, "dash": "dot"},
            row=row + 1,
            col=col + 1,
        )
    start, end = f"{model.date_of(0)}-01", f"{model.date_of(model.horizon)}-01"
    fig.update_xaxes(range=[start, end])
    fig.update_yaxes(range=[0, top])
    layout = base_layout(
        f"Members per region, month {model.steps} of {model.horizon}", height=200 + 190 * rows
    )
    layout["legend"] = {"orientation": "h", "x": 0, "y": -0.1, "yanchor": "top"}
    layout["margin"] = {"l": 50, "r": 20, "t": 80, "b": 20}
    fig.update_layout(**layout)
    fig.update_annotations(font_size=FONT_PX)
    return fig


def region_table(run: RegionsRun) -> pd.DataFrame:
    """Now, per region: members (with, and without exchange), practice, confidence, events."""
    model = run.model
    state = model.exchange_timeseries()
    now = state[state["step"] == model.steps].set_index("region")
    totals = state.groupby("region")["exchange_events"].sum()
    rows = []
    for name in model.names:
        row = {"region": name, "members": int(model.models[name].metrics["members"])}
        if run.baseline is not None:
            row["without exchange"] = int(run.baseline.models[name].metrics["members"])
        row.update(
            {
                "effectiveness": f"{now.loc[name, 'facilitation_effectiveness']:.2f}",
                "mission skill": f"{now.loc[name, 'mission_skill']:.2f}",
                "confidence": f"{now.loc[name, 'confidence']:.3f}",
                "events": int(totals[name]),
            }
        )
        rows.append(row)
    return pd.DataFrame(rows)


@solara.component
def RegionsView(steps: int = 144, regions: tuple[str, ...] = SEED_REGIONS):
    """Controls, small multiples of membership per region, and a table of practice."""
    seed = solara.use_reactive(2025)
    enabled = solara.use_reactive(True)
    choice = solara.use_reactive("similar")
    per_year = solara.use_reactive(2.0)
    compare = solara.use_reactive(True)
    stride = solara.use_reactive("1 year")

    def build() -> RegionsRun:
        # every value as the browser sent it, checked here: a crafted one falls back to a default
        partner = choice.value if choice.value in PARTNER_CHOICES else "similar"
        exchange = {
            "enabled": enabled.value is True,
            "partner_choice": partner,
            "events_per_year": clamp(per_year.value, 0, 12, 2.0),
        }
        return RegionsRun.build(
            seed=int(clamp(seed.value, 0, MAX_SEED, 2025)),
            exchange=exchange,
            compare=compare.value is True,
            steps=steps,
            regions=regions,
        )

    run = solara.use_reactive(solara.use_memo(build, []))
    tick = solara.use_reactive(0)  # the run is mutable: bump to redraw after stepping

    def advance() -> None:
        run.value.advance(STEP_CHOICES.get(stride.value, 1))
        tick.value += 1

    def reset() -> None:
        run.value = build()
        tick.value += 1

    with solara.Row(style={"align-items": "center", "flex-wrap": "wrap"}):
        solara.Switch(label="Peer exchange", value=enabled)
        solara.Select("Partners", values=list(PARTNER_CHOICES), value=choice)
        BoundedSlider(
            f"Events per region per year: {per_year.value:g}",
            value=per_year.value,
            lo=0,
            hi=12,
            step=0.5,
            on_value=per_year.set,
            style="min-width: 280px; flex: 1 1 280px",  # a slider in a row is squashed without
        )
        solara.Checkbox(label="Show the same runs without exchange", value=compare)
        solara.InputInt("Seed", value=seed)
    with solara.Row(style={"align-items": "center"}):
        solara.ToggleButtonsSingle(value=stride, values=list(STEP_CHOICES))
        # named apart from the Cluster tab's Step and Reset
        solara.Button("Step the regions", on_click=advance, disabled=not run.value.model.running)
        solara.Button("Reset the regions", on_click=reset)
        finished = "" if run.value.model.running else " (run finished)"
        solara.Text(f"Month {run.value.steps} of {steps}{finished}; settings apply at Reset")
    fig = solara.use_memo(
        lambda: draw_regions(run.value), [id(run.value), run.value.steps, tick.value]
    )
    WholeFigure(fig, f"regions-{id(run.value)}-{run.value.steps}-{tick.value}")
    solara.HTML(unsafe_innerHTML=html_table(region_table(run.value)))


@solara.component
def Page():
    solara.Title("CSEI regions side by side")
    RegionsView()


page = Page
