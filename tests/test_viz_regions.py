"""The regions view: small multiples of a multi-region run, stepped and reset in-process."""

from __future__ import annotations

import pytest

solara = pytest.importorskip("solara")

import ipyvuetify as v  # noqa: E402
from plotly.graph_objs import FigureWidget  # noqa: E402

from csei_sim.viz.regions import RegionsRun, RegionsView, draw_regions, region_table  # noqa: E402

STEPS = 24
REGIONS = ("agder", "kurzeme", "voru")


def test_twin_without_exchange_shares_seeds_and_differs_only_by_exchange():
    run = RegionsRun.build(
        seed=3, exchange={"events_per_year": 12}, compare=True, steps=STEPS, regions=REGIONS
    )
    run.advance(STEPS + 5)  # stops at the horizon
    assert run.steps == STEPS and not run.model.running
    assert run.model.seeds == run.baseline.seeds
    assert not run.baseline.exchange.enabled and run.baseline.events().empty
    table = region_table(run)
    assert list(table["region"]) == list(REGIONS)
    assert (table["events"] > 0).all()
    assert (table["effectiveness"].astype(float) > 1.0).all()
    for name in REGIONS:
        assert table.set_index("region").loc[name, "members"] == int(
            run.model.region_timeseries(name)["members"].iloc[-1]
        )


def test_small_multiples_have_one_panel_per_region_with_both_lines():
    run = RegionsRun.build(seed=1, exchange={}, compare=True, steps=STEPS, regions=REGIONS)
    run.advance(6)
    fig = draw_regions(run)
    titles = [a.text.split(":")[0] for a in fig.layout.annotations]
    assert titles == list(REGIONS)
    for k, name in enumerate(REGIONS):
        axis = "x" if k == 0 else f"x{k + 1}"
        with_line, without_line = [t for t in fig.data if t.xaxis == axis]
        assert list(with_line.y) == list(run.model.region_timeseries(name)["members"])
        assert len(without_line.y) == 7  # steps 0..6
        assert name in with_line.hovertemplate and "exchange" in with_line.hovertemplate
    assert [t.name for t in fig.data if t.showlegend] == ["with exchange", "without exchange"]
    assert fig.layout.legend.y < 0  # the legend sits below the panels, not on the data


def _click(rc, label: str) -> None:
    rc.find(v.Btn, children=[label]).widget.click()


def _texts(rc) -> str:
    parts = [str(w.unsafe_innerHTML) for w in rc.find(solara.widgets.HTML).widgets]
    parts += [c for w in rc.find(v.Html).widgets for c in w.children if isinstance(c, str)]
    return "\n".join(parts)


def test_view_steps_a_year_redraws_and_resets():
    box, rc = solara.render(RegionsView(steps=STEPS, regions=REGIONS), handle_error=False)
    try:
        before = rc.find(FigureWidget).widget.layout.title.text
        assert "month 0 of 24" in before
        assert "Month 0 of 24" in _texts(rc)
        _click(rc, "Step the regions")  # the default stride is a year
        assert "Month 12 of 24" in _texts(rc)
        assert "month 12 of 24" in rc.find(FigureWidget).widget.layout.title.text
        assert all(name in _texts(rc) for name in REGIONS)  # the table lists every region
        _click(rc, "Step the regions")
        assert "Month 24 of 24 (run finished)" in _texts(rc)
        _click(rc, "Reset the regions")
        assert "Month 0 of 24" in _texts(rc)
    finally:
        rc.close()
