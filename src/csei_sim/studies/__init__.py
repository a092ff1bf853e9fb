"""The flagship studies, each regenerated with one command into a report with tables and figures.

    csei-sim-study informal_vs_formal   # Q1 -> experiments/informal_vs_formal/report.md
    csei-sim-study funding_scenarios    # Q2 -> experiments/funding_scenarios/report.md
    csei-sim-study growth_drivers       # pool x office x funding horizon x governance
    csei-sim-study quick                # a few minutes' version of Q1 -> outputs/quick/report.md

Runs go to ``multirun/study_<name>/`` through :func:`csei_sim.experiment.run_sweep` (resumable:
an interrupted study continues where it stopped). Every study is a :class:`.scaffold.Study`, one
function per step (design -> runs -> tidy table -> effects -> tables/figures -> report). Modules:
:mod:`.scaffold`, :mod:`.design` (grids of scenarios), :mod:`.effects` (paired differences and
effect sizes, for every study), :mod:`.outcomes`, :mod:`.plots`, :mod:`.reporting`, :mod:`.claims`,
one module per study (:mod:`.informal_vs_formal`, :mod:`.funding_scenarios`,
:mod:`.growth_drivers`) and :mod:`.cli`.
"""
