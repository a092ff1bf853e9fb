"""The explorer page and its components, rendered in-process with solara.render."""

from __future__ import annotations

import threading

import ipyvuetify as v
import pytest
from plotly.graph_objs import FigureWidget

solara = pytest.importorskip("solara")


from csei_sim import presets  # noqa: E402
from csei_sim.agents import Status  # noqa: E402
from csei_sim.viz import compare, network, panels  # noqa: E402
from csei_sim.viz.app import ClusterView, Page, StepInfo  # noqa: E402
from csei_sim.viz.explorer_model import (  # noqa: E402
    SLIDERS,
    ExplorerModel,
    default_inputs,
    mesa_model_params,
    model_lock,  # noqa: E402
    preset_inputs,
)
from csei_sim.viz.inputs import LiveLevers  # noqa: E402

N_FIGURES = 5  # network, radar, members, trust, budget


@pytest.fixture
def page():
    box, rc = solara.render(solara.AppLayout(children=[Page()]), handle_error=False)
    yield rc
    rc.close()


def texts(rc) -> str:
    """All Markdown and plain text on the page, joined."""
    parts = []
    for w in rc.find(v.VuetifyTemplate).widgets:
        template = getattr(w, "template", "")
        parts.append(str(getattr(template, "template", template)))  # text or a Template widget
    parts += [str(w.unsafe_innerHTML) for w in rc.find(solara.widgets.HTML).widgets]
    for cls in (v.Html, v.Alert):
        parts += [c for w in rc.find(cls).widgets for c in w.children if isinstance(c, str)]
    return "\n".join(parts)


def figures(rc) -> list[FigureWidget]:
    return rc.find(FigureWidget).widgets


def drawn(rc) -> list[str]:
    """What each figure shows now (its data and title), to tell whether it was updated."""
    return [f"{f.layout.title.text} {f.to_plotly_json()['data']}" for f in figures(rc)]


def click(rc, label: str) -> None:
    rc.find(v.Btn, children=[label]).widget.click()


def sidebar(rc):
    """The sidebar (the comparison tab repeats the scenario inputs)."""
    return rc.find(v.NavigationDrawer)


def slider(rc, label_start: str):
    sliders = sidebar(rc).find(v.Slider).widgets
    found = [w for w in sliders if str(w.label).startswith(label_start)]
    assert len(found) == 1, [w.label for w in sliders]
    return found[0]


def test_page_renders_every_panel(page):
    shown = figures(page)
    assert len(shown) == N_FIGURES
    assert all(len(fig.data) >= 2 and fig.layout.title.text for fig in shown)
    text = texts(page)
    assert "Step 0 of 144" in text
    titles = {c for w in page.find(v.CardTitle).widgets for c in w.children}
    assert {
        "Relationship network",
        "CSEI radar",
        "Members by sector",
        "Budget",
        "Event log",
        "Trust and goal consensus",
        "Scenario A",
        "Scenario B",
    } <= titles
    for label in ("Region", "Governance mode", "Funding scenario", "Facilitation level"):
        assert sidebar(page).find(v.Select, label=label).widget.v_model is not None


def test_step_advances_and_redraws(page):
    before = drawn(page)
    for _ in range(3):
        click(page, "Step")
    assert "Step 3 of 144" in texts(page)
    after = drawn(page)
    assert len(after) == N_FIGURES
    assert all(a != b for a, b in zip(before, after, strict=True))
    members = figures(page)[2]  # members by sector: one point per month so far
    assert [len(t.x) for t in members.data] == [4] * len(members.data)


def test_render_interval_steps_several_months_per_click(page):
    slider(page, "Steps per redraw").v_model = 6
    click(page, "Step")
    assert "Step 6 of 144" in texts(page)


def test_changed_slider_applies_at_reset(page):
    slider(page, "Organisations in the region").v_model = 120
    assert "press Reset" in texts(page)
    assert "of 60" in texts(page)  # the running model is unchanged until Reset
    click(page, "Step")
    click(page, "Reset")
    text = texts(page)
    assert "Step 0 of 144" in text and "of 120" in text
    assert "press Reset" not in text


def test_seed_box_reset_reproduces_a_seeded_run(page):
    seed = sidebar(page).find(v.TextField, label="Seed").widget
    seed.v_model = "abc"
    seed.fire_event("keyup.enter", None)
    assert "expected a whole number" in str(seed.messages)
    seed.v_model = "77"
    seed.fire_event("keyup.enter", None)
    click(page, "Reset")
    for _ in range(4):
        click(page, "Step")
    reference = ExplorerModel(**{**default_inputs(), "rng": "77"})
    for _ in range(4):
        reference.step()
    members = int((reference.orgs.status == Status.MEMBER).sum())
    aware = int((reference.orgs.status == Status.AWARE).sum())
    assert f"Members {members}, aware {aware}," in texts(page)


def test_choosing_a_region_preset_moves_the_sliders(page):
    region = sidebar(page).find(v.Select, label="Region").widget
    assert set(presets.options("region")) <= set(region.items)
    other = next(name for name in region.items if name != region.v_model)
    slider(page, "Initial trust").v_model = 0.95
    region.v_model = other
    expected = preset_inputs({**default_inputs(), "region": other})
    for spec in SLIDERS:
        assert slider(page, spec.label).v_model == pytest.approx(expected[spec.key]), spec.key


def _model(steps: int, n: int = 60) -> ExplorerModel:
    model = ExplorerModel(**{**default_inputs(), "n_organisations": n, "rng": "5"})
    for _ in range(steps):
        model.step()
    return model


@pytest.mark.parametrize(
    "component",
    [
        network.NetworkPanel,
        panels.MembershipPanel,
        panels.TrustPanel,
        panels.BudgetPanel,
        panels.RadarPanel,
    ],
)
def test_each_chart_component_renders_and_updates(component):
    model = _model(0)
    box, rc = solara.render(component(model, model.steps), handle_error=False)
    first = drawn(rc)
    for _ in range(12):
        model.step()
    rc.render(component(model, model.steps))  # what the cluster view does after a step
    second = drawn(rc)
    assert len(first) == len(second) == 1
    assert first != second
    rc.close()


def test_event_log_lists_and_filters_events():
    model = _model(36)
    kinds = {e["kind"] for e in model.events}
    assert "join" in kinds
    box, rc = solara.render(panels.EventLog(model), handle_error=False)
    assert ">join</td>" in texts(rc)
    toggles = rc.find(v.BtnToggle).widget
    toggles.v_model = [panels.EVENT_KINDS.index("pilot")]
    assert ">join</td>" not in texts(rc) and ">pilot</td>" in texts(rc)
    rc.close()
    table = panels.event_table(model, ["join"], rows=5)
    assert len(table) == 5 and set(table["event"]) == {"join"}
    assert list(table["month"]) == sorted(table["month"], reverse=True)


def test_step_info_counts_members():
    model = _model(6)
    box, rc = solara.render(StepInfo(model), handle_error=False)
    members = int((model.orgs.status == Status.MEMBER).sum())
    assert "Step 6 of 144" in texts(rc) and f"Members {members}," in texts(rc)
    rc.close()


def test_cluster_view_with_200_organisations():
    model = _model(24, n=200)
    box, rc = solara.render(ClusterView(model), handle_error=False)
    assert len(figures(rc)) == N_FIGURES
    rc.close()
    rows, note = network.visible_ties(model)
    assert len(rows) <= network.MAX_EDGES
    active = (model.orgs.status == Status.MEMBER) | (model.orgs.status == Status.AWARE)
    assert active[model.ties.u[rows]].all() and active[model.ties.v[rows]].all()
    assert "ties" in note


def test_network_layout_is_computed_once_per_model():
    model = _model(0)
    pos = network.layout(model)
    for _ in range(5):
        model.step()
    assert network.layout(model) is pos
    assert pos.shape == (model.orgs.n, 2) and (pos == pos).all()
    assert network.layout(_model(0)) is not pos


def test_compare_view_runs_two_scenarios():
    inputs = {**default_inputs(), "n_organisations": 30}
    box, rc = solara.render(compare.CompareView(inputs), handle_error=False)
    assert "press Run comparison" in texts(rc)
    rc.find(v.Slider).widgets[-1].v_model = 2  # replicates
    click(rc, "Run comparison")
    rc.find(FigureWidget).wait_for(timeout=120)
    fig = rc.find(FigureWidget).widget
    assert "replicates per scenario" in fig.layout.title.text
    assert "months to critical mass" in texts(rc)
    rc.close()


def test_live_levers_change_the_running_model():
    model = _model(3)
    box, rc = solara.render(LiveLevers(model), handle_error=False)
    lever = [w for w in rc.find(v.Slider).widgets if w.label.startswith("Facilitation eff")][0]
    lever.v_model = 2.5
    assert model.params.facilitation.facilitation_effectiveness == 2.5
    assert "Facilitation effectiveness: 2.50" in [w.label for w in rc.find(v.Slider).widgets]
    rc.close()
    low, high = _model(0), _model(0)
    low.params.facilitation.facilitation_effectiveness = 0.0
    high.params.facilitation.facilitation_effectiveness = 3.0
    for _ in range(24):
        low.step()
        high.step()
    assert high.timeseries()["mean_trust"].iloc[-1] != low.timeseries()["mean_trust"].iloc[-1]


def test_reset_restores_live_levers_to_the_scenario(page):
    lever = [
        w for w in sidebar(page).find(v.Slider).widgets if str(w.label).startswith("Confidence")
    ][0]
    lever.v_model = 0.5
    assert lever.label == "Confidence (peer exchange): 0.50"
    click(page, "Reset")
    lever = [
        w for w in sidebar(page).find(v.Slider).widgets if str(w.label).startswith("Confidence")
    ][0]
    assert lever.v_model == pytest.approx(0.0)


def test_a_step_waits_while_a_panel_is_drawn():
    """Play steps in one thread while panels draw in another: the two never overlap."""
    model = _model(2)
    worker = threading.Thread(target=model.step)
    with model.lock:
        worker.start()
        worker.join(timeout=0.3)
        assert model.steps == 2  # the step is waiting for the lock
    worker.join()
    assert model.steps == 3 and len(model.timeseries()) == 4


def test_panels_drawn_while_playing_show_whole_months():
    model = _model(0)
    errors: list[BaseException] = []

    def play() -> None:
        try:
            for _ in range(40):
                model.step()
        except BaseException as err:  # surfaced below
            errors.append(err)

    worker = threading.Thread(target=play)
    worker.start()
    while worker.is_alive():
        with model_lock(model):
            members = panels.update_membership(model)
            ties = network.update_network(model)
            step = model.steps
        assert {len(d["x"]) for d in members["data"]} == {step + 1}
        assert model.date_of(step) in ties["layout"]["title.text"]
        with model.lock:
            assert len(model.timeseries()) == model.steps + 1
    worker.join()
    assert errors == [] and model.steps == 40


def test_mesa_solaraviz_resets_explorer_model_with_a_textual_seed():
    """Mesa's stock SolaraViz with its own seed box (text) rebuilds the model on Reset."""
    from mesa.visualization import SolaraViz

    model = solara.reactive(ExplorerModel())
    viz = SolaraViz(model, components=[], model_params=mesa_model_params(), name="CSEI")
    box, rc = solara.render(solara.AppLayout(children=[viz]), handle_error=False)
    seed = rc.find(v.TextField, label="Seed").widget
    seed.v_model = "99"
    seed.fire_event("keyup.enter", None)
    [region] = [w for w in rc.find(v.Select).widgets if w.label == "Region"]
    assert region.v_model == "generic"
    click(rc, "Reset")
    assert model.value.inputs["rng"] == "99"
    reference = ExplorerModel(**{**default_inputs(), "rng": 99})
    assert model.value.orgs.status.tolist() == reference.orgs.status.tolist()
    rc.close()
