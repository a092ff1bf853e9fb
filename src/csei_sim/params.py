"""Typed, validated model parameters.

One structure, grouped as the Hydra config groups are (region, governance, funding, facilitation,
behaviour), with every field documented by its default, unit, range and source. Field names are
unique across groups, so a flat ``CSEIModel(n_organisations=40, governance_mode="formal")`` maps
onto the nested structure unambiguously; that is what ``mesa.batch_run`` needs.
"""

from __future__ import annotations

import dataclasses
import math
import numbers
import re
import typing
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from csei_sim.months import month_index

GOVERNANCE_MODES = ("informal", "lead_organisation", "formal", "gradual")
PAYERS = ("sponsor", "budget")
# ASCII digits only, the whole text (``\d`` takes fullwidth digits, ``$`` a trailing newline)
_MONTH = re.compile(r"[0-9]{4}-(0[1-9]|1[0-2])")
# Calendar years a month may name: a run of up to 1,200 months from 2199 still ends before year
# 2300, well inside what the date axes of the plots can draw (years 1 to 9999).
YEARS = (1900, 2199)
# Expected prior ties (n_organisations x mean_degree / 2) at most: about 110 bytes of arrays per
# tie, so the network of the largest pool stays within a few GiB of memory.
MAX_PRIOR_TIES = 20_000_000


class ParameterError(ValueError):
    """A parameter is unknown, of the wrong type, or out of its allowed range."""

    def __init__(self, key: str, message: str):
        super().__init__(f"{key}: {message}")
        self.key = key


def par(default: Any, lo: float | None = None, hi: float | None = None, doc: str = "", **meta):
    """A dataclass field carrying its allowed range and documentation."""
    return field(default=default, metadata={"lo": lo, "hi": hi, "doc": doc, **meta})


@dataclass
class RegionParams:
    """The pool of organisations, their prior ties, trust, visions and joining thresholds."""

    name: str = par("generic", doc="Label of the region preset.")
    n_organisations: int = par(
        60, 4, 2_000_000, "Organisations in the regional pool (up to an EU-wide pool)."
    )
    share_municipality: float = par(
        0.15, 0, 1, "Share of municipalities; the four shares sum to 1."
    )
    share_ngo: float = par(0.40, 0, 1, "Share of NGOs and civil-society organisations.")
    share_firm: float = par(0.30, 0, 1, "Share of firms and social enterprises.")
    share_university: float = par(0.15, 0, 1, "Share of universities and schools.")
    core_size: int = par(5, 0, 100_000, "Engaged actors who are members at the start.")
    initial_aware_share: float = par(
        0.3, 0, 1, "Share of the rest aware of the initiative at start."
    )
    mean_degree: float = par(6.0, 0, 100, "Mean number of prior-cooperation ties per organisation.")
    cross_sector_share: float = par(0.3, 0, 1, "Share of prior ties that cross sectors.")
    community_size: int = par(
        80, 2, 100_000, "Organisations per local community; most prior ties stay inside one."
    )
    initial_trust: float = par(0.45, 0, 1, "Mean trust on prior ties.")
    trust_spread: float = par(0.1, 0, 0.5, "Standard deviation of initial trust.")
    cross_sector_trust_gap: float = par(0.1, 0, 1, "Lower initial trust on cross-sector ties.")
    vision_spread: float = par(0.2, 0, 1, "Standard deviation of visions around the regional mean.")
    sector_vision_gap: float = par(0.1, 0, 1, "Offset of each sector's mean vision.")
    threshold_mean: float = par(
        0.25, 0, 1, "Mean joining threshold (share of trusted contacts in)."
    )
    threshold_spread: float = par(0.1, 0, 0.5, "Standard deviation of joining thresholds.")


@dataclass
class GovernanceParams:
    """Governance mode, coordination capacity and the costs and rules of formalisation."""

    governance_mode: str = par(
        "informal", doc="Mode of network governance.", choices=GOVERNANCE_MODES
    )
    shared_capacity: float = par(
        40.0,
        0,
        1e6,
        "Members shared governance coordinates at full member trust and goal consensus "
        "(scaled by both).",
    )
    capacity_lead: float = par(
        16.0, 0, 1e6, "Members a lead organisation coordinates on top of shared governance."
    )
    capacity_per_fte: float = par(
        120.0, 0, 1e6, "Members one paid, staffed office position (FTE) coordinates."
    )
    hours_per_capacity: float = par(
        8.0, 0.1, 1e4, "Facilitation hours that add one member of capacity."
    )
    office_cost: float = par(3000.0, 0, 1e8, "Monthly overhead of the office when formal (EUR).")
    office_staff: float = par(
        0.5, 0, 100, "Office staff when formal (full-time equivalents), paid from office_cost."
    )
    office_recruit_share: float = par(
        0.25, 0, 1, "Share of office staff time spent on bilateral consultations."
    )
    vacancy_unplanned: float = par(
        0.5, 0, 1, "Share of office staff time lost (vacancies) when no income is guaranteed."
    )
    formal_fee: float = par(30.0, 0, 1e6, "Monthly member fee once formal (EUR per member).")
    entry_min_capacity: float = par(0.3, 0, 1, "Entry criterion once formal: minimum capacity.")
    formal_grant_multiplier: float = par(
        1.5, 1, 10, "Larger grants a formal cluster is eligible for."
    )
    lead_dominance: float = par(0.05, 0, 1, "Benefit lost by non-lead sectors under a lead org.")
    formalise_min_members: int = par(15, 1, 1_000_000, "Gradual: members needed to formalise.")
    formalise_min_trust: float = par(0.35, 0, 1, "Gradual: mean member trust needed to formalise.")
    setup_months: int = par(
        6, 0, 1200, "Months an office spends setting up (rules, legal form, services)."
    )
    setup_hours: float = par(
        16.0, 0, 1e5, "Facilitation hours per month taken by set-up workshops while setting up."
    )
    setup_cost: float = par(1000.0, 0, 1e8, "Set-up cost per month while setting up (EUR).")
    deformalise_months: int = par(
        6, 0, 1200, "Months an office can go unpaid before it closes; 0 = never closes."
    )
    open_call_interval: int = par(
        0, 0, 1200, "Months between open membership calls; 0 = no open calls."
    )
    open_call_reach: float = par(
        0.3, 0, 1, "Share of non-member organisations an open call reaches."
    )
    open_call_bar: float = par(
        0.5, 0, 1, "Interest (alignment with the mission) an organisation needs to apply."
    )


@dataclass
class FundingParams:
    """Funding as data: a committed grant (with cliff or taper), project grants, member fees."""

    committed_amount: float = par(0.0, 0, 1e9, "Committed grant per month (EUR).")
    committed_start: str = par("2025-01", doc="First month of the committed grant (YYYY-MM).")
    committed_end: str = par("2030-12", doc="Last month of the committed grant (YYYY-MM).")
    taper_months: int = par(0, 0, 1200, "Months over which the grant tapers to zero; 0 = cliff.")
    grant_win_rate: float = par(
        0.0, 0, 1, "Monthly chance of winning a project grant when applying."
    )
    grant_amount: float = par(4000.0, 0, 1e9, "Project grant per month (EUR).")
    grant_duration: int = par(24, 1, 1200, "Months a project grant lasts.")
    max_concurrent_grants: int = par(2, 0, 1000, "Project grants held at once.")
    grant_min_members: int = par(3, 1, 1_000_000, "Members needed to apply for a project grant.")
    membership_fee: float = par(0.0, 0, 1e6, "Monthly member fee in any mode (EUR per member).")
    planning_horizon: int = par(36, 1, 1200, "Guaranteed months at which funding is fully stable.")


@dataclass
class FacilitationParams:
    """Facilitation hours, how they are split, who pays, and how well they work."""

    facilitation_hours: float = par(40.0, 0, 1e5, "Facilitation hours per month.")
    share_outreach: float = par(0.4, 0, 1, "Share of hours on outreach; three shares sum to 1.")
    share_dialogue: float = par(0.4, 0, 1, "Share of hours on cross-sector dialogue events.")
    share_mission: float = par(0.2, 0, 1, "Share of hours on mission work (MOIP).")
    facilitation_paid_by: str = par("sponsor", doc="Who pays facilitation.", choices=PAYERS)
    hourly_cost: float = par(60.0, 0, 1e5, "Cost of one facilitation hour (EUR).")
    facilitation_effectiveness: float = par(1.0, 0, 10, "Multiplier on all facilitation effects.")
    mission_skill: float = par(1.0, 0, 10, "Multiplier on mission work (mission framing skill).")
    reach_per_hour: float = par(0.25, 0, 100, "Outsiders made aware per outreach hour.")
    hours_per_event: float = par(8.0, 0.5, 1000, "Hours to prepare and hold one dialogue event.")
    event_size: int = par(10, 2, 1000, "Participants in one dialogue event.")
    dialogue_trust_gain: float = par(0.1, 0, 1, "Share of missing trust gained per shared event.")
    host_share: float = par(0.5, 0, 1, "Share of an event's seats taken by members (hosts).")
    event_tie_chance: float = par(
        0.2, 0, 1, "Chance that two event participants with equal visions become acquainted."
    )
    hours_per_consultation: float = par(
        4.0, 0.5, 1000, "Staff hours for one bilateral consultation with an aware organisation."
    )
    mission_rate: float = par(0.05, 0, 1, "Monthly pull of visions toward the mission at 20 hours.")
    recruit_rate: float = par(
        0.2,
        0,
        1,
        "Monthly chance that a fully committed member introduces a fully trusted contact, at "
        "saturating facilitation support.",
    )
    mission_commitment: float = par(
        0.02,
        0,
        1,
        "Monthly commitment mission work gives members close to the mission (takes from "
        "distant ones when consensus is low).",
    )


@dataclass
class BehaviourParams:
    """Collaboration, trust dynamics and membership decisions."""

    collab_rate: float = par(0.15, 0, 10, "Joint-project attempts per member per month.")
    base_success: float = par(0.35, 0, 1, "Intercept of a joint project's success chance.")
    trust_gain: float = par(0.15, 0, 1, "Share of missing trust gained after a success.")
    trust_loss: float = par(0.2, 0, 1, "Share of trust lost after a failure.")
    trust_decay: float = par(0.01, 0, 1, "Share of trust lost per month without contact.")
    stranger_share: float = par(0.2, 0, 1, "Share of partner searches that pick any member.")
    pilot_share: float = par(0.25, 0, 1, "Share of successful projects that become visible pilots.")
    join_rate: float = par(0.35, 0, 1, "Joining chance at full benefit, times (1 - inertia).")
    leave_rate: float = par(0.06, 0, 1, "Leaving chance at no benefit, times (1 - inertia).")
    trust_loyalty: float = par(
        0.6, 0, 1, "Cut in leaving chance at full mean trust to fellow members (loyalty)."
    )
    rejoin_factor: float = par(0.3, 0, 1, "Joining chance of exited organisations, relative.")
    benefit_reservation: float = par(0.2, -2, 2, "Net benefit an organisation needs to stay.")
    decision_sharpness: float = par(8.0, 0.1, 100, "Steepness of the benefit response.")
    time_cost: float = par(0.15, 0, 2, "Time cost of membership (benefit units).")
    fee_reference: float = par(400.0, 1, 1e6, "Fee (EUR/month) weighing 1 for a full-capacity org.")
    service_unit_cost: float = par(250.0, 1, 1e6, "Service spending per member for full service.")
    awareness_via_contact: float = par(0.05, 0, 1, "Monthly chance per unit of trust to members.")
    confidence: float = par(0.0, -1, 1, "Extra expected benefit from confidence (peer exchange).")
    stability_commitment: float = par(
        0.03, 0, 1, "Monthly commitment members gain at full planning stability (staff time)."
    )


@dataclass
class Params:
    """All parameters of one simulation."""

    steps: int = par(144, 1, 1200, "Months simulated.")
    start: str = par("2025-01", doc="Calendar month of the first step (YYYY-MM).")
    critical_mass_share: float = par(
        0.25, 0.05, 0.9, "Share of the pool whose membership is critical mass (at least 2 members)."
    )
    region: RegionParams = field(default_factory=RegionParams)
    governance: GovernanceParams = field(default_factory=GovernanceParams)
    funding: FundingParams = field(default_factory=FundingParams)
    facilitation: FacilitationParams = field(default_factory=FacilitationParams)
    behaviour: BehaviourParams = field(default_factory=BehaviourParams)

    # -- construction -------------------------------------------------------------------------
    @classmethod
    def from_dict(cls, data: Mapping[str, Any] | None = None, **flat: Any) -> Params:
        """Build from nested groups and/or flat keys, then validate."""
        merged: dict[str, Any] = {}
        for key, value in {**(dict(data) if data else {}), **flat}.items():
            if key in _GROUPS and isinstance(value, Mapping):
                for sub, subval in value.items():
                    merged[_qualify(sub, group=key)] = subval
            elif key in _GROUPS:
                raise ParameterError(key, f"expected a mapping of {key} parameters, got {value!r}")
            else:
                merged[_qualify(key)] = value
        params = cls()
        for path, value in merged.items():
            group, name = path
            target = params if group is None else getattr(params, group)
            setattr(target, name, value)
        validate(params)
        return params

    def to_dict(self) -> dict[str, Any]:
        """Nested plain dictionary (as Hydra and YAML see it)."""
        return dataclasses.asdict(self)

    def flat(self) -> dict[str, Any]:
        """One level of keys: the model's keyword arguments."""
        out: dict[str, Any] = {}
        for key, value in self.to_dict().items():
            out.update(value if key in _GROUPS else {key: value})
        return out

    @property
    def critical_mass(self) -> int:
        """Members at which the cluster has critical mass: the share of the pool, rounded up."""
        return critical_mass_count(self.critical_mass_share, self.region.n_organisations)

    def step_of(self, month: str) -> int:
        """Step after which ``month`` (YYYY-MM) has ended; step 0 is the start state."""
        return month_index(month) - month_index(self.start) + 1


def critical_mass_count(share: float, pool: int) -> int:
    """max(2, ceil(share x pool)): a cluster of one is no cluster (tolerant of float noise)."""
    return max(2, math.ceil(round(share * pool, 9)))


# Keys that are no longer parameters, with what replaces them: a stored run folder or command line
# naming one is refused in one line instead of being misread.
RETIRED = {
    "critical_mass": "an absolute count is no longer a parameter; critical mass is now "
    "critical_mass_share of the pool (default 0.25); re-run the runs with the current version",
}


_GROUPS: dict[str, type] = {
    "region": RegionParams,
    "governance": GovernanceParams,
    "funding": FundingParams,
    "facilitation": FacilitationParams,
    "behaviour": BehaviourParams,
}
_TOP = {f.name for f in dataclasses.fields(Params) if f.name not in _GROUPS}
_FLAT_INDEX = {f.name: group for group, cls in _GROUPS.items() for f in dataclasses.fields(cls)}


def all_keys() -> list[str]:
    """Every flat parameter name."""
    return sorted(_TOP | set(_FLAT_INDEX))


def _qualify(key: str, group: str | None = None) -> tuple[str | None, str]:
    if group is not None:
        if _FLAT_INDEX.get(key) != group:
            allowed = ", ".join(f.name for f in dataclasses.fields(_GROUPS[group]))
            raise ParameterError(f"{group}.{key}", f"unknown key; allowed: {allowed}")
        return group, key
    if key in RETIRED:
        raise ParameterError(key, RETIRED[key])
    if key in _TOP:
        return None, key
    if key in _FLAT_INDEX:
        return _FLAT_INDEX[key], key
    raise ParameterError(key, f"unknown parameter; allowed: {', '.join(all_keys())}")


# -- validation ------------------------------------------------------------------------------


def field_specs(cls: type) -> dict[str, tuple[type, dict]]:
    """Field name -> (type, metadata) for a parameter group."""
    hints = typing.get_type_hints(cls)
    return {f.name: (hints[f.name], dict(f.metadata)) for f in dataclasses.fields(cls)}


def _check_value(key: str, value: Any, kind: type, meta: dict) -> Any:
    lo, hi, choices = meta.get("lo"), meta.get("hi"), meta.get("choices")
    span = f"[{lo}, {hi}]" if lo is not None else ""
    if kind is float:
        if isinstance(value, bool) or not isinstance(value, numbers.Real):  # numpy too
            raise ParameterError(key, f"expected a number in {span}, got {value!r}")
        if not math.isfinite(value):
            raise ParameterError(key, f"must be a finite number in {span}, got {value!r}")
        value = float(value)
    elif kind is int:
        if isinstance(value, numbers.Integral) and not isinstance(value, bool):
            value = int(value)  # numpy integers, e.g. from np.arange in a sweep
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int):
            raise ParameterError(key, f"expected an integer in {span}, got {value!r}")
    elif kind is str:
        if not isinstance(value, str):
            raise ParameterError(key, f"expected text, got {value!r}")
        if choices and value not in choices:
            raise ParameterError(key, f"{value!r} is not one of: {', '.join(choices)}")
        if meta.get("doc", "").endswith("(YYYY-MM).") and not _is_month(value):
            raise ParameterError(
                key,
                f"expected a month as YYYY-MM with a year in {YEARS[0]}..{YEARS[1]}, got {value!r}",
            )
        return value
    if lo is not None and not lo <= value <= hi:
        raise ParameterError(key, f"{value!r} is outside the allowed range {span}")
    return value


def _is_month(value: str) -> bool:
    return bool(_MONTH.fullmatch(value)) and YEARS[0] <= int(value[:4]) <= YEARS[1]


def _validate_group(obj: Any, prefix: str) -> None:
    for name, (kind, meta) in field_specs(type(obj)).items():
        if name in _GROUPS:
            continue
        value = _check_value(f"{prefix}{name}", getattr(obj, name), kind, meta)
        setattr(obj, name, value)


def _check_sum(key: str, values: list[float]) -> None:
    if abs(sum(values) - 1.0) > 1e-6:
        raise ParameterError(key, f"shares must sum to 1, they sum to {sum(values):.6g}")


def validate(params: Params) -> Params:
    """Check every field and the rules that join fields; raise ParameterError on the first fault."""
    _validate_group(params, "")
    for group in _GROUPS:
        _validate_group(getattr(params, group), f"{group}.")
    r, f, fa = params.region, params.funding, params.facilitation
    shares = [r.share_municipality, r.share_ngo, r.share_firm, r.share_university]
    _check_sum("region.share_*", shares)
    _check_sum("facilitation.share_*", [fa.share_outreach, fa.share_dialogue, fa.share_mission])
    if r.core_size > r.n_organisations:
        raise ParameterError(
            "region.core_size", f"{r.core_size} exceeds n_organisations ({r.n_organisations})"
        )
    if r.n_organisations * r.mean_degree / 2 > MAX_PRIOR_TIES:
        raise ParameterError(
            "region.mean_degree",
            f"{r.mean_degree:g} x n_organisations {r.n_organisations} / 2 exceeds "
            f"{MAX_PRIOR_TIES:,} prior ties",
        )
    if month_index(f.committed_end) < month_index(f.committed_start):
        raise ParameterError(
            "funding.committed_end",
            f"{f.committed_end} is before committed_start {f.committed_start}",
        )
    return params
