"""``python -m csei_sim.sensitivity`` is ``csei-sim-analysis``."""

from csei_sim.sensitivity.cli import main

raise SystemExit(main())
