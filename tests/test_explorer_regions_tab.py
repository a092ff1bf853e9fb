"""The explorer's regions tab builds the six-region view only when asked for."""

import pytest

solara = pytest.importorskip("solara")

import ipyvuetify as v  # noqa: E402
from plotly.graph_objs import FigureWidget  # noqa: E402

from csei_sim.viz.app import LazyRegions  # noqa: E402


def test_regions_tab_draws_the_regions_after_its_button():
    box, rc = solara.render(LazyRegions(), handle_error=False)
    assert not rc.find(FigureWidget).widgets  # nothing simulated before the click
    rc.find(v.Btn, children=["Show the regions side by side"]).widget.click()
    rc.find(FigureWidget).assert_not_empty()
    # its own buttons, named apart from the Cluster tab's Step and Reset
    assert rc.find(v.Btn, children=["Step the regions"]).widgets
    assert rc.find(v.Btn, children=["Reset the regions"]).widgets
    assert not rc.find(v.Btn, children=["Step"]).widgets
    (per_year,) = [w for w in rc.find(v.Slider).widgets if "per year" in str(w.label)]
    assert per_year.label == "Events per region per year: 2"  # the value shows
    assert "min-width" in per_year.style_  # not squashed to a few pixels in its row
    for crafted in ("abc", None, [1, 2], {}):  # what a tampered browser could send
        per_year.v_model = crafted
    (per_year,) = [w for w in rc.find(v.Slider).widgets if "per year" in str(w.label)]
    assert per_year.label == "Events per region per year: 2"
    rc.find(v.Btn, children=["Reset the regions"]).widget.click()
