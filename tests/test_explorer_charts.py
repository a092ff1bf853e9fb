"""The explorer's interactive charts and page defects, rendered in-process with solara.render."""

from __future__ import annotations

import io

import ipyvuetify as v
import numpy as np
import pandas as pd
import pytest

solara = pytest.importorskip("solara")
plotly = pytest.importorskip("plotly")


from plotly.graph_objs import FigureWidget  # noqa: E402

from csei_sim.agents import Status  # noqa: E402
from csei_sim.model import CSEIModel  # noqa: E402
from csei_sim.params import ParameterError  # noqa: E402
from csei_sim.viz import app, charts, downloads, network, panels, serving  # noqa: E402
from csei_sim.viz.explorer_model import ExplorerModel, default_inputs  # noqa: E402
from csei_sim.viz.inputs import seed_error  # noqa: E402

CRAFTED = ("abc", None, [1, 2], {}, "nan", float("inf"))  # what a tampered browser can send


def _model(steps: int = 0, **inputs) -> ExplorerModel:
    model = ExplorerModel(**{**default_inputs(), "rng": "5", **inputs})
    for _ in range(steps):
        model.step()
    return model


def _figure(build, update, model) -> FigureWidget:
    """The figure as the page holds it: laid out once, then updated with the model's data."""
    widget = FigureWidget(build(model))
    charts.send_update(widget, update(model))
    return widget


@pytest.fixture
def page():
    box, rc = solara.render(solara.AppLayout(children=[app.Page()]), handle_error=False)
    yield rc
    rc.close()


def texts(rc) -> str:
    parts = [str(w.unsafe_innerHTML) for w in rc.find(solara.widgets.HTML).widgets]
    for cls in (v.Html, v.Alert):
        parts += [c for w in rc.find(cls).widgets for c in w.children if isinstance(c, str)]
    return "\n".join(parts)


def click(rc, label: str) -> None:
    rc.find(v.Btn, children=[label]).widget.click()


def test_hovering_a_node_names_the_organisation_its_sector_status_and_trust():
    model = _model(12, n_organisations=60)
    fig = _figure(network.build_network, network.update_network, model)
    nodes = [t for t in fig.data if t.mode == "markers"]
    assert sum(len(t.x) for t in nodes) == model.orgs.n  # every organisation is drawn once
    hover = {text.split("<br>")[0]: text for t in nodes for text in t.hovertext}
    member = int(np.flatnonzero(model.orgs.status == Status.MEMBER.value)[0])
    text = hover[f"organisation #{member}"]
    degree, trust = network.mean_tie_trust(model)
    assert ", member<br>" in text and f"trust {trust[member]:.2f}" in text
    assert f"over {degree[member]} ties" in text
    assert nodes[0].hovertemplate == "%{hovertext}<extra></extra>"


def test_ties_of_exited_organisations_are_not_drawn():
    model = _model(60, n_organisations=60)
    exited = model.orgs.status == Status.EXITED.value
    assert exited.any(), "the seeded run must have exits for this test"
    rows, note = network.visible_ties(model)
    m = model.ties.m
    touches_exited = exited[model.ties.u[:m]] | exited[model.ties.v[:m]]
    assert touches_exited.any() and not touches_exited[rows].any()
    assert "exited" in note
    fig = _figure(network.build_network, network.update_network, model)
    drawn = sum(int(np.isfinite(np.asarray(t.x, dtype=float)).sum()) for t in fig.data[:3])
    assert drawn == 2 * len(rows)  # two ends per tie, gaps between ties


def test_large_pools_draw_a_bounded_number_of_ties():
    model = _model(24, n_organisations=300)
    rows, _note = network.visible_ties(model)
    assert len(rows) <= network.MAX_EDGES


def test_grant_end_is_marked_only_within_the_run():
    within = _model(0, committed_amount=5000, grant_end_year=2030)
    shapes, notes = charts.grant_end_marks(within)
    assert len(shapes) == 1 and notes[0]["text"] == "grant ends"
    after = _model(0, committed_amount=5000, grant_end_year=2040)
    assert after.params.funding.committed_end > after.date_of(after.params.steps)
    assert charts.grant_end_marks(after) == ([], [])
    fig = panels.build_membership(after)
    assert all(a.text != "grant ends" for a in fig.layout.annotations)


def test_a_budget_without_money_says_so_on_a_readable_axis(monkeypatch):
    model = _model(3)
    ts = model.timeseries()
    money = [c for c in ts.columns if c.startswith(("income_", "spending_"))]
    assert money and ts[money].to_numpy().sum() > 0
    patch = panels.update_budget(model)
    assert panels.NO_MONEY not in patch["layout"]["title.text"]
    empty = ts.assign(**{c: 0.0 for c in money})
    monkeypatch.setattr(panels, "timeseries", lambda m: empty)
    patch = panels.update_budget(model)
    assert panels.NO_MONEY in patch["layout"]["title.text"]
    assert patch["layout"]["yaxis.range"] == [0, panels.MIN_EUR_AXIS]  # not a 0..0.05 axis
    assert patch["layout"]["yaxis2.range"] == [0, panels.MIN_EUR_AXIS]


@pytest.mark.parametrize(
    "build",
    [
        network.build_network,
        panels.build_membership,
        panels.build_trust,
        panels.build_budget,
        panels.build_radar,
    ],
)
def test_charts_are_readable_on_a_projector(build):
    fig = build(_model(0))
    assert fig.layout.font.size >= 12 and fig.layout.title.font.size >= 12
    assert fig.layout.legend.y < 0 and fig.layout.legend.orientation == "h"  # below the data
    assert fig.layout.uirevision  # a zoom or a hidden trace survives the next step


def test_step_sends_data_to_the_existing_figures():
    model = _model(0)
    box, rc = solara.render(app.ClusterView(model), handle_error=False)
    before = rc.find(FigureWidget).widgets
    for _ in range(6):
        model.step()
    charts.redraw(model)  # what the controls do after steps: no render pass
    after = rc.find(FigureWidget).widgets
    assert [id(w) for w in after] == [id(w) for w in before]  # updated, not rebuilt
    members = after[2]
    assert len(members.data[0].x) == 7
    assert "members_municipality" in model.timeseries()
    rc.close()


def test_a_step_sends_data_without_re_rendering_the_page(page, monkeypatch):
    """A Step updates figures, counter and log in place: no widget of the page is re-rendered
    (a render pass over the whole page cost several times the model's step)."""
    import reacton.core

    updated = []
    original = reacton.core.Element._update_widget

    def spy(self, widget, el_prev, kwargs):
        updated.append(type(widget).__name__)
        return original(self, widget, el_prev, kwargs)

    monkeypatch.setattr(reacton.core.Element, "_update_widget", spy)
    log = [
        w for w in page.find(solara.widgets.HTML).widgets if "Events so far" in w.unsafe_innerHTML
    ]
    for _ in range(3):
        click(page, "Step")
    assert updated == []
    assert "Step 3 of" in texts(page)
    assert len(page.find(FigureWidget).widgets[2].data[0].x) == 4  # months 0..3
    assert log and "Events so far" in log[0].unsafe_innerHTML


def test_downloads_give_the_run_as_csv_and_parquet():
    model = _model(5)
    tables = downloads.run_tables(model)
    series = pd.read_csv(io.BytesIO(downloads.csv_bytes(tables["timeseries"])))
    assert len(series) == 6 and list(series.columns) == list(model.timeseries().columns)
    assert series["members"].tolist() == model.timeseries()["members"].tolist()
    summary = pd.read_parquet(io.BytesIO(downloads.parquet_bytes(tables["summary"])))
    assert len(summary) == 1 and "final_members" in summary


def test_page_offers_the_downloads(page):
    names = {c.strip() for w in page.find(v.Btn).widgets for c in w.children if isinstance(c, str)}
    assert {"timeseries CSV", "summary CSV", "timeseries Parquet", "summary Parquet"} <= names


def test_a_finished_run_says_so(page):
    assert "Run finished" not in texts(page)
    page.find(v.Slider, label="Steps per redraw: 1").widget.v_model = 24
    for _ in range(6):
        click(page, "Step")
    assert "Step 144 of 144" in texts(page) and "Run finished" in texts(page)


def test_crafted_widget_values_give_no_traceback(page):
    """Every sidebar slider keeps its value when sent text, null, a list or an object."""
    for widget in page.find(v.Slider).widgets:
        label = str(widget.label)
        for sent in CRAFTED:
            found = [w for w in page.find(v.Slider).widgets if str(w.label) == label]
            assert found, (label, sent)  # the slider is still there, with the same value
            found[0].v_model = sent
    seed = page.find(v.TextField, label="Seed").widget
    for sent in ([1], {}, None):
        seed.v_model = sent
    click(page, "Step")
    assert "Step 1 of 144" in texts(page)


def test_seed_box_refuses_what_the_model_refuses_with_its_message(page):
    for text in ("²", "٣", "-1", "1.5"):
        with pytest.raises(ParameterError) as refused:
            CSEIModel(rng=text)
        assert str(refused.value) in seed_error(text), text
    seed = page.find(v.TextField, label="Seed").widget
    seed.v_model = "²"
    seed.fire_event("keyup.enter", None)
    message = str(seed.error_messages or seed.messages)
    assert "expected a whole number" in message and "Reset uses 2025" in message
    click(page, "Reset")  # no traceback: the last valid seed is used, as the box says
    assert "Step 0 of 144" in texts(page)


def test_the_run_controls_show_only_on_the_cluster_tab(page):
    assert page.find(v.Btn, children=["Reset"]).widgets
    tabs = page.find(v.Tabs).widget
    tabs.v_model = 1  # Compare scenarios
    assert not page.find(v.Btn, children=["Reset"]).widgets
    assert not page.find(v.Btn, children=["Step"]).widgets
    assert "has its own controls" in texts(page)
    tabs.v_model = "not a tab"  # crafted: back to the first tab, no traceback
    assert page.find(v.Btn, children=["Step"]).widgets


def test_a_full_server_shows_a_message_instead_of_a_model(monkeypatch):
    monkeypatch.setattr(serving, "live_sessions", lambda: serving.max_sessions() + 1)
    box, rc = solara.render(solara.AppLayout(children=[app.Page()]), handle_error=False)
    assert "as many sessions as it can" in texts(rc)
    assert not rc.find(v.Btn, children=["Step"]).widgets
    rc.close()
