"""The factor space of the sensitivity analyses: which parameters vary, over which sub-ranges.

Every numeric parameter of the region, governance, funding, facilitation and behaviour groups is
either a factor with an analysis range (``RANGES``, inside the parameter's allowed range from
:func:`csei_sim.params.field_specs`) or listed in ``EXCLUDED`` with the reason. Shares that must sum
to one are varied through one derived factor each:

- ``share_ngo``: the NGO share; the other three sector shares keep their base proportions and are
  rescaled to fill the rest;
- ``share_mission`` and ``outreach_fraction``: the mission share of facilitation hours, and the part
  of the remaining hours spent on outreach (the rest goes to dialogue events).

Ranges span the region presets and plausible values around the defaults; they are assumptions of the
analysis, stated in the report next to every result.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from csei_sim import presets
from csei_sim.params import ParameterError, Params, field_specs

GROUPS = ("region", "governance", "funding", "facilitation", "behaviour")
REGION_SHARES = ("share_municipality", "share_ngo", "share_firm", "share_university")

# name -> (low, high, why this range); analysis sub-ranges of the allowed ranges
RANGES: dict[str, tuple[float, float, str]] = {
    # region
    "n_organisations": (30, 120, "region presets span 25 (Võru) to 120 (Hamburg)"),
    "share_ngo": (0.25, 0.55, "presets 0.30-0.50; other sectors rescaled in proportion"),
    "core_size": (3, 12, "seed: 'four or five engaged actors'; Hamburg preset 12"),
    "initial_aware_share": (0.15, 0.5, "presets 0.2-0.5"),
    "mean_degree": (4, 9, "presets 5-8"),
    "cross_sector_share": (0.2, 0.45, "presets 0.25-0.40"),
    "community_size": (40, 120, "default 80; acts where the pool is larger"),
    "initial_trust": (0.35, 0.55, "presets 0.40-0.50"),
    "trust_spread": (0.05, 0.15, "default 0.1 +-50%"),
    "cross_sector_trust_gap": (0.05, 0.15, "presets 0.08-0.12"),
    "vision_spread": (0.1, 0.4, "presets 0.15-0.35"),
    "sector_vision_gap": (0.05, 0.25, "presets 0.1-0.2"),
    "threshold_mean": (0.15, 0.35, "presets 0.22-0.30"),
    "threshold_spread": (0.05, 0.2, "around Granovetter's tipping spread of about 0.1"),
    # governance
    "shared_capacity": (20, 60, "default 40, halved to 1.5x; scaled by trust x consensus"),
    "capacity_per_fte": (60, 180, "default 120 members per paid office post, halved to 1.5x"),
    "setup_months": (0, 12, "none to a year; Pomorskie's rules, legal form, services: 2025"),
    "setup_hours": (0, 32, "default 16 h/month of set-up workshops, none to twice it"),
    "setup_cost": (0, 2000, "default 1000 EUR/month, none to twice it"),
    "deformalise_months": (3, 12, "default 6 unpaid months before an office closes"),
    "open_call_interval": (0, 12, "none (0, the default) to a yearly call"),
    "open_call_reach": (0.1, 0.5, "default 0.3"),
    "open_call_bar": (0.3, 0.7, "default 0.5"),
    "hours_per_capacity": (4, 16, "default 8, halved and doubled"),
    "office_cost": (1500, 5000, "default 3000 EUR/month"),
    "formal_fee": (0, 60, "default 30 EUR/month"),
    "entry_min_capacity": (0.1, 0.5, "default 0.3"),
    "formal_grant_multiplier": (1, 2.5, "default 1.5"),
    "formalise_min_members": (8, 25, "default 15 (the critical mass)"),
    "formalise_min_trust": (0.25, 0.5, "default 0.35"),
    "office_staff": (0.25, 2.0, "default 0.5 FTE; a quarter post to two posts"),
    "office_recruit_share": (0.1, 0.5, "default 0.25"),
    "vacancy_unplanned": (0.25, 0.75, "default 0.5 +-50%"),
    # funding (the committed grant always ends in 2030-12, so survival is defined)
    "committed_amount": (4000, 12000, "committed_2030 preset 8000 EUR/month, halved to 1.5x"),
    "taper_months": (0, 24, "cliff (0) to the taper preset (24)"),
    "grant_win_rate": (0, 0.1, "none to a little above the project_grants preset (0.08)"),
    "grant_amount": (2000, 6000, "default 4000 EUR/month"),
    "grant_duration": (12, 36, "default 24 months"),
    "max_concurrent_grants": (1, 3, "default 2"),
    "grant_min_members": (2, 8, "default 3"),
    "membership_fee": (0, 60, "none to above the fees_only preset (50)"),
    "planning_horizon": (24, 60, "default 36 months"),
    # facilitation (paid by the sponsor, as in the presets)
    "facilitation_hours": (10, 140, "below light (40) to intensive (140)"),
    "share_mission": (0.1, 0.5, "presets 0.2-0.5"),
    "outreach_fraction": (0.25, 0.75, "outreach part of non-mission hours; presets 0.375-0.5"),
    "facilitation_effectiveness": (0.5, 1.5, "default 1 +-50%"),
    "mission_skill": (0.5, 1.5, "presets 1.0-1.5"),
    "reach_per_hour": (0.1, 0.4, "default 0.25"),
    "hours_per_event": (4, 16, "default 8"),
    "event_size": (6, 16, "default 10"),
    "dialogue_trust_gain": (0.05, 0.15, "default 0.1 +-50%"),
    "host_share": (0.3, 0.7, "default 0.5"),
    "event_tie_chance": (0.1, 0.4, "default 0.2, halved and doubled"),
    "hours_per_consultation": (2, 8, "default 4, halved and doubled"),
    "mission_rate": (0.02, 0.08, "default 0.05"),
    # behaviour: defaults +-30-60%
    "collab_rate": (0.08, 0.25, "default 0.15"),
    "base_success": (0.25, 0.45, "default 0.35"),
    "trust_gain": (0.1, 0.2, "default 0.15"),
    "trust_loss": (0.1, 0.3, "default 0.2"),
    "trust_decay": (0.005, 0.02, "default 0.01"),
    "stranger_share": (0.1, 0.3, "default 0.2"),
    "pilot_share": (0.15, 0.35, "default 0.25"),
    "join_rate": (0.3, 0.7, "default 0.35 to twice it"),
    "leave_rate": (0.03, 0.1, "default 0.06"),
    "recruit_rate": (0.1, 0.3, "default 0.2"),
    "mission_commitment": (0.0, 0.04, "none to twice the default 0.02"),
    "trust_loyalty": (0.3, 0.9, "default 0.6 +-50%"),
    "rejoin_factor": (0.1, 0.5, "default 0.3"),
    "benefit_reservation": (0.1, 0.3, "default 0.2"),
    "decision_sharpness": (4, 12, "default 8"),
    "time_cost": (0.1, 0.2, "default 0.15"),
    "fee_reference": (200, 600, "default 400 EUR/month"),
    "service_unit_cost": (150, 350, "default 250 EUR/member/month"),
    "awareness_via_contact": (0.02, 0.08, "default 0.05"),
    "confidence": (-0.1, 0.1, "no peer exchange is 0; exchange raises it"),
    "stability_commitment": (0.01, 0.05, "default 0.03"),
}

EXCLUDED: dict[str, str] = {
    "share_municipality": "held in base proportion, rescaled with share_ngo",
    "share_firm": "held in base proportion, rescaled with share_ngo",
    "share_university": "held in base proportion, rescaled with share_ngo",
    "share_outreach": "set by share_mission and outreach_fraction",
    "share_dialogue": "set by share_mission and outreach_fraction",
    "capacity_lead": "acts only in lead_organisation mode (not analysed)",
    "lead_dominance": "acts only in lead_organisation mode (not analysed)",
    "hourly_cost": "the sponsor pays facilitation, so hours do not depend on it",
}
DERIVED = ("share_ngo", "share_mission", "outreach_fraction")
DEFAULT_PRESETS = {
    "region": "generic",
    "governance": "gradual",
    "funding": "committed_2030",
    "facilitation": "light",
}
DEFAULT_STEPS = 132  # to the end of 2035: the last outcome date (members at 2035)


@dataclass(frozen=True)
class Factor:
    """One varied input: a parameter (or derived share) with its analysis range."""

    name: str
    group: str
    lo: float
    hi: float
    integer: bool = False
    note: str = ""

    def clip(self, value: float) -> float | int:
        """The value the model receives: inside the range, rounded for integer parameters."""
        value = float(np.clip(value, self.lo, self.hi))
        return int(round(value)) if self.integer else value


def _numeric_fields() -> dict[str, tuple[str, type, dict]]:
    """Flat name -> (group, type, metadata) of every numeric parameter in the five groups."""
    out = {}
    for group in GROUPS:
        cls = type(getattr(Params(), group))
        for name, (kind, meta) in field_specs(cls).items():
            if kind in (int, float):
                out[name] = (group, kind, meta)
    return out


def all_factors() -> list[Factor]:
    """Every factor of the full space, in parameter order; checks ranges against the metadata."""
    fields = _numeric_fields()
    factors = []
    for name, (group, kind, meta) in fields.items():
        if name in EXCLUDED:
            continue
        if name not in RANGES:
            raise ParameterError(name, "numeric parameter with no analysis range and no exclusion")
        factors.append(_factor(name, group, kind, meta))
        if name == "share_mission":
            lo, hi, note = RANGES["outreach_fraction"]
            factors.append(Factor("outreach_fraction", group, float(lo), float(hi), False, note))
    return factors


def _factor(name: str, group: str, kind: type, meta: dict) -> Factor:
    lo, hi, note = RANGES[name]
    if not (meta["lo"] <= lo < hi <= meta["hi"]):
        raise ParameterError(
            f"{group}.{name}", f"analysis range [{lo}, {hi}] leaves [{meta['lo']}, {meta['hi']}]"
        )
    return Factor(name, group, float(lo), float(hi), kind is int, note)


@dataclass(frozen=True)
class FactorSpace:
    """An ordered set of factors; maps design rows to validated parameters."""

    factors: tuple[Factor, ...]

    @classmethod
    def full(cls) -> FactorSpace:
        return cls(tuple(all_factors()))

    @classmethod
    def of(cls, names: Iterable[str]) -> FactorSpace:
        """The factors named, in the order given; unknown names raise naming the allowed ones."""
        index = {f.name: f for f in all_factors()}
        names = list(dict.fromkeys(names))
        for name in names:
            if name not in index:
                raise ParameterError(name, f"not a factor; allowed: {', '.join(index)}")
        if not names:
            raise ParameterError("factors", "give at least one factor")
        return cls(tuple(index[n] for n in names))

    @property
    def names(self) -> list[str]:
        return [f.name for f in self.factors]

    def problem(self) -> dict[str, Any]:
        """The SALib problem definition."""
        return {
            "num_vars": len(self.factors),
            "names": self.names,
            "bounds": [[f.lo, f.hi] for f in self.factors],
        }

    def frame(self, x: np.ndarray) -> pd.DataFrame:
        """A design matrix as a table, one column per factor, one row per design point."""
        return pd.DataFrame(np.asarray(x, dtype=float), columns=self.names)

    def scale(self, unit: np.ndarray) -> pd.DataFrame:
        """Points of the unit cube mapped onto the factor ranges."""
        lo = np.array([f.lo for f in self.factors])
        hi = np.array([f.hi for f in self.factors])
        return self.frame(lo + np.asarray(unit) * (hi - lo))

    def table(self, base: Params | None = None) -> pd.DataFrame:
        """Factor, group, range, base value and the reason for the range (for reports)."""
        flat = _base_values(base or Params())
        return pd.DataFrame(
            [
                {
                    "factor": f.name,
                    "group": f.group,
                    "low": f.lo,
                    "high": f.hi,
                    "base": flat.get(f.name),
                    "integer": f.integer,
                    "range from": f.note,
                }
                for f in self.factors
            ]
        )

    def apply(self, base: Params, row: Mapping[str, float]) -> Params:
        """Base parameters with the factors of one design row set (shares renormalised)."""
        data = base.to_dict()
        for f in self.factors:
            if f.name in DERIVED:
                continue
            data[f.group][f.name] = f.clip(row[f.name])
        values = {f.name: f.clip(row[f.name]) for f in self.factors if f.name in DERIVED}
        _apply_region_share(data["region"], values)
        _apply_facilitation_shares(data["facilitation"], values)
        return Params.from_dict(data)


def _base_values(base: Params) -> dict[str, float]:
    flat = base.flat()
    fa = base.facilitation
    rest = fa.share_outreach + fa.share_dialogue
    flat["outreach_fraction"] = fa.share_outreach / rest if rest else 0.5
    return flat


def _apply_region_share(region: dict, values: Mapping[str, float]) -> None:
    if "share_ngo" not in values:
        return
    ngo = values["share_ngo"]
    others = [s for s in REGION_SHARES if s != "share_ngo"]
    total = sum(region[s] for s in others)
    for s in others:  # keep the other sectors' proportions
        region[s] = (1 - ngo) * (region[s] / total if total else 1 / len(others))
    region["share_ngo"] = ngo
    region[others[-1]] = 1 - ngo - sum(region[s] for s in others[:-1])  # exact sum for validation


def _apply_facilitation_shares(fa: dict, values: Mapping[str, float]) -> None:
    if "share_mission" not in values and "outreach_fraction" not in values:
        return
    mission = values.get("share_mission", fa["share_mission"])
    rest = fa["share_outreach"] + fa["share_dialogue"]
    fraction = values.get("outreach_fraction", fa["share_outreach"] / rest if rest else 0.5)
    fa["share_mission"] = mission
    fa["share_outreach"] = (1 - mission) * fraction
    fa["share_dialogue"] = 1 - mission - fa["share_outreach"]


def base_params(
    choices: Mapping[str, str] | None = None, overrides: Mapping[str, Any] | None = None
) -> Params:
    """The base scenario: one preset per group (defaults in ``DEFAULT_PRESETS``), then overrides.

    Overrides are flat (``n_organisations``) or dotted (``region.n_organisations``) keys.
    """
    chosen = {**DEFAULT_PRESETS, **dict(choices or {})}
    for group in chosen:
        if group not in presets.GROUPS:
            raise ParameterError(
                group, f"unknown preset group; allowed: {', '.join(presets.GROUPS)}"
            )
        try:
            presets.load(group, chosen[group])
        except KeyError as err:
            raise ParameterError(group, str(err.args[0])) from None
    data: dict[str, Any] = {"steps": DEFAULT_STEPS, **presets.compose(**chosen)}
    for key, value in (overrides or {}).items():
        group, _, name = key.rpartition(".")
        if group:
            data.setdefault(group, {})[name] = value
        else:
            data[name] = value
    return Params.from_dict(data)


def settings_of(base: Params) -> dict[str, Any]:
    """The base parameters as plain data (for the settings file of an analysis)."""
    return dataclasses.asdict(base)
