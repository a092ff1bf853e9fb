"""The model the explorer builds: presets chosen in the sidebar plus a few bounded sliders.

Choosing a preset sets the sliders to that preset's values; moving a slider then overrides it. The
page keeps all inputs in one dictionary whose keys are :class:`ExplorerModel`'s keyword arguments,
so Mesa's ``ModelController`` rebuilds the model from it on Reset.
"""

from __future__ import annotations

import threading
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from typing import Any

from csei_sim import presets
from csei_sim.model import CSEIModel
from csei_sim.months import month_index
from csei_sim.params import Params, field_specs

DEFAULT = "model defaults"  # the choice that applies no preset of a group
PREFERRED = {"region": "generic"}  # first choice shown when that preset exists
DEFAULT_SEED = "2025"


@dataclass(frozen=True)
class SliderSpec:
    """A bounded slider for one parameter; the range lies within the parameter's allowed range."""

    key: str  # keyword of ExplorerModel
    group: str  # Params group that holds the field
    field: str  # field name in that group
    label: str
    lo: float
    hi: float
    step: float

    @property
    def is_int(self) -> bool:
        return all(float(x).is_integer() for x in (self.lo, self.hi, self.step))

    def allowed(self) -> tuple[float, float]:
        """The parameter's own range from its metadata (the grant end is a year of a month)."""
        if self.key == "grant_end_year":
            return 1900, 2999
        meta = field_specs(type(getattr(Params(), self.group)))[self.field][1]
        return meta["lo"], meta["hi"]

    def bounds(self, value: float | None = None) -> tuple[float, float]:
        """Slider range, widened to show a preset value beyond it, never beyond what is allowed."""
        lo, hi = self.allowed()
        low, high = self.lo, self.hi
        if value is not None:
            low, high = min(low, value), max(high, value)
        return max(low, lo), min(high, hi)


SLIDERS: tuple[SliderSpec, ...] = (
    SliderSpec(
        "n_organisations", "region", "n_organisations", "Organisations in the region", 10, 300, 10
    ),
    SliderSpec("initial_trust", "region", "initial_trust", "Initial trust", 0.0, 1.0, 0.05),
    SliderSpec("vision_spread", "region", "vision_spread", "Vision spread", 0.0, 1.0, 0.05),
    SliderSpec(
        "committed_amount",
        "funding",
        "committed_amount",
        "Committed grant (EUR/month)",
        0,
        30_000,
        500,
    ),
    SliderSpec(
        "grant_end_year", "funding", "committed_end", "Grant ends (December of year)", 2025, 2040, 1
    ),
    SliderSpec(
        "facilitation_hours",
        "facilitation",
        "facilitation_hours",
        "Facilitation hours per month",
        0,
        200,
        5,
    ),
)
SLIDER_BY_KEY = {s.key: s for s in SLIDERS}


def choices(group: str) -> list[str]:
    """Options of a preset group: the preferred preset or "model defaults" first, then the rest."""
    try:
        names = presets.options(group)
    except FileNotFoundError:  # a group without a folder has no presets yet
        names = []
    first = PREFERRED.get(group)
    if first in names:
        return [first] + [n for n in names if n != first]
    return [DEFAULT, *names]


def compose(chosen: dict[str, str]) -> dict[str, Any]:
    """Nested parameters from the chosen presets (groups left at "model defaults" are skipped)."""
    picked = {g: chosen[g] for g in presets.GROUPS if chosen.get(g, DEFAULT) != DEFAULT}
    return presets.compose(**picked)


def slider_values(params: Params) -> dict[str, Any]:
    """Current values of the slider parameters in ``params``."""
    out: dict[str, Any] = {}
    for spec in SLIDERS:
        value = getattr(getattr(params, spec.group), spec.field)
        if spec.key == "grant_end_year":
            value = int(value[:4])
        out[spec.key] = int(round(value)) if spec.is_int else float(value)
    return out


def preset_inputs(chosen: dict[str, str]) -> dict[str, Any]:
    """Slider values that the chosen presets set."""
    return slider_values(Params.from_dict(compose(chosen)))


def default_inputs() -> dict[str, Any]:
    """The page's starting inputs: the first choice of each group and its slider values."""
    chosen = {group: choices(group)[0] for group in presets.GROUPS}
    return {**chosen, **preset_inputs(chosen), "rng": DEFAULT_SEED}


def build_params(inputs: dict[str, Any]) -> Params:
    """Params from presets plus slider overrides; combinations the sliders reach are kept valid."""
    nested = compose(inputs)
    base = Params.from_dict(nested)
    flat: dict[str, Any] = {}
    for spec in SLIDERS:
        value = inputs.get(spec.key)
        if value is None:
            continue
        if spec.key == "grant_end_year":
            # the grant cannot end before it starts: keep the end in the start's year or later
            start_year = month_index(base.funding.committed_start) // 12
            flat["committed_end"] = f"{max(int(value), start_year):04d}-12"
        else:
            flat[spec.field] = int(value) if spec.is_int else float(value)
    n = flat.get("n_organisations", base.region.n_organisations)
    flat["core_size"] = min(base.region.core_size, n)
    return Params.from_dict(nested, **flat)


class ExplorerModel(CSEIModel):
    """CSEIModel built from preset names and slider values (the explorer's inputs).

    Every argument has a default, so ``ExplorerModel()`` is the page's starting model. ``rng`` may
    be text, as Mesa's and the explorer's seed boxes pass it; empty text means a fresh seed.
    """

    def __init__(
        self,
        region: str = DEFAULT,
        governance: str = DEFAULT,
        funding: str = DEFAULT,
        facilitation: str = DEFAULT,
        n_organisations: int | None = None,
        initial_trust: float | None = None,
        vision_spread: float | None = None,
        committed_amount: float | None = None,
        grant_end_year: int | None = None,
        facilitation_hours: float | None = None,
        rng: Any = None,
    ):
        self.inputs = {k: v for k, v in locals().items() if k not in ("self", "__class__")}
        super().__init__(build_params(self.inputs), rng=rng)
        # Play steps the model in one thread while panels may be drawn in another: a step and a
        # drawing never overlap, so no panel sees a half-updated month.
        self.lock = threading.RLock()
        unlocked_step = self.step  # Mesa's wrapper that advances time and calls our step

        def step() -> None:
            with self.lock:
                # the Step button calls step() whether or not the run is over: stop at the horizon
                if self.steps < self.params.steps:
                    unlocked_step()

        self.step = step


def model_lock(model: CSEIModel) -> AbstractContextManager:
    """The lock that keeps drawing and stepping apart (none for a model outside the explorer)."""
    return getattr(model, "lock", None) or nullcontext()


def mesa_model_params() -> dict[str, dict[str, Any]]:
    """The same inputs as ``model_params`` for Mesa's stock ``SolaraViz(ExplorerModel(), ...)``.

    Mesa's own sidebar does not move sliders when a preset changes (the explorer's page does);
    its seed box hands over text, which ExplorerModel accepts.
    """
    inputs = default_inputs()
    params: dict[str, dict[str, Any]] = {
        group: {
            "type": "Select",
            "value": inputs[group],
            "values": choices(group),
            "label": group.capitalize(),
        }
        for group in presets.GROUPS
    }
    for spec in SLIDERS:
        kind = "SliderInt" if spec.is_int else "SliderFloat"
        lo, hi = spec.bounds(inputs[spec.key])
        params[spec.key] = {
            "type": kind,
            "value": inputs[spec.key],
            "min": lo,
            "max": hi,
            "step": spec.step,
            "label": spec.label,
        }
    params["rng"] = {"type": "InputText", "value": DEFAULT_SEED, "label": "Seed"}
    return params
