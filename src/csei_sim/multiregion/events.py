"""Exchange events and what they carry: practice to the visitor, confidence to those who meet.

Practice (facilitation effectiveness, mission-framing skill) is learnt with diminishing returns:
per event a visitor at level ``x`` gains ``rate * (max(0, y - x) + floor * (cap - x))`` toward the
cap, ``y`` being the partner's level; both terms shrink as ``x`` nears the cap. Exchange can also
hurt: a practice learnt from an unlike region fails at home with a chance that rises with the
distance between them (``transfer_risk``), and then the visitor loses what it would have gained and
its confidence falls; learnt practice is slowly forgotten (``practice_decay``); each event costs
facilitation hours. Confidence rises by ``gain * (cap - c)`` per successful meeting and decays
monthly. Partner levels are read from the state at the start of the month, so the order in which
regions act within a month does not matter for what they learn.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from csei_sim.multiregion import partners
from csei_sim.multiregion.params import EVENT_KINDS, ExchangeParams


def learn(
    level: float, partner: float, cap: float, rate: float, floor: float, fails: bool = False
) -> float:
    """A visitor's new practice level after one event (never above the cap, never below 0).

    A practice that fails at home costs the visitor what it would have gained.
    """
    if level >= cap and not fails:
        return level
    gain = rate * (max(0.0, min(partner, cap) - level) + floor * max(0.0, cap - level))
    return max(0.0, level - gain) if fails else min(cap, level + gain)


@dataclass
class PracticeState:
    """Per-region practice and the confidence exchange has added (arrays indexed by region)."""

    effectiveness: np.ndarray
    skill: np.ndarray
    confidence: np.ndarray  # exchange's addition to behaviour.confidence
    events: np.ndarray = field(default=None)  # events each region took part in this month
    failures: np.ndarray = field(default=None)  # practices that failed at home, so far

    def __post_init__(self) -> None:
        self.events = np.zeros(len(self.effectiveness), dtype=int)
        self.failures = np.zeros(len(self.effectiveness), dtype=int)
        self.own_effectiveness = self.effectiveness.copy()  # the levels learning decays back to
        self.own_skill = self.skill.copy()


@dataclass
class Event:
    step: int
    kind: str
    initiator: int
    partners: list[int]

    def record(self, names: list[str], date: str) -> dict[str, Any]:
        return {
            "step": self.step,
            "date": date,
            "kind": self.kind,
            "initiator": names[self.initiator],
            "partners": ",".join(names[i] for i in self.partners),
        }


def draw_events(
    step: int, distance: np.ndarray, x: ExchangeParams, rng: np.random.Generator
) -> list[Event]:
    """This month's events: each region initiates one with chance events_per_year / 12."""
    n = len(distance)
    if n < 2:
        return []
    chance = x.events_per_year / 12.0
    shares = np.array(x.kind_shares())
    events = []
    for region in range(n):
        if rng.random() >= chance:
            continue
        kind = EVENT_KINDS[rng.choice(len(EVENT_KINDS), p=shares / shares.sum())]
        count = x.seminar_size - 1 if kind == "joint_seminar" else 1
        chosen = partners.choose(region, count, distance, x.partner_choice, x.choice_sharpness, rng)
        events.append(Event(step, kind, region, [int(i) for i in chosen]))
    return events


def _fails(region: int, others: list[int], distance: np.ndarray, x: ExchangeParams, rng) -> bool:
    """Whether what ``region`` learns from ``others`` fails at home (one draw per learner)."""
    far = distance[region, others].max() / max(float(distance.max()), 1e-12)
    return bool(rng.random() < x.transfer_risk * far)


def apply_events(
    state: PracticeState,
    events: list[Event],
    x: ExchangeParams,
    distance: np.ndarray,
    rng: np.random.Generator,
) -> None:
    """Practice and confidence after this month's events (partners as they were at its start)."""
    eff0, skill0 = state.effectiveness.copy(), state.skill.copy()
    state.events[:] = 0
    for ev in events:
        if ev.kind == "study_visit":
            learners = [(ev.initiator, ev.partners)]
            rate, meet = x.learning_rate, [ev.initiator, *ev.partners]
        elif ev.kind == "joint_seminar":
            room = [ev.initiator, *ev.partners]
            learners = [(r, [o for o in room if o != r]) for r in room]
            rate, meet = x.learning_rate * x.seminar_depth, room
        else:  # shared tool: codified mission framing, no meeting
            learners, rate, meet = [], x.learning_rate, []
            best = max(ev.partners, key=lambda o: skill0[o])
            fails = _fails(ev.initiator, [best], distance, x, rng)
            state.failures[ev.initiator] += fails
            state.skill[ev.initiator] = learn(
                state.skill[ev.initiator],
                skill0[best],
                x.mission_skill_cap,
                rate,
                x.peer_floor,
                fails,
            )
        failed = set()
        for region, others in learners:
            # in a room one learns from whoever is best at each practice
            fails = _fails(region, others, distance, x, rng)
            if fails:
                failed.add(region)
                state.failures[region] += 1
            state.effectiveness[region] = learn(
                state.effectiveness[region],
                eff0[others].max(),
                x.effectiveness_cap,
                rate,
                x.peer_floor,
                fails,
            )
            state.skill[region] = learn(
                state.skill[region],
                skill0[others].max(),
                x.mission_skill_cap,
                rate,
                x.peer_floor,
                fails,
            )
        for region in meet:
            # a practice that failed at home shakes confidence toward -cap; else it rises to cap
            target = -x.confidence_cap if region in failed else x.confidence_cap
            state.confidence[region] += x.confidence_gain * (target - state.confidence[region])
        for region in {ev.initiator, *ev.partners}:
            state.events[region] += 1


def decay_confidence(state: PracticeState, x: ExchangeParams) -> None:
    """Confidence fades, and learnt practice is forgotten back toward each region's own level."""
    state.confidence *= 1.0 - x.confidence_decay
    keep = 1.0 - x.practice_decay
    state.effectiveness[:] = state.own_effectiveness + keep * (
        state.effectiveness - state.own_effectiveness
    )
    state.skill[:] = state.own_skill + keep * (state.skill - state.own_skill)
