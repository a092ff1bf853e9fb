"""The structured schema Hydra checks every configuration against.

:class:`RunConfig` is :class:`csei_sim.params.Params` plus the keys that steer a run (base seed,
replicate, study, plot, block). Registered in Hydra's ConfigStore as ``csei_schema`` (first in the
defaults list of ``config.yaml``), it makes a misspelt key or a wrong type an error instead of a
silent default. Ranges, choices and the rules that join fields are checked afterwards by
:meth:`Params.from_dict`.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from hydra.core.config_store import ConfigStore
from omegaconf import OmegaConf

from csei_sim.params import Params

SCHEMA_NAME = "csei_schema"
# steer a run; not model parameters
CONTROL_KEYS = ("seed", "replicate", "study", "plot", "block", "posterior")
MAX_DIRNAME = 120  # longer folder names are shortened with a hash (file systems cap at 255)


@dataclass
class RunConfig(Params):
    """Model parameters plus the keys that steer one run."""

    seed: int = 2025  # base seed; each replicate's seed is spawned from it
    replicate: int = 0  # replicate index
    study: str = "adhoc"  # sweep folder name: multirun/<study>
    plot: bool | None = None  # write membership.png; None: for a single run, not in sweeps
    # further replicates this job runs, each into its own folder; set by the sweeper's blocks
    block: list[int] | None = None
    # a calibration folder (csei-sim-calibrate's output) or prior:<case>: each replicate draws the
    # free parameters from it, seeded from its run seed; null: the parameters as given
    posterior: str | None = None


def dirname(overrides: str) -> str:
    """Folder name for a run from Hydra's ``override_dirname``: ``default`` when empty."""
    name = re.sub(r"[/\\\s]", "_", str(overrides)) or "default"
    if len(name) > MAX_DIRNAME:
        digest = hashlib.sha256(name.encode()).hexdigest()[:12]
        name = f"{name[: MAX_DIRNAME - 13]}-{digest}"
    return name


def register() -> None:
    """Put the schema in Hydra's ConfigStore and the folder-name resolver in OmegaConf."""
    ConfigStore.instance().store(name=SCHEMA_NAME, node=RunConfig)
    if not OmegaConf.has_resolver("csei.dirname"):
        OmegaConf.register_new_resolver("csei.dirname", dirname)


register()
