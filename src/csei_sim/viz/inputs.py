"""Sidebar inputs: preset choices, bounded sliders and the seed box, all in one reactive dict."""

from __future__ import annotations

import math
from functools import partial
from typing import Any

import solara
from mesa.visualization.utils import force_update, update_counter

from csei_sim import presets
from csei_sim.model import CSEIModel
from csei_sim.viz.explorer_model import (
    SLIDER_BY_KEY,
    SLIDERS,
    SliderSpec,
    choices,
    preset_inputs,
)

GROUP_LABELS = {
    "region": "Region",
    "governance": "Governance mode",
    "funding": "Funding scenario",
    "facilitation": "Facilitation level",
}
SEED_HELP = "a whole number such as 42, or empty for a new random seed"


def choose_preset(values: dict[str, Any], group: str, name: str) -> dict[str, Any]:
    """Inputs after choosing a preset: the sliders take the values the presets set."""
    new = {**values, group: name}
    return {**new, **preset_inputs(new)}


def clamp(value: Any, lo: float, hi: float, fallback: float) -> float:
    """``value`` within [lo, hi]; ``fallback`` when it is not a finite number. A browser can send
    any value for a widget, so the server bounds every input itself."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return fallback
    return min(max(number, lo), hi) if math.isfinite(number) else fallback


def valid_seed(text: str) -> bool:
    return text.strip() == "" or text.strip().isdigit()


def _fmt(spec: SliderSpec, value: float) -> str:
    if spec.key == "grant_end_year":
        return str(int(value))
    return f"{value:,.0f}" if spec.is_int else f"{value:.2f}"


@solara.component
def ScenarioInputs(values: solara.Reactive[dict], show_seed: bool = True):
    """Selects for the four preset groups, the key sliders and (optionally) the seed box."""
    current = values.value

    def on_preset(group: str, name: str) -> None:
        if name in choices(group):  # only the options offered
            values.set(choose_preset(values.value, group, name))

    def on_slider(key: str, value: float) -> None:
        spec, old = SLIDER_BY_KEY[key], values.value[key]
        new = clamp(value, *spec.bounds(old), fallback=old)  # the range the slider shows
        values.set({**values.value, key: int(round(new)) if spec.is_int else new})

    for group in presets.GROUPS:
        solara.Select(
            label=GROUP_LABELS[group],
            value=current[group],
            values=choices(group),
            on_value=partial(on_preset, group),
        )
    for spec in SLIDERS:
        value = current[spec.key]
        lo, hi = spec.bounds(value)
        slider = solara.SliderInt if spec.is_int else solara.SliderFloat
        slider(
            f"{spec.label}: {_fmt(spec, value)}",
            value=value,
            min=lo,
            max=hi,
            step=spec.step,
            on_value=partial(on_slider, spec.key),
        )
    if show_seed:
        SeedInput(values)


@solara.component
def SeedInput(values: solara.Reactive[dict]):
    """Seed box: text, as in Mesa's seed box; only a whole number or nothing is passed on."""
    text, set_text = solara.use_state(str(values.value.get("rng", "")))
    error = "" if valid_seed(text) else f"Seed: expected {SEED_HELP}; got {text!r}."

    def on_text(new: str) -> None:
        set_text(new)
        if valid_seed(new):
            values.set({**values.value, "rng": new.strip()})

    solara.InputText(
        "Seed",
        value=text,
        on_value=on_text,
        continuous_update=False,
        error=error or False,
        message=None if error else SEED_HELP,
    )


# Parameters the model reads every step, so they can change while it runs (until the next Reset).
LIVE_LEVERS: tuple[SliderSpec, ...] = (
    SliderSpec(
        "facilitation_effectiveness",
        "facilitation",
        "facilitation_effectiveness",
        "Facilitation effectiveness",
        0.0,
        3.0,
        0.1,
    ),
    SliderSpec(
        "mission_skill", "facilitation", "mission_skill", "Mission framing skill", 0.0, 3.0, 0.1
    ),
    SliderSpec(
        "confidence", "behaviour", "confidence", "Confidence (peer exchange)", -1.0, 1.0, 0.05
    ),
)


@solara.component
def LiveLevers(model: CSEIModel):
    """Sliders that change the running model at once; Reset restores the scenario values."""
    update_counter.get()

    def on_value(spec: SliderSpec, value: float) -> None:
        old = getattr(getattr(model.params, spec.group), spec.field)
        setattr(getattr(model.params, spec.group), spec.field, clamp(value, *spec.allowed(), old))
        force_update()

    for spec in LIVE_LEVERS:
        value = float(getattr(getattr(model.params, spec.group), spec.field))
        lo, hi = spec.bounds(value)
        solara.SliderFloat(
            f"{spec.label}: {value:.2f}",
            value=value,
            min=lo,
            max=hi,
            step=spec.step,
            on_value=partial(on_value, spec),
        )
