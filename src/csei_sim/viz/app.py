"""The explorer's page: Mesa's model controls, scenario sidebar, cluster panels and a comparison.

Serve it with ``csei-sim explore`` or ``solara run csei_sim.viz.app``. The page follows the layout
of Mesa's SolaraViz (controls, parameters and information in the sidebar; Reset, Play and Step from
Mesa's ``ModelController``); its own sidebar sets each slider to the chosen preset's value.
"""

from __future__ import annotations

from html import escape

import solara
import solara.server.settings
from mesa.visualization.solara_viz import ModelController
from mesa.visualization.utils import update_counter

from csei_sim.agents import Status
from csei_sim.model import CSEIModel
from csei_sim.viz.compare import CompareView
from csei_sim.viz.explorer_model import ExplorerModel, default_inputs, model_lock
from csei_sim.viz.inputs import LiveLevers, ScenarioInputs, clamp
from csei_sim.viz.network import NetworkPanel
from csei_sim.viz.panels import BudgetPanel, EventLog, MembershipPanel, RadarPanel, TrustPanel
from csei_sim.viz.regions import RegionsView

# No usage reports from this page's sessions (``csei-sim explore`` also turns them off at start).
solara.server.settings.telemetry.mixpanel_enable = False

TITLE = "CSEI explorer"
PLAY_INTERVAL_MS = 150


@solara.component
def StepInfo(model: CSEIModel):
    """Where the run stands: step and month, members, aware and exited, governance."""
    update_counter.get()
    with model_lock(model):
        solara.HTML(unsafe_innerHTML=step_info(model))


def step_info(model: CSEIModel) -> str:
    status, m, step = model.orgs.status, model.metrics, model.steps
    count = {s: int((status == s).sum()) for s in Status}
    return (
        f"<b>Step {step} of {model.params.steps}</b> ({model.date_of(step)})<br>"
        f"Members {count[Status.MEMBER]}, aware {count[Status.AWARE]}, exited "
        f"{count[Status.EXITED]} of {model.orgs.n}<br>Governance: "
        f"{escape(str(m['governance_state']))}{' (formalised)' if m['formalised'] else ''}; "
        f"{escape(str(m['archetype']))}"
    )


@solara.component
def PendingNote(model: CSEIModel, inputs: dict):
    """Says when the sidebar differs from the running model: changes apply at Reset."""
    if getattr(model, "inputs", inputs) != inputs:
        solara.Info("Settings changed: press Reset to start a run with them.", dense=True)


@solara.component
def Panel(title: str, child, model: CSEIModel):
    with solara.Card(title, margin=0, style={"height": "100%"}):
        child(model)


@solara.component
def ClusterView(model: CSEIModel):
    """The running model's panels; they redraw after each step (or each render interval)."""
    update_counter.get()
    with solara.Columns([3, 2]):
        Panel("Relationship network", NetworkPanel, model)
        Panel("CSEI radar", RadarPanel, model)
    with solara.Columns([1, 1]):
        Panel("Members by sector", MembershipPanel, model)
        Panel("Trust and goal consensus", TrustPanel, model)
    with solara.Columns([1, 1]):
        Panel("Budget", BudgetPanel, model)
        Panel("Event log", EventLog, model)


@solara.component
def Page():
    """The explorer: sidebar (controls, scenario, live levers, information) and two tabs."""
    inputs = solara.use_reactive(solara.use_memo(default_inputs, []))
    model = solara.use_reactive(solara.use_memo(lambda: ExplorerModel(**inputs.value), []))
    play_interval = solara.use_reactive(PLAY_INTERVAL_MS)
    render_interval = solara.use_reactive(1)
    use_threads = solara.use_reactive(False)  # a reactive: ModelController reads .value
    solara.Title(TITLE)
    with solara.AppBar():
        solara.AppBarTitle(f"{TITLE}: watch and steer a forming cluster")
    with solara.Sidebar(), solara.Column():
        with solara.Card("Controls"):
            ModelController(
                model,
                model_parameters=inputs,
                play_interval=play_interval,
                use_threads=use_threads,
                render_interval=render_interval,
            )
            solara.SliderInt(
                f"Steps per redraw: {render_interval.value}",
                value=render_interval.value,
                min=1,
                max=24,
                on_value=lambda x: render_interval.set(int(clamp(x, 1, 24, 1))),
            )
            solara.SliderInt(
                f"Play interval (ms): {play_interval.value}",
                value=play_interval.value,
                min=20,
                max=1000,
                step=10,
                on_value=lambda x: play_interval.set(int(clamp(x, 20, 1000, PLAY_INTERVAL_MS))),
            )
            PendingNote(model.value, inputs.value)
        with solara.Card("Scenario (applies at Reset)"):
            ScenarioInputs(inputs)
        with solara.Card("Live levers (apply now)"):
            LiveLevers(model.value)
        with solara.Card("Information"):
            StepInfo(model.value)
    with solara.lab.Tabs():
        with solara.lab.Tab("Cluster"):
            ClusterView(model.value)
        with solara.lab.Tab("Compare scenarios"):
            CompareView(inputs.value)
        with solara.lab.Tab("Regions side by side"):
            LazyRegions()


@solara.component
def LazyRegions():
    """The six seed regions stepped together, built only when asked for (it runs six models)."""
    shown = solara.use_reactive(False)
    if shown.value:
        RegionsView()
    else:
        solara.Button("Show the regions side by side", on_click=lambda: shown.set(True))


page = Page
