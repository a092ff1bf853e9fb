"""CSEIModel: a regional Cluster of Social and Ecological Innovation forming month by month."""

from __future__ import annotations

import numbers
from collections import deque
from collections.abc import Mapping
from functools import partial
from typing import Any

import mesa
import numpy as np
import pandas as pd

from csei_sim import facilitation as fac
from csei_sim.agents import SECTOR_CLASSES, SECTORS, Organisation, Status
from csei_sim.collaboration import collaborate
from csei_sim.decisions import (
    PILOT_REFERENCE,
    PILOT_WINDOW,
    ClusterOffer,
    decide,
    spread_awareness,
)
from csei_sim.funding import INCOME_SOURCES, FundingSchedule
from csei_sim.governance import Governance, coordination_load
from csei_sim.ledger import SPENDING_PURPOSES, Ledger
from csei_sim.metrics import RADAR, blau, radar_scores, summarise
from csei_sim.months import month_index, month_label
from csei_sim.network import TieNetwork, prior_ties
from csei_sim.observe import MetricsCollector
from csei_sim.params import ParameterError, Params
from csei_sim.population import create_population
from csei_sim.recruiting import member_recruiting, open_call

SERVICE_MEMORY = 0.8  # share of last month's service level that carries over (assumption)
SERVICE_SHARE = 0.5  # share of the balance the cluster is willing to spend on services per month
OFFICE_SERVICE = 0.3  # service level an office adds (network-level competencies, Provan & Kenis)
COMMITMENT_DECAY = 0.02  # monthly loss of commitment without new wins (assumption)
CORE_TRUST_BONUS = 0.1  # engaged core actors trust each other more than the average tie
CORE_COMMITMENT = 0.5  # the engaged core starts committed (seed: "four or five engaged actors")
FTE_HOURS = 160.0  # working hours per month of one full-time position


def _check_rng(rng: Any) -> Any:
    """A seed must be a whole number >= 0 (text too: Solara's seed box hands over text)."""
    if isinstance(rng, str):
        text = rng.strip()
        # isascii: "²" and other Unicode digits pass isdigit() but int() refuses them
        if text and not (text.isascii() and text.isdigit()):
            raise ParameterError("rng", f"expected a whole number >= 0, got {rng!r}")
        return int(text) if text else None
    if (
        isinstance(rng, bool)
        or isinstance(rng, numbers.Real)
        and not isinstance(rng, numbers.Integral)
    ):
        raise ParameterError("rng", f"expected a whole number >= 0, got {rng!r}")
    if isinstance(rng, numbers.Integral):
        if rng < 0:
            raise ParameterError("rng", f"expected a whole number >= 0, got {rng!r}")
        return int(
            rng
        )  # numpy integers (EMA Workbench, batch_run(rng=np.arange(n))) -> int for Mesa
    return rng  # None, an integer, a SeedSequence or a Generator


def _read(model: CSEIModel, name: str) -> Any:
    return model.metrics[name]


class CSEIModel(mesa.Model):
    """Organisations decide each month to join, stay in or leave a regional CSEI cluster.

    Build it from keyword parameters (flat names or nested groups, see :mod:`csei_sim.params`),
    from a :class:`Params`, or from a Hydra/OmegaConf config with :meth:`from_config`.
    """

    def __init__(
        self, params: Params | Mapping | None = None, *, rng: Any = None, **overrides: Any
    ):
        super().__init__(rng=_check_rng(rng))
        if isinstance(params, Params):
            params = Params.from_dict(params.to_dict(), **overrides)
        else:
            params = Params.from_dict(params, **overrides)
        self.params = p = params
        self.orgs = create_population(p.region, self.rng)
        self.ties = TieNetwork(
            self.orgs.n, capacity=max(64, int(p.region.mean_degree * self.orgs.n))
        )
        self.governance = Governance(p.governance)
        self.funding = FundingSchedule(p.funding, p.start)
        self.ledger = Ledger()
        self.service_level = 0.0
        self.pilot_history: deque[int] = deque([0] * PILOT_WINDOW, maxlen=PILOT_WINDOW)
        self.events: list[dict[str, Any]] = []
        self.totals = {"joint_projects": 0, "pilots": 0, "exits": 0, "joins": 0}
        self._month: dict[str, Any] = {}
        self._seed_network()
        self._seed_statuses()
        self._agents_made = False  # one Mesa agent per organisation, made on first access
        self.mission = fac.mission_target(self.orgs)
        self._month = self._start_state()
        self.metrics = self._measure()
        self.datacollector = MetricsCollector(
            model_reporters={name: partial(_read, name=name) for name in self.metrics}
        )
        self.datacollector.collect(self)

    @classmethod
    def from_config(cls, cfg: Any, rng: Any = None) -> CSEIModel:
        """Build from a Hydra/OmegaConf config (nested groups).

        A top-level ``seed`` seeds the model; with a ``replicate`` beside it, ``seed`` is the base
        seed of a sweep and the replicate's seed is spawned from it, as ``csei-sim`` does. An
        unknown top-level key raises :class:`ParameterError` with the command line's message.
        """
        import difflib

        data = _config_data(cfg)
        if "base_seed" in data:  # a saved run's config.yaml: it always holds every parameter
            _check_saved_run(data)
        seed = data.pop("seed", None)
        replicate = data.pop("replicate", None)
        for key, value in (("seed", seed), ("replicate", replicate)):
            if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
                raise ParameterError(key, f"expected a whole number >= 0, got {value!r}")
        # a saved run config records its spawned seed beside ``base_seed``: use that seed as it is
        if seed is not None and replicate is not None and "base_seed" not in data:
            from csei_sim.seeds import run_seed

            seed = run_seed(seed, replicate)
        # besides the parameters: the keys that steer a run (as ``csei-sim`` takes them); a saved
        # run's base seed (beside its spawned seed) and Hydra's own node are passed over
        from csei_sim.experiment.schema import CONTROL_KEYS

        allowed = [*Params.__dataclass_fields__, *CONTROL_KEYS]
        for key in data:
            if key not in allowed and key not in ("base_seed", "hydra"):
                close = difflib.get_close_matches(str(key), allowed, n=1)
                hint = f" (did you mean {close[0]}?)" if close else ""
                raise ParameterError(str(key), f"unknown key{hint}; allowed: {', '.join(allowed)}")
        if seed is None and rng is None:  # else a random seed, without a word
            raise ParameterError("seed", "missing; a config names its seed (a whole number >= 0)")
        params = {k: v for k, v in data.items() if k in Params.__dataclass_fields__}
        return cls(params, rng=seed if rng is None else rng)

    # -- initialisation ------------------------------------------------------------------------
    def _seed_network(self) -> None:
        r, orgs = self.params.region, self.orgs
        u, v = prior_ties(
            orgs.sector, r.mean_degree, r.cross_sector_share, self.rng, r.community_size
        )
        cross = orgs.sector[u] != orgs.sector[v]
        mean = r.initial_trust - r.cross_sector_trust_gap * cross
        trust = np.clip(self.rng.normal(mean, r.trust_spread), 0.0, 1.0) if len(u) else mean
        self.ties.add(u, v, trust, step=0)

    def _seed_statuses(self) -> None:
        r, orgs, n = self.params.region, self.orgs, self.orgs.n
        weight = self.ties.degree() + 1.0
        core = self.rng.choice(n, size=r.core_size, replace=False, p=weight / weight.sum())
        orgs.set_status(core, Status.MEMBER)
        orgs.commitment[core] = CORE_COMMITMENT
        a, b = np.triu_indices(len(core), k=1)
        rows = self.ties.add(core[a], core[b], min(1.0, r.initial_trust + CORE_TRUST_BONUS))
        self.ties.trust[rows] = np.maximum(
            self.ties.trust[rows], r.initial_trust + CORE_TRUST_BONUS
        )
        np.clip(self.ties.trust, 0.0, 1.0, out=self.ties.trust)
        rest = np.flatnonzero(orgs.status == Status.OUTSIDER)
        aware = self.rng.choice(
            rest, size=int(round(r.initial_aware_share * len(rest))), replace=False
        )
        orgs.set_status(aware, Status.AWARE)

    def _start_state(self) -> dict[str, Any]:
        """Consensus, load and planning stability as they stand before the first month."""
        gov, member = self.governance, self.orgs.is_(Status.MEMBER)
        members = int(member.sum())
        fee = self.funding.fee_per_member(gov.operating, self.params.governance.formal_fee)
        prospect = self.funding.income(1, members, fee)  # what the first month will bring
        consensus = fac.goal_consensus(self.orgs, self.mission)
        trust = self.ties.mean_trust_within(member)
        capacity = gov.capacity(0.0, 1.0 if gov.operating else 0.0, trust, consensus)
        return {
            "consensus": consensus,
            "load": coordination_load(members, capacity),
            "stability": self.funding.stability(0, prospect),
        }

    # -- one month -----------------------------------------------------------------------------
    def step(self) -> None:
        """Income, facilitation, recruiting, collaboration, trust decay, decisions, governance."""
        t, p, gov = self.steps, self.params, self.governance
        hours = self._finance_month(t)
        eff_out, eff_dia, eff_mis = fac.split_hours(p.facilitation, hours)
        newly_aware = fac.outreach(self.orgs, eff_out, p.facilitation, self.rng)
        events_held, invited = fac.dialogue(
            self.orgs, self.ties, eff_dia, p.facilitation, self.rng, t
        )
        effective = hours * p.facilitation.facilitation_effectiveness
        introduced = member_recruiting(self.orgs, self.ties, effective, p.facilitation, self.rng, t)
        # an office's consultations come on top of members' own recruiting (none while setting up)
        recruit_hours = self._month["office_hours"] * p.governance.office_recruit_share
        consulted = fac.consultations(
            self.orgs, self.ties, recruit_hours, p.facilitation, self.rng, t
        )
        # a call is publicised by outreach in shared governance or by an operating office
        applied = open_call(
            self.orgs, self.mission, p.governance, t, eff_out > 0 or gov.operating, self.rng
        )
        self._month.update(
            consulted=np.union1d(consulted, introduced), applied=applied, introduced=introduced
        )
        fac.mission_work(self.orgs, eff_mis, p.facilitation)
        self.mission = fac.mission_target(self.orgs)
        consensus = fac.goal_consensus(self.orgs, self.mission)
        fac.mission_binding(self.orgs, eff_mis, consensus, p.facilitation)
        member = self.orgs.is_(Status.MEMBER)
        members = int(member.sum())
        capacity = gov.capacity(
            effective, self._month["office_staffed"], self.ties.mean_trust_within(member), consensus
        )
        load = coordination_load(members, capacity)
        outcome = collaborate(
            self.orgs, self.ties, p.behaviour, consensus, max(0.0, load - 1.0), self.rng, t
        )
        self.pilot_history.append(outcome.pilots)
        self.totals["joint_projects"] += outcome.successes
        self.totals["pilots"] += outcome.pilots
        self.ties.decay(t, p.behaviour.trust_decay)
        self._commit(self._month["stability"])
        newly_aware += invited + self._decide(t, load, outcome.pilot_orgs)
        self._log_pilots(t, outcome.pilot_orgs)
        if gov.month_done(self._month["office_paid"]):
            gov.close(t)
            self._log(t, "deformalisation", -1, "the unpaid office closed")
        member = self.orgs.is_(Status.MEMBER)
        member_trust = self.ties.mean_trust_within(member)
        if gov.consider_formalising(t, int(member.sum()), member_trust):
            self._log(t, "formalisation", -1, "the cluster chose to set up an office")
        self._month.update(
            member_trust=member_trust,  # ties and statuses stay as they are until measured
            consensus=consensus,
            load=load,
            outcome=outcome,
            hours=hours,
            newly_aware=newly_aware,
            events_held=events_held,
            consultations=len(consulted),
            introductions=len(introduced),
            applicants=len(applied),
        )
        self.metrics = self._measure()
        self.datacollector.collect(self)
        if t >= p.steps:
            self.running = False

    def _finance_month(self, t: int) -> float:
        """Income, then paying for facilitation, office and services; returns hours delivered."""
        p, led, gov = self.params, self.ledger, self.governance
        members = int(self.orgs.is_(Status.MEMBER).sum())
        led.open_month()
        self.funding.apply_for_grants(
            t, members, gov.operating, p.governance.formal_grant_multiplier, self.rng
        )
        fee = self.funding.fee_per_member(gov.operating, p.governance.formal_fee)
        income = self.funding.income(t, members, fee)
        for source, amount in income.items():
            led.receive(source, amount)
        fa = p.facilitation
        wanted = fa.facilitation_hours * fa.hourly_cost
        if fa.facilitation_paid_by == "sponsor":
            led.receive("sponsor", wanted)
        paid = led.spend("facilitation", wanted)
        hours = paid / fa.hourly_cost if fa.hourly_cost > 0 else fa.facilitation_hours
        office_paid = 0.0
        if gov.setting_up:  # workshops on rules, legal form and services (seed: Pomorskie, 2025)
            hours = max(0.0, hours - p.governance.setup_hours)
            led.spend("office", p.governance.setup_cost)
        elif gov.operating:
            cost = p.governance.office_cost
            office_paid = led.spend("office", cost) / cost if cost > 0 else 1.0
        unit = p.behaviour.service_unit_cost * max(members, 1)
        services = led.spend("services", min(unit, SERVICE_SHARE * led.balance))
        target = services / unit + OFFICE_SERVICE * office_paid
        self.service_level = SERVICE_MEMORY * self.service_level + (1 - SERVICE_MEMORY) * min(
            1.0, target
        )
        stability = self.funding.stability(t, income)
        # an office funded from month to month cannot hire or keep staff (vacancies, turnover)
        staffed = office_paid * (1.0 - p.governance.vacancy_unplanned * (1.0 - stability))
        self._month = {
            "office_paid": office_paid,
            "office_staffed": staffed,
            "office_hours": staffed * p.governance.office_staff * FTE_HOURS,
            "fee": fee,
            "stability": stability,
            "external": income["committed_grant"] + income["project_grants"],
        }
        return hours

    def _commit(self, stability: float) -> None:
        """Commitment fades without wins; members who can plan commit staff time and gain it."""
        orgs = self.orgs
        orgs.commitment *= 1.0 - COMMITMENT_DECAY
        member = orgs.is_(Status.MEMBER)
        gain = self.params.behaviour.stability_commitment * stability
        orgs.commitment[member] += gain * (1.0 - orgs.commitment[member])

    def _decide(self, t: int, load: float, pilot_orgs: np.ndarray) -> int:
        p, orgs = self.params, self.orgs
        gov = self.governance
        member = orgs.is_(Status.MEMBER)
        lead = None
        if gov.state == "lead_organisation" and member.any():
            lead = int(orgs.sector[np.flatnonzero(member)[np.argmax(orgs.capacity[member])]])
        offer = ClusterOffer(
            members_by_sector=np.bincount(orgs.sector[member], minlength=4),
            service_level=self.service_level,
            external_income=self._month["external"],
            stability=self._month["stability"],
            mission=self.mission,
            visibility=min(1.0, sum(self.pilot_history) / PILOT_REFERENCE),
            fee=self._month["fee"],
            strain=max(0.0, load - 1.0),
            lead_sector=lead,
            lead_dominance=p.governance.lead_dominance,
            entry_min_capacity=p.governance.entry_min_capacity if gov.operating else 0.0,
        )
        told = spread_awareness(
            orgs, self.ties, p.behaviour, offer.visibility, pilot_orgs, self.rng
        )
        choice = decide(
            orgs,
            self.ties,
            offer,
            p.behaviour,
            self.rng,
            self._month["consulted"],
            self._month["applied"],
        )
        orgs.time_in_status += 1
        orgs.set_status(choice.left, Status.EXITED)
        orgs.set_status(choice.joined, Status.MEMBER)
        self._month.update(joins=len(choice.joined), exits=len(choice.left))
        self.totals["joins"] += len(choice.joined)
        self.totals["exits"] += len(choice.left)
        for idx in choice.joined.tolist():
            self._log(t, "join", idx, SECTORS[orgs.sector[idx]])
        for idx in choice.left.tolist():
            self._log(t, "exit", idx, SECTORS[orgs.sector[idx]])
        return told

    def _log_pilots(self, t: int, pilot_orgs: np.ndarray) -> None:
        half = len(pilot_orgs) // 2
        for a, b in zip(pilot_orgs[:half].tolist(), pilot_orgs[half:].tolist(), strict=True):
            self._log(t, "pilot", a, f"pilot with organisation {b}")

    def _log(self, t: int, kind: str, org: int, detail: str) -> None:
        self.events.append(
            {"step": t, "date": self.date_of(t), "kind": kind, "org": org, "detail": detail}
        )

    # -- observation ---------------------------------------------------------------------------
    def date_of(self, step: int) -> str:
        """Calendar month (YYYY-MM) that ``step`` completes; step 0 is the start."""
        return month_label(month_index(self.params.start) + step - 1)

    def _measure(self) -> dict[str, Any]:
        """All time-series variables for the current step (one O(organisations + ties) pass)."""
        from csei_sim.observe import measure

        return measure(self)

    def timeseries(self) -> pd.DataFrame:
        """The collected time series: one row per step (0 = start), one column per variable."""
        df = self.datacollector.get_model_vars_dataframe()
        df.index = pd.RangeIndex(len(df), name="step")
        return df

    def summary(self) -> pd.DataFrame:
        """One-row run summary (a DataFrame); :meth:`summary_record` gives the same as a dict.

        Outcomes a run cannot have (members at the end of 2035 in a run that stops in 2030) are
        NaN, and the ``not_observed`` column says which and why.
        """
        return pd.DataFrame([self.summary_record()])

    def summary_record(self) -> dict[str, Any]:
        """The run summary as one dict: outcome name -> value."""
        p = self.params
        return summarise(
            self.timeseries(),
            critical_mass=p.critical_mass,
            funding_end=self.funding.funding_end_step(),
            step_2030=p.step_of("2030-12"),
            step_2035=p.step_of("2035-12"),
        )

    def run(self) -> CSEIModel:
        """Run to the horizon (``steps``)."""
        while self.running and self.steps < self.params.steps:
            self.step()
        return self

    # -- Mesa agents: views on the organisations' rows, made when first asked for ---------------
    def _make_agents(self) -> None:
        """One agent per organisation, in index order (unique ids 1..n as if made at build).

        The month works on ``orgs`` alone; the objects are for user code, the explorer and Mesa's
        agent tools, and making them for a million organisations costs seconds no run needs.
        """
        if self.__dict__.get("_agents_made", True):
            return
        self._agents_made = True
        for idx, sector in enumerate(self.orgs.sector.tolist()):
            SECTOR_CLASSES[sector](self, idx)

    @property
    def agents(self) -> Any:
        """Mesa's set of all agents (see :class:`mesa.Model`); made on first access."""
        self._make_agents()
        return self._all_agents

    @property
    def agents_by_type(self) -> Any:
        """Mesa's agent sets by class (see :class:`mesa.Model`); made on first access."""
        self._make_agents()
        return self._agents_by_type

    @property
    def agent_types(self) -> list[type]:
        """The agent classes present (see :class:`mesa.Model`); made on first access."""
        self._make_agents()
        return list(self._agents_by_type)

    def remove_all_agents(self) -> None:
        """Mesa's removal of every agent; agents not yet made are then never made."""
        self._agents_made = True
        super().remove_all_agents()

    def organisations(self) -> list[Organisation]:
        """The organisations in index order."""
        return sorted(self.agents, key=lambda agent: agent.idx)


__all__ = ["CSEIModel", "RADAR", "INCOME_SOURCES", "SPENDING_PURPOSES", "blau", "radar_scores"]


def _config_data(cfg: Any) -> dict[str, Any]:
    """A config as a plain dict, or :class:`ParameterError` for anything that is not a mapping."""
    from omegaconf import DictConfig, OmegaConf
    from omegaconf.errors import OmegaConfBaseException

    if isinstance(cfg, DictConfig):
        try:
            return OmegaConf.to_container(cfg, resolve=True)
        except OmegaConfBaseException as err:
            raise ParameterError("config", str(err).splitlines()[0]) from None
    if not isinstance(cfg, Mapping):
        raise ParameterError(
            "config",
            f"expected a mapping of keys to values (e.g. a run's config.yaml), got {cfg!r}",
        )
    return dict(cfg)


def _check_saved_run(data: Mapping[str, Any]) -> None:
    """A saved run's config (it has ``base_seed``) holds its seeds and every parameter; one that
    lacks any was cut short or edited, and would rebuild a different run from defaults."""
    expected = {"seed": None, "replicate": None, **Params().to_dict()}
    for key, default in expected.items():
        if key not in data:
            raise ParameterError(key, "missing from a saved run's config; the file is cut short")
        if isinstance(default, dict):
            group = data[key]
            if not isinstance(group, Mapping):
                raise ParameterError(key, f"expected a mapping of parameters, got {group!r}")
            for name in default:
                if name not in group:
                    raise ParameterError(
                        f"{key}.{name}", "missing from a saved run's config; the file is cut short"
                    )
