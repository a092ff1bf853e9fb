"""Global sensitivity analysis and scenario discovery on the model, on the sweep runner.

- :mod:`.factors`: the factor space (main parameters, analysis ranges) and the base scenario;
- :mod:`.outcomes`: the four analysed outcomes, replicate means and the noise share;
- :mod:`.evaluate`: design points -> runs (``csei_sim.experiment.run_sweep``) -> outcomes;
- :mod:`.morris`, :mod:`.sobol`: SALib designs and indices; :mod:`.discovery`: PRIM boxes;
- :mod:`.studies`: each analysis end to end; :mod:`.report`, :mod:`.figures`: Markdown and PNGs;
- :mod:`.cli`: ``csei-sim-analysis morris|sobol|prim|report``.
"""
