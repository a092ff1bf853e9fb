"""The explorer's page: Mesa's model controls, scenario sidebar, cluster panels and a comparison.

Serve it with ``csei-sim explore`` or ``solara run csei_sim.viz.app``. The page follows the layout
of Mesa's SolaraViz (controls, parameters and information in the sidebar; Reset, Play and Step as
in Mesa's ``ModelController``, :mod:`csei_sim.viz.controls`); its own sidebar sets each slider to
the chosen preset's value. The sidebar shows the run's controls only on the tab they act on.
Importing this module applies the server's classroom settings (:mod:`csei_sim.viz.serving`).
"""

from __future__ import annotations

from html import escape

import reacton.ipyvuetify as rv
import solara
import solara.server.settings

from csei_sim.agents import Status
from csei_sim.model import CSEIModel
from csei_sim.viz import serving
from csei_sim.viz.charts import LiveHTML
from csei_sim.viz.compare import CompareView
from csei_sim.viz.controls import RunControls
from csei_sim.viz.downloads import RunDownloads
from csei_sim.viz.explorer_model import ExplorerModel, default_inputs
from csei_sim.viz.inputs import BoundedSlider, LiveLevers, ScenarioInputs
from csei_sim.viz.network import NetworkPanel
from csei_sim.viz.panels import BudgetPanel, EventLog, MembershipPanel, RadarPanel, TrustPanel
from csei_sim.viz.regions import RegionsView

# No usage reports from this page's sessions (``csei-sim explore`` also turns them off at start).
solara.server.settings.telemetry.mixpanel_enable = False
serving.apply()

TITLE = "CSEI explorer"
PLAY_INTERVAL_MS = 150
FINISHED_STYLE = (
    "margin-top:8px;padding:6px 10px;border-radius:4px;background:#e8f5e9;color:#1b5e20"
)
TABS = ("Cluster", "Compare scenarios", "Regions side by side")
FULL = (
    "The explorer is serving as many sessions as it can ({cap}). Close another tab or try "
    "again in a minute; a closed tab's session is freed after {cull}."
)


@solara.component
def StepInfo(model: CSEIModel):
    """Where the run stands, replaced in place after each step."""
    LiveHTML(step_info, model)


def step_info(model: CSEIModel) -> str:
    """Step and month, members, aware and exited, governance; a finished run says so."""
    status, m, step = model.orgs.status, model.metrics, model.steps
    count = {s: int((status == s).sum()) for s in Status}
    finished = model.steps >= model.params.steps or not model.running
    done = (
        f"<div style='{FINISHED_STYLE}'>Run finished at step {step}: press Reset for a new run."
        "</div>"
        if finished
        else ""
    )
    return (
        f"<b>Step {step} of {model.params.steps}</b> ({model.date_of(step)})<br>"
        f"Members {count[Status.MEMBER]}, aware {count[Status.AWARE]}, exited "
        f"{count[Status.EXITED]} of {model.orgs.n}<br>Governance: "
        f"{escape(str(m['governance_state']))}{' (formalised)' if m['formalised'] else ''}; "
        f"{escape(str(m['archetype']))}{done}"
    )


@solara.component
def PendingNote(model: CSEIModel, inputs: dict):
    """Says when the sidebar differs from the running model: changes apply at Reset."""
    if getattr(model, "inputs", inputs) != inputs:
        solara.Info("Settings changed: press Reset to start a run with them.", dense=True)


@solara.component
def Panel(title: str, child, model: CSEIModel, step: int):
    with solara.Card(title, margin=0, style={"height": "100%"}):
        child(model, step)


@solara.component
def ClusterView(model: CSEIModel):
    """The running model's panels, rendered once per model: after a step the figures receive
    their new data directly (:func:`csei_sim.viz.charts.redraw`) and the event log re-renders
    alone, so a step does not re-render this whole tree."""
    step = model.steps
    # side by side on a wide screen, one under the other on a narrow one (or a projector at 1024)
    with solara.ColumnsResponsive(12, large=[7, 5]):
        Panel("Relationship network", NetworkPanel, model, step)
        Panel("CSEI radar", RadarPanel, model, step)
    with solara.ColumnsResponsive(12, large=[6, 6]):
        Panel("Members by sector", MembershipPanel, model, step)
        Panel("Trust and goal consensus", TrustPanel, model, step)
    with solara.ColumnsResponsive(12, large=[6, 6]):
        Panel("Budget", BudgetPanel, model, step)
        Panel("Event log", EventLog, model, step)


@solara.component
def Controls(model, inputs, render_interval, play_interval):
    """Reset, Play and Step (Mesa's, with Play shared fairly), and how often the panels redraw."""
    with solara.Card("Controls"):
        RunControls(model, inputs, play_interval, render_interval)
        BoundedSlider(
            f"Steps per redraw: {render_interval.value}",
            value=render_interval.value,
            lo=1,
            hi=24,
            step=1,
            on_value=render_interval.set,
            is_int=True,
        )
        BoundedSlider(
            f"Play interval (ms): {play_interval.value}",
            value=play_interval.value,
            lo=20,
            hi=1000,
            step=10,
            on_value=play_interval.set,
            is_int=True,
        )
        PendingNote(model.value, inputs.value)


@solara.component
def Explorer():
    """The explorer: sidebar (controls, scenario, live levers, information) and three tabs."""
    inputs = solara.use_reactive(solara.use_memo(default_inputs, []))
    model = solara.use_reactive(solara.use_memo(lambda: ExplorerModel(**inputs.value), []))
    play_interval = solara.use_reactive(PLAY_INTERVAL_MS)
    render_interval = solara.use_reactive(1)
    tab = solara.use_reactive(0)
    with solara.Sidebar(), solara.Column():
        if tab.value == 0:  # the run's controls act on the Cluster tab only
            Controls(model, inputs, render_interval, play_interval)
            with solara.Card("Scenario (applies at Reset)"):
                ScenarioInputs(inputs)
            with solara.Card("Live levers (apply now)"):
                LiveLevers(model.value)
            with solara.Card("Information"):
                StepInfo(model.value)
            with solara.Card("Download this run"):
                RunDownloads(model.value)
        else:
            solara.Info(f"The {TABS[tab.value]} tab has its own controls.", dense=True)
    TabBar(tab.value, tab.set)
    # all three stay mounted (a comparison or the regions keep their state), one is shown
    with Shown(tab.value == 0):
        ClusterView(model.value)
    with Shown(tab.value == 1):
        CompareView(inputs.value)
    with Shown(tab.value == 2):
        LazyRegions()


@solara.component
def TabBar(index: int, on_index):
    """The tab names; the tab a browser asks for is checked here (Solara's tabs index a list
    with whatever value arrives)."""
    with rv.Tabs(v_model=index, on_v_model=lambda raw: on_index(_tab_index(raw))):
        for name in TABS:
            rv.Tab(children=[name])


def Shown(visible: bool):
    return solara.Column(classes=[] if visible else ["d-none"])  # Vuetify's display: none


def _tab_index(value) -> int:
    """The tab a browser asked for, or the first: a crafted value is no tab."""
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < len(TABS):
        return value
    return 0


@solara.component
def Page():
    """The explorer, or a note when the server already holds as many sessions as it can."""
    full = solara.use_memo(lambda: serving.live_sessions() > serving.max_sessions(), [])
    solara.Title(TITLE)
    with solara.AppBar():
        solara.AppBarTitle(f"{TITLE}: watch and steer a forming cluster")
    if full:
        solara.Warning(FULL.format(cap=serving.max_sessions(), cull=serving.CULL_TIMEOUT))
    else:
        Explorer()


@solara.component
def LazyRegions():
    """The six seed regions stepped together, built only when asked for (it runs six models)."""
    shown = solara.use_reactive(False)
    if shown.value:
        RegionsView()
    else:
        solara.Button("Show the regions side by side", on_click=lambda: shown.set(True))
        solara.Text(" (it runs six regions at once, with and without peer exchange)")


page = Page
