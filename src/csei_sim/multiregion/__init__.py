"""Several regional clusters stepped together, with peer exchange between them.

    from csei_sim.multiregion import MultiRegionModel, ExchangeParams
    mr = MultiRegionModel(seed=7, exchange={"events_per_year": 4}).run()
    mr.timeseries()   # tidy: region, step, the model's columns, practice and confidence
    mr.summary()      # one row per region
    mr.events()       # the exchange events

Modules: :mod:`.params` (ExchangeParams), :mod:`.regions` (presets and seeds), :mod:`.partners`
(distances and partner choice), :mod:`.events` (what an exchange carries), :mod:`.model`,
:mod:`.study` (the Hydra study ``csei-sim-exchange``), :mod:`.report`.
"""

from csei_sim.multiregion.model import MultiRegionModel
from csei_sim.multiregion.params import ExchangeParams
from csei_sim.multiregion.regions import SEED_REGIONS, case_choices, spawn_seeds

__all__ = ["ExchangeParams", "MultiRegionModel", "SEED_REGIONS", "case_choices", "spawn_seeds"]
