"""What the model records each month: the variables of the time series."""

from __future__ import annotations

from copy import deepcopy
from typing import TYPE_CHECKING, Any

import mesa
import numpy as np

from csei_sim.agents import SECTORS, Status
from csei_sim.funding import INCOME_SOURCES
from csei_sim.ledger import SPENDING_PURPOSES
from csei_sim.metrics import RADAR, archetype, blau, radar_scores

if TYPE_CHECKING:
    from csei_sim.model import CSEIModel

ROLE_WINDOW = 12  # months within which a joint project counts as holding an active role
_IMMUTABLE = (int, float, str, bool, np.generic)  # values that need no copy when recorded


class MetricsCollector(mesa.DataCollector):
    """Mesa's DataCollector, recording the model's ``metrics`` without copying plain values.

    Mesa deep-copies every reported value so later changes cannot alter the record; numbers and
    strings cannot change, and copying them took about a tenth of a small model's run time.
    """

    def collect(self, model: CSEIModel) -> None:
        if not self._validated:  # the first call checks the reporters
            super().collect(model)
            return
        self._collection_steps.append(model.time)
        for name, values in self.model_vars.items():
            value = model.metrics[name]
            values.append(value if isinstance(value, _IMMUTABLE) else deepcopy(value))


_STATUS_NAMES = {
    Status.OUTSIDER: "outsiders",
    Status.AWARE: "aware",
    Status.MEMBER: "members",
    Status.EXITED: "exited",
}
_BY_SECTOR = (Status.MEMBER, Status.AWARE)  # statuses also counted sector by sector


def _counts(model: CSEIModel) -> dict[str, Any]:
    orgs = model.orgs
    # one pass: organisations by (status, sector)
    table = np.bincount(
        orgs.status.astype(np.intp) * len(SECTORS) + orgs.sector,
        minlength=len(Status) * len(SECTORS),
    )[: len(Status) * len(SECTORS)].reshape(len(Status), len(SECTORS))
    out: dict[str, Any] = {}
    for status in Status:
        name = _STATUS_NAMES[status]
        out[name] = int(table[status].sum())
        if status in _BY_SECTOR:
            for sector, count in zip(SECTORS, table[status].tolist(), strict=True):
                out[f"{name}_{sector}"] = count
    return out


def _money(model: CSEIModel) -> dict[str, Any]:
    led = model.ledger
    out = {f"income_{s}": led.income.get(s, 0.0) for s in INCOME_SOURCES}
    out.update({f"spending_{s}": led.spending.get(s, 0.0) for s in SPENDING_PURPOSES})
    out["income_total"] = sum(led.income.values())
    out["spending_total"] = sum(led.spending.values())
    out["balance"] = led.balance
    out["income_cumulative"] = led.total_income
    out["spending_cumulative"] = led.total_spending
    return out


def measure(model: CSEIModel) -> dict[str, Any]:
    """Every variable of the time series for the model's current state."""
    orgs, month, p = model.orgs, model._month, model.params
    member = orgs.is_(Status.MEMBER)
    members = int(member.sum())
    outcome = month.get("outcome")
    counts = _counts(model)
    diversity = blau(np.bincount(orgs.sector[member], minlength=4))
    consensus = month.get("consensus", 0.0)
    load = month.get("load", 0.0)
    money = _money(model)
    need = p.behaviour.service_unit_cost * max(members, 1)
    need += p.governance.office_cost * model.governance.formal
    if p.facilitation.facilitation_paid_by == "budget":
        need += p.facilitation.facilitation_hours * p.facilitation.hourly_cost
    own = money["income_total"] - money["income_sponsor"]
    active = (orgs.last_project >= model.steps - ROLE_WINDOW + 1) & member
    radar = radar_scores(
        consensus=consensus,
        load=load,
        formal=model.governance.formal,
        members=members,
        critical_mass=p.critical_mass,
        diversity=diversity,
        service_level=model.service_level,
        stability=month.get("stability", 0.0),
        adequacy=own / need if need else 0.0,
        active_share=float(active.sum() / members) if members else 0.0,
    )
    spread = (
        float(np.linalg.norm(orgs.vision[member] - model.mission, axis=1).mean())
        if members
        else 0.0
    )
    return {
        "date": model.date_of(model.steps),
        **counts,
        "joins": month.get("joins", 0),
        "exits": month.get("exits", 0),
        "newly_aware": month.get("newly_aware", 0),
        "blau_diversity": diversity,
        "mean_member_trust": (
            month["member_trust"]
            if "member_trust" in month
            else model.ties.mean_trust_within(member)
        ),
        "mean_trust": float(model.ties.trust.mean()) if model.ties.m else 0.0,
        "ties": model.ties.m,
        "goal_consensus": consensus,
        "member_vision_distance": spread,
        "joint_projects": outcome.successes if outcome else 0,
        "project_attempts": outcome.attempts if outcome else 0,
        "joint_projects_total": model.totals["joint_projects"],
        "pilots": outcome.pilots if outcome else 0,
        "pilots_total": model.totals["pilots"],
        **money,
        "active_grants": len(model.funding.grants),
        "planning_stability": month.get("stability", 0.0),
        "service_level": model.service_level,
        "facilitation_hours": month.get("hours", 0.0),
        "dialogue_events": month.get("events_held", 0),
        "consultations": month.get("consultations", 0),
        "coordination_load": load,
        "governance_state": model.governance.state,
        "formalised": int(model.governance.formal),
        **{f"radar_{k}": float(radar[k]) for k in RADAR},
        "archetype": archetype(radar),
    }
