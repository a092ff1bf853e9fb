"""Sidebar inputs: preset choices, bounded sliders and the seed box, all in one reactive dict."""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import partial
from typing import Any

import reacton.ipyvuetify as rv
import solara

from csei_sim import presets
from csei_sim.model import CSEIModel, _check_rng
from csei_sim.params import ParameterError
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


def seed_error(text: Any) -> str:
    """Why ``text`` is not a seed ``CSEIModel`` accepts (its own message), or "" if it is."""
    if not isinstance(text, str):
        return f"Seed: expected {SEED_HELP}; got {text!r}."
    try:
        _check_rng(text)
    except ParameterError as err:
        return f"Seed {err} ({SEED_HELP})."
    return ""


def valid_seed(text: Any) -> bool:
    return seed_error(text) == ""


@solara.component
def BoundedSlider(
    label: str,
    value: float,
    lo: float,
    hi: float,
    step: float,
    on_value: Callable[[float], None],
    is_int: bool = False,
    style: str | None = None,
):
    """A slider whose value is checked on the server before use: a browser can send anything
    (text, null, a list) as a widget's value; that keeps the old value instead of an error."""

    def on_v_model(raw: Any) -> None:
        new = clamp(raw, lo, hi, value)
        on_value(int(round(new)) if is_int else new)

    return rv.Slider(
        v_model=value,
        label=label,
        min=lo,
        max=hi,
        step=step,
        on_v_model=on_v_model,
        thumb_label=True,
        dense=True,
        hide_details=True,
        class_="solara-input-slider",
        style_=style or "",
    )


def _fmt(spec: SliderSpec, value: float) -> str:
    if spec.key == "grant_end_year":
        return str(int(value))
    return f"{value:,.0f}" if spec.is_int else f"{value:.2f}"


@solara.component
def ScenarioInputs(values: solara.Reactive[dict], show_seed: bool = True):
    """Selects for the four preset groups, the key sliders and (optionally) the seed box."""
    current = values.value

    def on_preset(group: str, name: Any) -> None:
        if isinstance(name, str) and name in choices(group):  # only the options offered
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
        BoundedSlider(
            f"{spec.label}: {_fmt(spec, value)}",
            value=value,
            lo=lo,
            hi=hi,
            step=spec.step,
            on_value=partial(on_slider, spec.key),
            is_int=spec.is_int,
        )
    if show_seed:
        SeedInput(values)


@solara.component
def SeedInput(values: solara.Reactive[dict]):
    """Seed box: text, as in Mesa's seed box; only a whole number or nothing is passed on."""
    text, set_text = solara.use_state(str(values.value.get("rng", "")))
    error = seed_error(text)
    if error:  # say what Reset does meanwhile, rather than quietly using the last good seed
        kept = values.value.get("rng", "") or "a new random seed"
        error += f" Until it is corrected, Reset uses {kept}."

    def on_text(new: Any) -> None:
        if not isinstance(new, str):  # a crafted message: keep what the box holds
            return
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
    _moves, set_moves = solara.use_state(0)  # the model's params are mutable: re-render on a move

    def on_value(spec: SliderSpec, value: float) -> None:
        old = getattr(getattr(model.params, spec.group), spec.field)
        setattr(getattr(model.params, spec.group), spec.field, clamp(value, *spec.allowed(), old))
        set_moves(lambda k: k + 1)

    for spec in LIVE_LEVERS:
        value = float(getattr(getattr(model.params, spec.group), spec.field))
        lo, hi = spec.bounds(value)
        BoundedSlider(
            f"{spec.label}: {value:.2f}",
            value=value,
            lo=lo,
            hi=hi,
            step=spec.step,
            on_value=partial(on_value, spec),
        )
