"""Hydra configuration of the peer-exchange study (a package so Hydra finds it as a module)."""
