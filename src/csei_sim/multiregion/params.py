"""Typed, validated parameters of peer exchange between regions.

Same conventions as :mod:`csei_sim.params`: every field is a ``par(...)`` with its allowed range and
a documentation line that ends with its source, either the seed (quoted) or "assumption".
The seed's one sentence on the matter: "Peer exchange between regions strengthens learning,
confidence, and practical application of the models"; its instances: Agder "supported by peer
exchange with other RESIST regions, including Kurzeme"; Hamburg's meetings "with other clusters to
exchange experiences: Silicon Vilstal (Germany), Torino Social Impact (Italy), ADV Romania, and IDIA
Barcelona", from which Zukunft Zwei "developed CSEI archetypes to incorporate into the radar
diagram".
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from csei_sim.params import ParameterError, _check_sum, _check_value, field_specs, par

PARTNER_CHOICES = ("similar", "dissimilar", "random")
EVENT_KINDS = ("study_visit", "joint_seminar", "shared_tool")


@dataclass
class ExchangeParams:
    """How often regions meet, whom they choose, and what an exchange carries home."""

    enabled: bool = par(True, doc="Whether exchange events happen at all. Off = separate runs.")
    events_per_year: float = par(
        2.0,
        0,
        12,
        "Exchange events each region initiates per year (a monthly chance of 1/12 of this). "
        "Assumption, of the order of Hamburg's four partner clusters over the piloting period.",
    )
    start_step: int = par(1, 1, 1200, "First month (step) in which events can happen. Assumption.")
    months_active: int = par(
        0, 0, 1200, "Months during which events happen from start_step; 0 = to the end. Assumption."
    )
    partner_choice: str = par(
        "similar",
        doc="Whom a region seeks out: the most similar regions, the most dissimilar, or anyone. "
        "Assumption (the seed names partners, not why they were chosen).",
        choices=PARTNER_CHOICES,
    )
    choice_sharpness: float = par(
        3.0,
        0,
        50,
        "How strongly partner choice follows distance: weight exp(-/+ sharpness x distance), "
        "distances scaled to a mean of 1; 0 = uniform. Assumption.",
    )
    radar_weight: float = par(
        0.5,
        0,
        1,
        "Weight of the current CSEI radar profile in the distance between regions; the rest is "
        "the distance between region parameters. Assumption; the seed's archetypes place "
        "clusters on the radar.",
    )
    share_study_visit: float = par(
        0.4,
        0,
        1,
        "Share of events that are bilateral study visits; the three shares sum to 1. Seed: "
        'meetings "with other clusters to exchange experiences" (Hamburg). Share: assumption.',
    )
    share_joint_seminar: float = par(
        0.4,
        0,
        1,
        'Share of events that are joint seminars of several regions. Seed: "seminars and '
        'workshops", peer exchange "with other RESIST regions" (Agder). Share: assumption.',
    )
    share_shared_tool: float = par(
        0.2,
        0,
        1,
        "Share of events that hand over a tool without meeting (mission skill only). Seed: "
        'archetypes for the radar built from other clusters; the MOIP "Systematic Mapping '
        'Tool". Share: assumption.',
    )
    seminar_size: int = par(
        3, 2, 100, "Regions at a joint seminar, the initiator included. Assumption."
    )
    seminar_depth: float = par(
        0.5,
        0,
        1,
        "Learning at a seminar relative to a study visit (shallower, more people). Assumption.",
    )
    learning_rate: float = par(
        0.25,
        0,
        1,
        "Share of the partner's practice advantage (effectiveness, mission skill) the visitor "
        'adopts per study visit. Seed: exchange "strengthens learning"; value: assumption.',
    )
    peer_floor: float = par(
        0.1,
        0,
        1,
        "Share of its own remaining headroom to the cap a visitor gains even from an equal "
        "partner, per study visit. Assumption.",
    )
    effectiveness_cap: float = par(
        1.5,
        0,
        10,
        "Facilitation effectiveness that peer learning can reach (diminishing returns toward it). "
        "Assumption.",
    )
    mission_skill_cap: float = par(
        2.0,
        0,
        10,
        "Mission-framing skill that peer learning can reach. Assumption; the mission-focused "
        "facilitation preset's trained skill is 1.5.",
    )
    confidence_gain: float = par(
        0.5,
        0,
        1,
        "Share of the gap to the confidence cap closed for a region's members per meeting it "
        'takes part in (both sides). Seed: exchange "strengthens ... confidence"; value: '
        "assumption.",
    )
    confidence_cap: float = par(
        0.1,
        -1,
        1,
        "Highest extra expected benefit (benefit units, as behaviour.confidence) exchange adds. "
        "Assumption: below the default monthly time cost of membership (0.15).",
    )
    confidence_decay: float = par(
        0.1,
        0,
        1,
        "Share of the exchange's confidence lost per month (half-life about 7 months at 0.1). "
        "Assumption.",
    )
    event_hours: float = par(
        8.0,
        0,
        1000,
        "Facilitation hours a region spends on each exchange event it takes part in that month "
        "(travel, preparation), taken from its own facilitation. Assumption.",
    )
    transfer_risk: float = par(
        0.3,
        0,
        1,
        "Chance, at the largest distance between regions (scaled to 1), that a practice learnt "
        "from a partner fails at home: the visitor loses what it would have gained and its "
        "confidence falls toward -confidence_cap. Assumption (practices travel badly between "
        "unlike contexts).",
    )
    practice_decay: float = par(
        0.02,
        0,
        1,
        "Share of learnt practice (above the region's own level) forgotten per month. Assumption.",
    )

    @classmethod
    def from_dict(cls, data: Mapping[str, Any] | None = None, **flat: Any) -> ExchangeParams:
        """Build from a mapping and/or keywords, then validate."""
        params = cls()
        allowed = [f.name for f in dataclasses.fields(cls)]
        for key, value in {**(dict(data) if data else {}), **flat}.items():
            if key not in allowed:
                raise ParameterError(
                    f"exchange.{key}", f"unknown key; allowed: {', '.join(allowed)}"
                )
            setattr(params, key, value)
        return validate(params)

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    def kind_shares(self) -> tuple[float, float, float]:
        return (self.share_study_visit, self.share_joint_seminar, self.share_shared_tool)

    def active(self, step: int) -> bool:
        """Whether events can happen in month ``step``."""
        if not self.enabled or step < self.start_step:
            return False
        return self.months_active == 0 or step < self.start_step + self.months_active


def validate(params: ExchangeParams) -> ExchangeParams:
    """Check every field and the shares; raise ParameterError naming the key on the first fault."""
    for name, (kind, meta) in field_specs(ExchangeParams).items():
        key, value = f"exchange.{name}", getattr(params, name)
        if kind is bool:
            if not isinstance(value, bool):
                raise ParameterError(key, f"expected true or false, got {value!r}")
            continue
        setattr(params, name, _check_value(key, value, kind, meta))
    _check_sum("exchange.share_*", list(params.kind_shares()))
    return params
