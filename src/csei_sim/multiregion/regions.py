"""The regions of a multi-region run: their parameters and their seeds.

By default the six seed regions, each with the pairing of presets its case experiment gives
(``configs/experiment/case_<region>.yaml``: governance, funding and facilitation); a region without
a case file gets its region preset and the default groups.

Seeds: ``SeedSequence(seed).spawn(n + 1)``; region ``i`` runs with the first 32-bit word of child
``i`` (the same number :func:`csei_sim.experiment.runner.run_seed` gives for replicate ``i``), the
last child drives the exchange. Exchange draws thus never touch a region's own stream.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import yaml

from csei_sim import presets
from csei_sim.params import ParameterError, Params

SEED_REGIONS = ("agder", "hamburg", "pomorskie", "kurzeme", "vasterbotten", "voru")
PAIRED_GROUPS = ("governance", "funding", "facilitation")

RegionInput = Params | Mapping[str, Any] | str


def case_choices(region: str) -> dict[str, str]:
    """Preset per group for a region: its case experiment's pairings, else the region alone."""
    if region not in presets.options("region"):
        raise ParameterError(
            "regions",
            f"unknown region preset {region!r}; allowed: {', '.join(presets.options('region'))}",
        )
    path = presets.CONFIG_DIR / "experiment" / f"case_{region}.yaml"
    choices = {"region": region}
    if not path.is_file():
        return choices
    for item in (yaml.safe_load(path.read_text()) or {}).get("defaults", []):
        if isinstance(item, Mapping):
            for key, value in item.items():
                group = str(key).removeprefix("override").strip().lstrip("/")
                if group in PAIRED_GROUPS:
                    choices[group] = str(value)
    return choices


def region_params(spec: RegionInput, *, steps: int, start: str) -> Params:
    """One region's parameters from a preset name, a nested mapping or a Params."""
    if isinstance(spec, str):
        data: Mapping[str, Any] = presets.compose(**case_choices(spec))
    elif isinstance(spec, Params):
        data = spec.to_dict()
    else:
        data = spec
    return Params.from_dict(data, steps=steps, start=start)


def resolve(
    regions: Sequence[str] | Mapping[str, RegionInput] | None, *, steps: int, start: str
) -> dict[str, Params]:
    """Name -> validated parameters, all on the same calendar and horizon."""
    if regions is None:
        regions = SEED_REGIONS
    if not isinstance(regions, Mapping):
        names = list(regions)
        if len(set(names)) != len(names):
            raise ParameterError("regions", f"each region once, got {names}")
        regions = {name: name for name in names}
    if not regions:
        raise ParameterError("regions", "at least one region is needed")
    return {
        str(name): region_params(spec, steps=steps, start=start) for name, spec in regions.items()
    }


def spawn_seeds(seed: int | None, n_regions: int) -> tuple[list[int], np.random.SeedSequence]:
    """Integer seeds of the regions and the seed sequence of the exchange's own stream."""
    root = np.random.SeedSequence(seed)
    children = root.spawn(n_regions + 1)
    seeds = [int(c.generate_state(1, dtype=np.uint32)[0]) for c in children[:n_regions]]
    return seeds, children[n_regions]
