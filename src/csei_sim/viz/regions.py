"""Regions side by side: a multi-region run with peer exchange, membership in small multiples.

``RegionsView()`` is a self-contained Solara component (its own controls, model and figures); mount
it as a tab of the explorer (``with solara.lab.Tab("Regions"): RegionsView()``) or serve it alone
with ``solara run csei_sim.viz.regions``. Next to each region's run with exchange it can step the
same regions, with the same seeds, without exchange (grey), so the effect shows region by region.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import reacton.ipywidgets as rw
import solara
from matplotlib.figure import Figure

from csei_sim.multiregion import SEED_REGIONS, MultiRegionModel
from csei_sim.multiregion.params import PARTNER_CHOICES
from csei_sim.viz.charts import html_table, png
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


def draw_regions(run: RegionsRun, cols: int = 3) -> Figure:
    """Members per region over the whole horizon: one small panel per region, shared y axis."""
    model = run.model
    names = model.names
    rows = -(-len(names) // cols)
    fig = Figure(figsize=(3.2 * cols, 2.3 * rows))
    axes = fig.subplots(rows, cols, sharex=True, sharey=True, squeeze=False).flat
    start, end = pd.Timestamp(model.date_of(0)), pd.Timestamp(model.date_of(model.horizon))
    series = {"with": _members(model)}
    if run.baseline is not None:
        series["without"] = _members(run.baseline)
    top = max(model.models[n].params.region.n_organisations for n in names)
    for ax, name in zip(axes, names, strict=False):
        for label, data in series.items():
            ts = data[name]
            ax.plot(
                pd.to_datetime(ts["date"]),
                ts["members"],
                color=COLOURS[label],
                label=f"{label} exchange",
                linewidth=1.4,
            )
        ax.axhline(model.models[name].params.critical_mass, color="#ccc", linewidth=0.8)
        ax.set_title(f"{name}: {int(series['with'][name]['members'].iloc[-1])}", fontsize=9)
        ax.set_xlim(start, end)
        ax.set_ylim(0, top)
        ax.tick_params(labelsize=7)
    for ax in list(axes)[len(names) :]:
        ax.set_visible(False)
    axes[0].legend(fontsize=7, loc="upper left")
    fig.suptitle(f"Members per region, month {model.steps} of {model.horizon}", fontsize=10)
    fig.tight_layout()
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
    image = solara.use_memo(
        lambda: png(draw_regions(run.value)), [id(run.value), run.value.steps, tick.value]
    )
    rw.Image(value=image, format="png", layout={"max_width": "100%"})
    solara.HTML(unsafe_innerHTML=html_table(region_table(run.value)))


@solara.component
def Page():
    solara.Title("CSEI regions side by side")
    RegionsView()


page = Page
