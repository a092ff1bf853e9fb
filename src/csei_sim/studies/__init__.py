"""The flagship studies, each regenerated with one command into a report with tables and figures.

    csei-sim-study informal_vs_formal   # Q1 -> experiments/informal_vs_formal/report.md
    csei-sim-study funding_scenarios    # Q2 -> experiments/funding_scenarios/report.md
    csei-sim-study quick                # a few minutes' version of Q1 -> outputs/quick/report.md

Runs go to ``multirun/study_<name>/`` through :func:`csei_sim.experiment.run_sweep` (resumable:
an interrupted study continues where it stopped). Modules: :mod:`.design` (grids of scenarios),
:mod:`.effects` (paired differences and effect sizes), :mod:`.outcomes`, :mod:`.plots`,
:mod:`.reporting`, :mod:`.claims`, one module per study (:mod:`.informal_vs_formal`,
:mod:`.funding_scenarios`) and :mod:`.cli`.
"""
