"""``python -m csei_sim.multiregion``: the same as ``csei-sim-exchange``."""

from csei_sim.multiregion.study import main

raise SystemExit(main())
