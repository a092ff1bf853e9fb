"""The explorer's regions tab builds the six-region view only when asked for."""

import pytest

solara = pytest.importorskip("solara")

import ipyvuetify as v  # noqa: E402
import ipywidgets as widgets  # noqa: E402

from csei_sim.viz.app import LazyRegions  # noqa: E402


def test_regions_tab_draws_the_regions_after_its_button():
    box, rc = solara.render(LazyRegions(), handle_error=False)
    assert not rc.find(widgets.Image).widgets  # nothing simulated before the click
    rc.find(v.Btn, children=["Show the regions side by side"]).widget.click()
    rc.find(widgets.Image).assert_not_empty()
    assert rc.find(v.Btn, children=["Step"]).widgets
