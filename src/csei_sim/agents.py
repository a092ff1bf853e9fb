"""Organisations: one Mesa agent class per sector on a shared base.

The model keeps organisation state in numpy arrays (one row per organisation) so that a month costs
O(organisations + ties); each agent is a light view on its row. Sector classes hold the defaults
that differ between sectors. All sector numbers are assumptions, chosen to express the differences
the seed and Ansell & Gash (2008) describe (resource imbalance, what each sector seeks), not
measurements.
"""

from __future__ import annotations

from enum import IntEnum
from typing import TYPE_CHECKING, ClassVar

import mesa
import numpy as np

if TYPE_CHECKING:
    from csei_sim.model import CSEIModel


class Status(IntEnum):
    """Where an organisation stands towards the cluster."""

    OUTSIDER = 0
    AWARE = 1
    MEMBER = 2
    EXITED = 3


VALUE_NAMES = ("contacts", "services", "funding", "mission")


class Organisation(mesa.Agent):
    """An organisation of the regional pool; its state lives in ``model.orgs`` row ``idx``."""

    sector: ClassVar[str] = "organisation"
    capacity_mean: ClassVar[float] = 0.5
    # weights on cross-sector contacts, services, access to funding, mission alignment (sum to 1)
    values: ClassVar[tuple[float, float, float, float]] = (0.25, 0.25, 0.25, 0.25)
    cost_sensitivity: ClassVar[float] = 0.7
    inertia: ClassVar[float] = 0.5  # share of months in which the organisation does not reconsider

    def __init__(self, model: CSEIModel, idx: int):
        super().__init__(model)
        self.idx = idx

    @property
    def status(self) -> Status:
        return Status(int(self.model.orgs.status[self.idx]))

    @property
    def capacity(self) -> float:
        return float(self.model.orgs.capacity[self.idx])

    @property
    def vision(self) -> np.ndarray:
        return self.model.orgs.vision[self.idx].copy()

    @property
    def commitment(self) -> float:
        return float(self.model.orgs.commitment[self.idx])

    @property
    def threshold(self) -> float:
        return float(self.model.orgs.threshold[self.idx])

    @property
    def time_in_status(self) -> int:
        return int(self.model.orgs.time_in_status[self.idx])

    @property
    def joint_projects(self) -> int:
        """Joint projects this organisation took part in (its roles held)."""
        return int(self.model.orgs.projects[self.idx])


class Municipality(Organisation):
    """Local public authority: resourceful and mission-driven, slow to decide."""

    sector = "municipality"
    capacity_mean = 0.8
    values = (0.2, 0.15, 0.15, 0.5)
    cost_sensitivity = 0.4
    inertia = 0.8


class NGO(Organisation):
    """Civil-society organisation: short of resources, seeks funding and shared mission."""

    sector = "ngo"
    capacity_mean = 0.3
    values = (0.15, 0.2, 0.35, 0.3)
    cost_sensitivity = 1.0
    inertia = 0.4


class Firm(Organisation):
    """Firm or social enterprise: seeks contacts and services, weighs cost."""

    sector = "firm"
    capacity_mean = 0.6
    values = (0.45, 0.3, 0.1, 0.15)
    cost_sensitivity = 0.8
    inertia = 0.5


class University(Organisation):
    """University or school: seeks partners and research funding, slow to decide."""

    sector = "university"
    capacity_mean = 0.7
    values = (0.3, 0.1, 0.35, 0.25)
    cost_sensitivity = 0.5
    inertia = 0.7


SECTOR_CLASSES: tuple[type[Organisation], ...] = (Municipality, NGO, Firm, University)
SECTORS: tuple[str, ...] = tuple(cls.sector for cls in SECTOR_CLASSES)
