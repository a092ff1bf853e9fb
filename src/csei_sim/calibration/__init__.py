"""Calibration of the model to observed cluster growth (ABC-SMC on pyabc)."""
