"""csei-sim: an agent-based model of how a regional Cluster of Social and Ecological Innovation
forms."""

from csei_sim.agents import NGO, Firm, Municipality, Organisation, Status, University
from csei_sim.model import CSEIModel
from csei_sim.params import ParameterError, Params

__version__ = "0.1.0"

__all__ = [
    "CSEIModel",
    "Firm",
    "Municipality",
    "NGO",
    "Organisation",
    "ParameterError",
    "Params",
    "Status",
    "University",
    "__version__",
]
