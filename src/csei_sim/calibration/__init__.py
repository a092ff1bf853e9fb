"""Calibration of the model to observed cluster growth (ABC-SMC on pyabc).

Modules, from the bottom up: ``preset_ranges`` (origins and ranges stated in preset files),
``cases`` (case files), ``simulate`` (one run, summary statistics, distance), ``synthetic``
(data sets from known parameters), ``sampler`` (the seeded pyabc sampler), ``abc`` (run and
resume), ``posterior`` (draws, predictive runs, spread shares), ``validate`` (coverage, CRPS),
``figures``, ``report``, ``pipeline`` (a whole calibration) and ``cli`` (``csei-sim-calibrate``).
"""
