"""Comparison view: two scenarios side by side over several replicates, as median lines with bands.

Each run goes through :func:`csei_sim.run.simulate` and is cached by its parameters and seed, so
adding replicates or switching back to a scenario seen before costs nothing.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import solara
from plotly.subplots import make_subplots

from csei_sim import presets
from csei_sim.params import Params
from csei_sim.run import simulate
from csei_sim.viz.charts import FONT_PX, WholeFigure, base_layout, html_table
from csei_sim.viz.downloads import csv_bytes
from csei_sim.viz.explorer_model import (
    DEFAULT,
    SLIDERS,
    build_params,
    default_inputs,
    preset_inputs,
)
from csei_sim.viz.inputs import BoundedSlider, ScenarioInputs

METRICS = {
    "members": "members",
    "mean_member_trust": "trust among members",
    "goal_consensus": "goal consensus",
    "balance": "budget balance (EUR)",
}
SUMMARY = {
    "final_members": "members at the end",
    "peak_members": "peak members",
    "time_to_critical_mass": "months to critical mass",
    "members_end_2030": "members end of 2030",
    "survival_after_funding": "survival after funding ends",
    "joint_projects": "joint projects",
    "total_exits": "exits",
}
COLOURS = {"A": "#1f77b4", "B": "#d62728"}
BAND = (0.1, 0.9)  # the band spans these quantiles of the replicates
REPLICATES = (2, 30, 8)  # min, max, default
MAX_SEED = 2**31 - 1
# what a cell says when no replicate has the outcome
NOT_REACHED = {
    "time_to_critical_mass": "not reached",
    "survival_after_funding": "funding does not end within the run",
}


@lru_cache(maxsize=512)
def _run(params_json: str, seed: int) -> tuple[pd.DataFrame, dict[str, Any]]:
    result = simulate(Params.from_dict(json.loads(params_json)), seed=seed)
    return result.timeseries[["date", *METRICS]].copy(), result.summary


def replicates(params: Params, seeds: list[int]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Time series (long: seed, step, metrics) and summaries (one row per seed) of ``params``."""
    key = json.dumps(params.to_dict(), sort_keys=True)
    runs = [(seed, *_run(key, seed)) for seed in seeds]
    series = pd.concat([ts.assign(seed=seed) for seed, ts, _ in runs]).rename_axis("step")
    summary = pd.DataFrame([{"seed": seed, **summ} for seed, _, summ in runs])
    return series.reset_index(), summary


@dataclass
class Comparison:
    """Replicates of scenarios A and B under the same seeds."""

    labels: dict[str, str]
    series: dict[str, pd.DataFrame]
    summary: dict[str, pd.DataFrame]
    seeds: list[int]


def label(inputs: dict[str, Any]) -> str:
    """Short name of a scenario: its presets, then the sliders moved away from them."""
    parts = [f"{g} {inputs[g]}" for g in presets.GROUPS if inputs[g] != DEFAULT]
    preset = preset_inputs(inputs)
    parts += [
        f"{spec.label.split(' (')[0].lower()} {inputs[spec.key]:g}"
        for spec in SLIDERS
        if inputs[spec.key] != preset[spec.key]
    ]
    return ", ".join(parts) or DEFAULT


def compare(a: dict[str, Any], b: dict[str, Any], n: int, first_seed: int) -> Comparison:
    """Run both scenarios with the seeds ``first_seed .. first_seed + n - 1``."""
    seeds = list(range(first_seed, first_seed + n))
    runs = {name: replicates(build_params(inputs), seeds) for name, inputs in (("A", a), ("B", b))}
    return Comparison(
        {"A": label(a), "B": label(b)},
        {k: v[0] for k, v in runs.items()},
        {k: v[1] for k, v in runs.items()},
        seeds,
    )


def bands(series: pd.DataFrame, metric: str) -> pd.DataFrame:
    """Per step: the lower band edge, the median and the upper band edge over replicates."""
    grouped = series.groupby("step")[metric]
    return pd.DataFrame(
        {
            "low": grouped.quantile(BAND[0]),
            "median": grouped.median(),
            "high": grouped.quantile(BAND[1]),
            "date": pd.to_datetime(series.groupby("step")["date"].first()),
        }
    )


def _rgba(hex_colour: str, alpha: float) -> str:
    r, g, b = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgba({r},{g},{b},{alpha})"


def draw_comparison(result: Comparison) -> go.Figure:
    """Four panels (members, trust, consensus, balance): per scenario a median line inside its
    band; hovering shows both medians and bands, a legend entry hides a scenario everywhere."""
    fig = make_subplots(
        rows=2,
        cols=2,
        shared_xaxes=True,
        subplot_titles=list(METRICS.values()),
        vertical_spacing=0.1,
        horizontal_spacing=0.09,
    )
    for k, metric in enumerate(METRICS):
        row, col = divmod(k, 2)
        for name, series in result.series.items():
            band = bands(series, metric)
            x = band["date"].dt.strftime("%Y-%m-%d").tolist()
            group = {"legendgroup": name, "row": row + 1, "col": col + 1}
            edge = {"mode": "lines", "line": {"width": 0}, "hoverinfo": "skip", "showlegend": False}
            fig.add_scatter(x=x, y=band["high"], **edge, **group)
            fig.add_scatter(
                x=x,
                y=band["low"],
                fill="tonexty",
                fillcolor=_rgba(COLOURS[name], 0.2),
                **edge,
                **group,
            )
            fig.add_scatter(
                x=x,
                y=band["median"],
                mode="lines",
                name=f"{name}: {result.labels[name]}",
                line={"color": COLOURS[name], "width": 2.5},
                customdata=band[["low", "high"]].to_numpy(),
                hovertemplate=f"{name} %{{y:.3g}} (%{{customdata[0]:.3g}}–%{{customdata[1]:.3g}})"
                "<extra></extra>",
                showlegend=k == 0,
                **group,
            )
    title = (
        f"Median and {BAND[0]:.0%}–{BAND[1]:.0%} band over {len(result.seeds)} "
        "replicates per scenario (same seeds)"
    )
    layout = base_layout(title, height=640)
    layout["legend"] = {"orientation": "h", "x": 0, "y": -0.08, "yanchor": "top"}
    layout["margin"] = {"l": 60, "r": 20, "t": 80, "b": 20}
    fig.update_layout(**layout)
    fig.update_annotations(font_size=FONT_PX)
    fig.update_xaxes(showgrid=True, gridcolor="#eee")
    fig.update_yaxes(showgrid=True, gridcolor="#eee")
    return fig


def _cell(values: pd.Series, missing: str = "n/a", count: bool = True) -> str:
    done = values.dropna()
    if done.empty:
        return f"{missing} (0/{len(values)} runs)" if count else missing
    text = f"{done.median():.3g} ({done.quantile(BAND[0]):.3g}–{done.quantile(BAND[1]):.3g})"
    return text if len(done) == len(values) else f"{text} in {len(done)}/{len(values)} runs"


def summary_table(result: Comparison) -> pd.DataFrame:
    """Median (band) of each summary outcome, one column per scenario."""
    rows = []
    for key, title in SUMMARY.items():
        row = {"outcome": title}
        for name, summ in result.summary.items():
            values = pd.to_numeric(summ[key], errors="coerce") if key in summ else pd.Series([])
            missing = NOT_REACHED.get(key, "n/a")
            count = key != "survival_after_funding"  # the same for every run: no count
            row[name] = _cell(values.astype(float), missing, count) if len(values) else "n/a"
        rows.append(row)
    archetypes = {n: s["archetype"].mode().iloc[0] for n, s in result.summary.items()}
    rows.append({"outcome": "most common archetype", **archetypes})
    return pd.DataFrame(rows)


def _contrasting_inputs() -> dict[str, Any]:
    """Scenario B: the defaults with twice the facilitation, so a first run shows a contrast."""
    inputs = default_inputs()
    return {**inputs, "facilitation_hours": min(200.0, float(inputs["facilitation_hours"]) * 2)}


@solara.component
def CompareView(sidebar_inputs: dict[str, Any]):
    """Two scenario columns, replicate count and seed, a Run button, then bands and a table."""
    a = solara.use_reactive(solara.use_memo(lambda: dict(sidebar_inputs), []))
    b = solara.use_reactive(solara.use_memo(_contrasting_inputs, []))
    n = solara.use_reactive(REPLICATES[2])
    first_seed = solara.use_reactive(1)
    task = solara.lab.use_task(compare, dependencies=None, raise_error=False)
    with solara.Columns([1, 1]):
        for name, values in (("A", a), ("B", b)):
            with solara.Card(f"Scenario {name}"):
                solara.Button(
                    "Copy from sidebar",
                    text=True,
                    icon_name="mdi-content-copy",
                    on_click=lambda v=values: v.set(dict(sidebar_inputs)),
                )
                ScenarioInputs(values, show_seed=False)
    with solara.Row(style={"align-items": "center"}):
        BoundedSlider(
            f"Replicates per scenario: {n.value}",
            value=n.value,
            lo=REPLICATES[0],
            hi=REPLICATES[1],
            step=1,
            on_value=n.set,
            is_int=True,
            style="min-width: 260px",
        )
        solara.InputInt(
            "First seed",
            value=first_seed.value,
            continuous_update=False,
            on_value=lambda v: first_seed.set(int(np.clip(v, 0, MAX_SEED))),
        )
        solara.Button(
            "Run comparison",
            color="primary",
            disabled=task.pending,
            on_click=lambda: task(a.value, b.value, n.value, first_seed.value),
        )
    ComparisonResult(task)


@solara.component
def ComparisonResult(task):
    if task.pending:
        solara.ProgressLinear(True)
        solara.Text("Running the replicates…")
    elif task.error:
        solara.Error(f"The comparison failed: {task.exception}")
    elif task.finished and task.value is not None:
        result: Comparison = task.value
        fig = solara.use_memo(lambda: draw_comparison(result), [result])
        WholeFigure(fig, f"comparison-{id(result)}")
        table = summary_table(result)
        solara.HTML(unsafe_innerHTML=html_table(table))
        solara.FileDownload(
            lambda: csv_bytes(table),
            filename="csei-comparison.csv",
            label="Download this table (CSV)",
        )
    else:
        solara.Text("Choose two scenarios and press Run comparison.", style={"color": "#777"})
