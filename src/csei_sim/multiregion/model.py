"""Several regional clusters stepped together month by month, learning from each other.

Each region is its own :class:`csei_sim.CSEIModel` with its own seed. Before each month the
exchange draws its events from its own stream (see :mod:`.regions`), updates the regions' practice
and confidence, and writes them into the three parameters the model reads every step:
``facilitation.facilitation_effectiveness``, ``facilitation.mission_skill`` and
``behaviour.confidence``. With exchange switched off nothing is written, and every region runs
exactly as :func:`csei_sim.run.simulate` would run it alone with the same seed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from csei_sim.model import CSEIModel
from csei_sim.months import month_index, month_label
from csei_sim.multiregion import events as ev
from csei_sim.multiregion import partners
from csei_sim.multiregion.params import ExchangeParams
from csei_sim.multiregion.regions import RegionInput, resolve, spawn_seeds
from csei_sim.params import Params

EXCHANGE_COLUMNS = ("facilitation_effectiveness", "mission_skill", "confidence", "exchange_events")


class MultiRegionModel:
    """Regional clusters and the peer exchange between them.

    ``regions``: preset names (default: the six seed regions with their case pairings), or a
    mapping name -> preset name, nested parameter mapping or :class:`Params`. ``exchange``: an
    :class:`ExchangeParams` or a mapping of its fields. ``steps`` and ``start`` are shared by all
    regions.
    """

    def __init__(
        self,
        regions: Sequence[str] | Mapping[str, RegionInput] | None = None,
        exchange: ExchangeParams | Mapping[str, Any] | None = None,
        *,
        seed: int | None = 2025,
        steps: int = Params().steps,
        start: str = Params().start,
    ):
        self.exchange = (
            exchange if isinstance(exchange, ExchangeParams) else ExchangeParams.from_dict(exchange)
        )
        self.base_params = resolve(regions, steps=steps, start=start)
        self.names = list(self.base_params)
        self.seed = seed
        self.seeds, exchange_seq = spawn_seeds(seed, len(self.names))
        self.rng = np.random.default_rng(exchange_seq)
        self.models = {
            name: CSEIModel(p, rng=s)
            for (name, p), s in zip(self.base_params.items(), self.seeds, strict=True)
        }
        self.steps, self.horizon, self.start = 0, steps, start
        self.running = True
        base = list(self.base_params.values())
        self.state = ev.PracticeState(
            effectiveness=np.array([p.facilitation.facilitation_effectiveness for p in base]),
            skill=np.array([p.facilitation.mission_skill for p in base]),
            confidence=np.zeros(len(base)),
        )
        self._param_distance = partners.parameter_distance(base)
        self.log: list[dict[str, Any]] = []
        self._rows: list[dict[str, Any]] = []
        self._record()

    # -- one month ------------------------------------------------------------------------------
    def step(self) -> None:
        """Exchange events of the coming month, then one step of every region."""
        t = self.steps + 1
        if self.exchange.enabled:
            self._exchange(t)
        for model in self.models.values():
            model.step()
        self.steps = t
        self._record()
        if t >= self.horizon:
            self.running = False

    def run(self) -> MultiRegionModel:
        while self.running and self.steps < self.horizon:
            self.step()
        return self

    def _exchange(self, t: int) -> None:
        x, state = self.exchange, self.state
        ev.decay_confidence(state, x)
        state.events[:] = 0
        if x.active(t):
            distance = self.distance()
            month = ev.draw_events(t, distance, x, self.rng)
            ev.apply_events(state, month, x, distance, self.rng)
            self.log += [e.record(self.names, self.date_of(t)) for e in month]
        for i, model in enumerate(self.models.values()):
            own = self.base_params[self.names[i]]
            base = own.behaviour.confidence
            # each event taken part in this month costs facilitation hours of that month
            model.params.facilitation.facilitation_hours = max(
                0.0, own.facilitation.facilitation_hours - x.event_hours * float(state.events[i])
            )
            model.params.facilitation.facilitation_effectiveness = float(state.effectiveness[i])
            model.params.facilitation.mission_skill = float(state.skill[i])
            model.params.behaviour.confidence = float(np.clip(base + state.confidence[i], -1, 1))

    def distance(self) -> np.ndarray:
        """Current distance between regions: parameters and radar profiles, mixed."""
        w = self.exchange.radar_weight
        if w == 0:
            return self._param_distance
        radar = np.array([partners.radar_profile(m.metrics) for m in self.models.values()])
        return (1 - w) * self._param_distance + w * partners.radar_distance(radar)

    # -- observation ----------------------------------------------------------------------------
    def date_of(self, step: int) -> str:
        return month_label(month_index(self.start) + step - 1)

    def _record(self) -> None:
        s = self.state
        for i, name in enumerate(self.names):
            p = self.models[name].params
            self._rows.append(
                {
                    "region": name,
                    "step": self.steps,
                    "facilitation_effectiveness": p.facilitation.facilitation_effectiveness,
                    "mission_skill": p.facilitation.mission_skill,
                    "confidence": p.behaviour.confidence,
                    "exchange_events": int(s.events[i]),
                }
            )

    def exchange_timeseries(self) -> pd.DataFrame:
        """Practice, confidence and events per region and step."""
        return pd.DataFrame(self._rows)

    def region_timeseries(self, name: str) -> pd.DataFrame:
        """One region's model time series (indexed by step), as a separate run gives it."""
        return self.models[name].timeseries()

    def timeseries(self) -> pd.DataFrame:
        """Tidy: one row per region and step, the model's columns plus the exchange's."""
        frames = [self.region_timeseries(n).reset_index().assign(region=n) for n in self.names]
        out = pd.concat(frames, ignore_index=True)
        out = out.merge(self.exchange_timeseries(), on=["region", "step"], how="left")
        return out[["region", "step", *[c for c in out if c not in ("region", "step")]]]

    def summary(self) -> pd.DataFrame:
        """One row per region: the run summary plus what exchange did to it."""
        ts = self.exchange_timeseries()
        rows = []
        for i, name in enumerate(self.names):
            mine = ts[ts["region"] == name]
            rows.append(
                {
                    "region": name,
                    "seed": self.seeds[i],
                    "n_organisations": self.base_params[name].region.n_organisations,
                    "critical_mass": self.base_params[name].critical_mass,
                    **self.models[name].summary_record(),
                    "final_effectiveness": float(mine["facilitation_effectiveness"].iloc[-1]),
                    "final_mission_skill": float(mine["mission_skill"].iloc[-1]),
                    "mean_confidence": float(mine["confidence"].iloc[1:].mean()),
                    "exchange_events": int(mine["exchange_events"].sum()),
                }
            )
        return pd.DataFrame(rows)

    def events(self) -> pd.DataFrame:
        """The exchange events: step, date, kind, initiator, partners."""
        return pd.DataFrame(self.log, columns=["step", "date", "kind", "initiator", "partners"])
