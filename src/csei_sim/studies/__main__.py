"""``python -m csei_sim.studies NAME``: the same as ``csei-sim-study NAME``."""

from csei_sim.studies.cli import main

raise SystemExit(main())
