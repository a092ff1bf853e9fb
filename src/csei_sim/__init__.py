"""csei-sim: an agent-based model of how a regional Cluster of Social and Ecological Innovation
forms."""

from __future__ import annotations

from importlib import import_module
from typing import Any

__version__ = "0.1.0"

# Lazy, so that `csei-sim -m` and the parameter checks do not import Mesa, pandas and SciPy in the
# launching process; the model's own modules import them where a simulation runs.
_API = {
    "CSEIModel": "model",
    "Firm": "agents",
    "Municipality": "agents",
    "NGO": "agents",
    "Organisation": "agents",
    "Status": "agents",
    "University": "agents",
    "ParameterError": "params",
    "Params": "params",
}

__all__ = [*sorted(_API), "__version__"]


def __getattr__(name: str) -> Any:
    if name in _API:
        return getattr(import_module(f"{__name__}.{_API[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
