"""Hydra plugin of csei-sim: the basic sweeper with a fast check of every job before launching."""
