"""The explorer never crashes: every input at its limits, and values no slider offers, are bounded.

The page is rendered in-process with ``solara.render``; setting a widget's ``v_model`` is what a
browser does, so values beyond a slider's range are what a tampered or buggy front end could send.
"""

from __future__ import annotations

import math
import re

import ipyvuetify as v
import pytest
from plotly.graph_objs import FigureWidget

solara = pytest.importorskip("solara")

from csei_sim import presets  # noqa: E402
from csei_sim.viz import compare  # noqa: E402
from csei_sim.viz import explorer_model as em  # noqa: E402
from csei_sim.viz.app import Page  # noqa: E402
from csei_sim.viz.inputs import clamp  # noqa: E402

STEPS_PER_CLICK = {"min": 1, "max": 24}  # the "Steps per redraw" slider
ORGS = {"min": 10, "max": 300}  # the organisations slider


@pytest.fixture
def page():
    box, rc = solara.render(solara.AppLayout(children=[Page()]), handle_error=False)
    yield rc
    rc.close()


def sidebar(rc):
    return rc.find(v.NavigationDrawer)


def sliders(rc) -> dict[str, v.Slider]:
    """Sidebar sliders by the label's text before the colon (the label also shows the value)."""
    return {str(w.label).split(":")[0]: w for w in sidebar(rc).find(v.Slider).widgets}


def shown(widget: v.Slider) -> float:
    """The value the server holds, as the label shows it (a browser may set v_model to anything)."""
    return float(str(widget.label).rsplit(": ", 1)[1].replace(",", ""))


def info(rc) -> str:
    return "\n".join(str(w.unsafe_innerHTML) for w in rc.find(solara.widgets.HTML).widgets)


def click(rc, label: str) -> None:
    rc.find(v.Btn, children=[label]).widget.click()


def set_all(rc, end: str) -> None:
    for label in list(sliders(rc)):
        widget = sliders(rc)[label]  # found again: a move re-renders the sidebar
        widget.v_model = getattr(widget, end)


def reset_and_step(rc, clicks: int = 2, end: str | None = None) -> re.Match:
    click(rc, "Reset")
    if end is not None:  # Reset restores the live levers to the scenario: move them again
        set_all(rc, end)
    for _ in range(clicks):
        click(rc, "Step")
    found = re.search(r"Step (\d+) of (\d+).*? of (\d+)<br>", info(rc), re.S)
    assert found, info(rc)
    figures = rc.find(FigureWidget).widgets
    assert len(figures) == 5 and all(len(f.data) >= 2 for f in figures)
    return found


def test_every_slider_at_its_limits_then_reset_and_step(page):
    for end in ("min", "max"):
        set_all(page, end)
        step, horizon, orgs = (int(x) for x in reset_and_step(page, end=end).groups())
        assert step == 2 * STEPS_PER_CLICK[end] and horizon == 144
        assert orgs == ORGS[end]
        for label, widget in sliders(page).items():
            assert shown(widget) == getattr(widget, end), (end, label)


def test_numbers_no_slider_offers_are_bounded(page):
    for sent in (10**9, -(10**9), 7.25):
        for label in list(sliders(page)):
            sliders(page)[label].v_model = sent
        for label, widget in sliders(page).items():
            assert widget.min <= shown(widget) <= widget.max, (sent, label, widget.label)
        _, _, orgs = (int(x) for x in reset_and_step(page, clicks=1).groups())
        assert orgs == (300 if sent > 300 else 10), sent


def test_clamp_keeps_the_old_value_for_what_is_not_a_finite_number():
    assert clamp(5, 0, 3, fallback=1) == 3 and clamp(-5, 0, 3, fallback=1) == 0
    for sent in (math.nan, math.inf, -math.inf, None, "lots", [1]):
        assert clamp(sent, 0, 3, fallback=1) == 1, sent


SEEDS = [("9" * 40, True), ("0", True), ("", True), ("-5", False), ("1e9", False), ("x" * 9, False)]


def test_seed_box_and_preset_choices_refuse_what_they_do_not_offer(page):
    seed = sidebar(page).find(v.TextField, label="Seed").widget
    for text, accepted in SEEDS:
        seed.v_model = text
        seed.fire_event("keyup.enter", None)
        refused = "expected a whole number" in str(seed.error_messages or seed.messages)
        assert refused != accepted, text
        if len(text) == 40:  # a seed beyond 64 bits runs too
            reset_and_step(page, clicks=1)
    region = sidebar(page).find(v.Select, label="Region").widget
    region.v_model = "../../etc/passwd"
    _, _, orgs = (int(x) for x in reset_and_step(page, clicks=1).groups())
    assert orgs == em.default_inputs()["n_organisations"]


@pytest.mark.parametrize("group", presets.GROUPS)
@pytest.mark.parametrize("end", ["lo", "hi"])
def test_every_preset_with_sliders_at_their_limits_runs(group, end):
    for name in em.choices(group):
        inputs = {**em.default_inputs(), group: name}
        inputs.update({s.key: getattr(s, end) for s in em.SLIDERS})
        model = em.ExplorerModel(**inputs)
        for _ in range(3):
            model.step()
        ts = model.timeseries()
        assert len(ts) == 4 and (ts["members"] + ts["aware"] <= model.orgs.n).all()
        assert math.isfinite(ts["balance"].iloc[-1]), (group, name)


def replicates(rc) -> v.Slider:
    (found,) = [w for w in rc.find(v.Slider).widgets if str(w.label).startswith("Replicates")]
    return found


def test_comparison_bounds_its_inputs_and_runs_at_the_limits():
    inputs = {**em.default_inputs(), **{s.key: s.hi for s in em.SLIDERS}}  # scenario A
    box, rc = solara.render(compare.CompareView(inputs), handle_error=False)
    for sent, held in ((10**6, compare.REPLICATES[1]), (-3, compare.REPLICATES[0])):
        replicates(rc).v_model = sent
        assert shown(replicates(rc)) == held
    first_seed = rc.find(v.TextField, label="First seed").widget
    first_seed.v_model = str(10**30)
    first_seed.fire_event("keyup.enter", None)
    click(rc, "Run comparison")
    rc.find(FigureWidget).wait_for(timeout=120)
    traces = rc.find(FigureWidget).widget.data
    assert traces and all(len(t.x) > 0 for t in traces if t.x is not None)
    assert "The comparison failed" not in str([w.children for w in rc.find(v.Alert).widgets])
    rc.close()
