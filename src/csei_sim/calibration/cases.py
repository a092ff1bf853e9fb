"""Calibration cases: a YAML file of base configuration, dated observations and priors.

A case is checked in full when it is loaded: every key is known, every prior names a model
parameter (``group.name`` as in :mod:`csei_sim.params`, or a top-level key) and lies within that
parameter's allowed range, and every observation has a month, a count or a range, and a source.
A fault raises :class:`~csei_sim.params.ParameterError` naming the key, as bad parameters do.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from importlib.resources import files
from pathlib import Path
from typing import Any

import yaml

from csei_sim import presets
from csei_sim.calibration import preset_ranges
from csei_sim.months import month_index
from csei_sim.params import _GROUPS, ParameterError, Params, field_specs

# shipped cases are package data of csei_sim.calibration, outside the Hydra config path (a folder
# under configs/ would show up in `csei-sim --help` as a config group)
CASE_DIR = Path(str(files("csei_sim.calibration") / "cases"))
# the presets a case builds on, with the defaults of configs/config.yaml
BASE_DEFAULTS = {
    "region": "generic",
    "governance": "informal",
    "funding": "none",
    "facilitation": "light",
}
BASE_GROUPS = tuple(BASE_DEFAULTS)
USES = ("fit", "check")  # fit: used by the calibration; check: only scored by --validate
DISTS = ("uniform", "loguniform")
STATISTICS = ("members",)
_TOP_KEYS = {"name", "description", "base", "observations", "priors", "distance", "abc"}
_BASE_KEYS = {*BASE_GROUPS, "start", "overrides"}
_OBS_KEYS = {"date", "members", "source", "use"}
_PRIOR_KEYS = {"dist", "lo", "hi", "integer", "why"}
_DISTANCE_KEYS = {"statistic", "scale"}
_ABC_KEYS = {"populations", "population_size", "min_epsilon"}


@dataclass(frozen=True)
class Observation:
    """A dated count of members, or a range where sources disagree or round."""

    date: str
    lo: float
    hi: float
    source: str
    use: str = "fit"

    @property
    def mid(self) -> float:
        return (self.lo + self.hi) / 2


@dataclass(frozen=True)
class Prior:
    """The prior of one free parameter: uniform (or log-uniform) on [lo, hi]."""

    key: str  # "group.name" or a top-level key
    lo: float
    hi: float
    why: str
    dist: str = "uniform"
    integer: bool = False


@dataclass
class Case:
    name: str
    description: str
    base: dict[str, Any]  # nested parameters (groups and top-level keys)
    observations: list[Observation]
    priors: list[Prior]
    scale: float = 0.1  # a miss is measured in shares of the observed value (at least 1 member)
    populations: int = 6
    population_size: int = 60
    min_epsilon: float = 0.0
    path: Path | None = None
    choices: dict[str, str] = field(default_factory=dict)

    @property
    def fitted(self) -> list[Observation]:
        return [o for o in self.observations if o.use == "fit"]

    @property
    def steps(self) -> int:
        """Months to simulate: up to the last observation."""
        start = self.base.get("start", Params().start)
        return max(month_index(o.date) - month_index(start) + 1 for o in self.observations)

    def step_of(self, date: str) -> int:
        start = self.base.get("start", Params().start)
        return month_index(date) - month_index(start) + 1


# -- loading ---------------------------------------------------------------------------------


def case_names() -> list[str]:
    """The cases shipped in csei_sim/calibration/cases/."""
    return sorted(p.stem for p in CASE_DIR.glob("*.yaml"))


def resolve(case: str | Path) -> Path:
    """A case name (shipped) or a path to a user's YAML file."""
    path = Path(case)
    if path.suffix in (".yaml", ".yml") or path.exists():
        if not path.is_file():
            raise ParameterError("case", f"no such file: {path}")
        return path
    shipped = CASE_DIR / f"{case}.yaml"
    if not shipped.is_file():
        raise ParameterError("case", f"unknown case {case!r}; shipped: {', '.join(case_names())}")
    return shipped


def load_case(case: str | Path) -> Case:
    """Read and check a case file; raise ParameterError naming the first bad key."""
    path = resolve(case)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as err:
        raise ParameterError("case", f"{path} is not valid YAML: {err}".splitlines()[0]) from None
    if not isinstance(data, dict):
        raise ParameterError("case", f"{path} must hold a mapping of keys")
    return parse_case(data, path=path)


def parse_case(data: dict[str, Any], path: Path | None = None) -> Case:
    _unknown("", data, _TOP_KEYS)
    name = str(data.get("name") or (path.stem if path else "case"))
    base, choices = _base(data.get("base") or {})
    observations = _observations(data.get("observations"), base)
    priors = _priors(data.get("priors"), choices)
    case = Case(
        name=name,
        description=str(data.get("description", "")).strip(),
        base=base,
        observations=observations,
        priors=priors,
        path=path,
        choices=choices,
    )
    _distance(data.get("distance") or {}, case)
    _abc(data.get("abc") or {}, case)
    return case


def _unknown(prefix: str, data: Any, allowed: set[str]) -> None:
    if not isinstance(data, dict):
        raise ParameterError(prefix.rstrip(".") or "case", f"expected a mapping, got {data!r}")
    for key in data:
        if key not in allowed:
            raise ParameterError(
                f"{prefix}{key}", f"unknown key; allowed: {', '.join(sorted(allowed))}"
            )


def _base(data: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """Nested parameters from the named presets, the start month and flat overrides."""
    _unknown("base.", data, _BASE_KEYS)
    choices = {group: str(data.get(group, name)) for group, name in BASE_DEFAULTS.items()}
    nested: dict[str, Any] = {}
    for group, name in choices.items():
        try:
            nested[group] = presets.load(group, name)
        except KeyError as err:
            raise ParameterError(f"base.{group}", str(err.args[0])) from None
    if "start" in data:
        nested["start"] = str(data["start"])
    for key, value in (data.get("overrides") or {}).items():
        group, name = split_key(key, f"base.overrides.{key}")
        if group is None:
            nested[name] = value
        else:
            nested.setdefault(group, {})[name] = value
    try:
        Params.from_dict(nested)
    except ParameterError as err:
        raise ParameterError(f"base.{err.key}", str(err).split(": ", 1)[1]) from None
    return nested, choices


def split_key(key: str, where: str) -> tuple[str | None, str]:
    """``"behaviour.threshold_mean"`` -> ("behaviour", "threshold_mean"); top-level keys alone."""
    top = {f.name for f in dataclasses.fields(Params) if f.name not in _GROUPS}
    if "." not in key:
        if key in top:
            return None, key
        raise ParameterError(where, "name a parameter as group.name, e.g. region.core_size")
    group, name = key.split(".", 1)
    if group not in _GROUPS:
        raise ParameterError(where, f"unknown group {group!r}; allowed: {', '.join(_GROUPS)}")
    if name not in field_specs(_GROUPS[group]):
        allowed = ", ".join(field_specs(_GROUPS[group]))
        raise ParameterError(where, f"unknown parameter of {group}; allowed: {allowed}")
    return group, name


def param_spec(key: str, where: str) -> tuple[type, dict]:
    group, name = split_key(key, where)
    cls = Params if group is None else _GROUPS[group]
    return field_specs(cls)[name]


def _observations(data: Any, base: dict[str, Any]) -> list[Observation]:
    if not isinstance(data, list) or not data:
        raise ParameterError("observations", "give a list of dated observations")
    start = month_index(base.get("start", Params().start))
    out = []
    for i, item in enumerate(data):
        where = f"observations[{i}]"
        _unknown(f"{where}.", item, _OBS_KEYS)
        date = str(item.get("date", ""))
        try:
            Params.from_dict(start=date)
        except ParameterError:
            raise ParameterError(
                f"{where}.date", f"expected a month YYYY-MM, got {date!r}"
            ) from None
        if month_index(date) < start:
            raise ParameterError(f"{where}.date", f"{date} is before the start month")
        lo, hi = _count(item.get("members"), f"{where}.members")
        source = str(item.get("source") or "").strip()
        if not source:
            raise ParameterError(f"{where}.source", "every observation names its source")
        use = str(item.get("use", "fit"))
        if use not in USES:
            raise ParameterError(f"{where}.use", f"{use!r} is not one of: {', '.join(USES)}")
        out.append(Observation(date, lo, hi, source, use))
    return out


def _count(value: Any, where: str) -> tuple[float, float]:
    """A count (12) or a range ([50, 70]) of members."""
    pair = value if isinstance(value, list) else [value, value]
    if len(pair) != 2 or not all(
        isinstance(v, int | float) and not isinstance(v, bool) for v in pair
    ):
        raise ParameterError(where, f"expected a count or a range [lo, hi], got {value!r}")
    lo, hi = float(pair[0]), float(pair[1])
    if not 0 <= lo <= hi:
        raise ParameterError(where, f"expected 0 <= lo <= hi, got {value!r}")
    return lo, hi


def _priors(data: Any, choices: dict[str, str]) -> list[Prior]:
    if not isinstance(data, dict) or not data:
        raise ParameterError("priors", "give at least one free parameter, e.g. behaviour.join_rate")
    out = []
    for key, spec in data.items():
        where = f"priors.{key}"
        spec = spec or {}
        _unknown(f"{where}.", spec, _PRIOR_KEYS)
        kind, meta = param_spec(key, where)
        if kind not in (int, float):
            raise ParameterError(where, "only numeric parameters can be fitted")
        lo, hi = spec.get("lo"), spec.get("hi")
        if lo is None or hi is None:
            lo, hi = _preset_default(key, choices, where)
        for bound, v in (("lo", lo), ("hi", hi)):
            if isinstance(v, bool) or not isinstance(v, int | float):
                raise ParameterError(f"{where}.{bound}", f"expected a number, got {v!r}")
        if not lo < hi:
            raise ParameterError(where, f"expected lo < hi, got [{lo}, {hi}]")
        if meta.get("lo") is not None and not meta["lo"] <= lo < hi <= meta["hi"]:
            raise ParameterError(
                where, f"[{lo}, {hi}] leaves the allowed range [{meta['lo']}, {meta['hi']}]"
            )
        dist = str(spec.get("dist", "uniform"))
        if dist not in DISTS:
            raise ParameterError(f"{where}.dist", f"{dist!r} is not one of: {', '.join(DISTS)}")
        if dist == "loguniform" and lo <= 0:
            raise ParameterError(f"{where}.lo", "a log-uniform prior needs lo > 0")
        why = str(spec.get("why") or "").strip()
        if not why:
            raise ParameterError(f"{where}.why", "every prior says in one line why this range")
        integer = bool(spec.get("integer", kind is int))
        out.append(Prior(key, float(lo), float(hi), why, dist, integer))
    return out


def _preset_default(key: str, choices: dict[str, str], where: str) -> tuple[float, float]:
    """No lo/hi given: the range the base preset states for the key."""
    group, name = split_key(key, where)
    span = preset_ranges.preset_range(group, choices[group], name) if group in choices else None
    if span is None or isinstance(span[0], str):
        raise ParameterError(
            where, "give lo and hi (the base preset states no numeric range for this key)"
        )
    return span


def _distance(data: dict[str, Any], case: Case) -> None:
    _unknown("distance.", data, _DISTANCE_KEYS)
    statistic = str(data.get("statistic", "members"))
    if statistic not in STATISTICS:
        raise ParameterError(
            "distance.statistic", f"{statistic!r} is not one of: {', '.join(STATISTICS)}"
        )
    scale = data.get("scale", case.scale)
    if isinstance(scale, bool) or not isinstance(scale, int | float) or not 0 < scale <= 10:
        raise ParameterError("distance.scale", f"expected a number in (0, 10], got {scale!r}")
    case.scale = float(scale)


def _abc(data: dict[str, Any], case: Case) -> None:
    _unknown("abc.", data, _ABC_KEYS)
    for key, lo, hi in (("populations", 1, 100), ("population_size", 2, 100_000)):
        value = data.get(key, getattr(case, key))
        if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
            raise ParameterError(
                f"abc.{key}", f"expected an integer in [{lo}, {hi}], got {value!r}"
            )
        setattr(case, key, value)
    eps = data.get("min_epsilon", case.min_epsilon)
    if isinstance(eps, bool) or not isinstance(eps, int | float) or eps < 0:
        raise ParameterError("abc.min_epsilon", f"expected a number >= 0, got {eps!r}")
    case.min_epsilon = float(eps)
