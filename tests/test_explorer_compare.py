"""The comparison view's numbers: replicates under shared seeds, bands, cached runs, the table."""

from __future__ import annotations

import pandas as pd
import pytest

pytest.importorskip("solara")

from csei_sim.run import simulate  # noqa: E402
from csei_sim.viz import compare  # noqa: E402
from csei_sim.viz.explorer_model import build_params, default_inputs  # noqa: E402

SMALL = {**default_inputs(), "n_organisations": 30}


@pytest.fixture(scope="module")
def result() -> compare.Comparison:
    b = {**SMALL, "facilitation_hours": 120.0}
    return compare.compare(SMALL, b, n=4, first_seed=11)


def test_each_replicate_is_the_seeded_run(result):
    assert result.seeds == [11, 12, 13, 14]
    one = simulate(build_params(SMALL), seed=13).timeseries
    series = result.series["A"]
    mine = series[series["seed"] == 13].set_index("step")["members"]
    pd.testing.assert_series_equal(mine, one["members"], check_names=False)
    assert list(result.summary["B"]["seed"]) == result.seeds


def test_bands_enclose_the_median(result):
    for metric in compare.METRICS:
        band = compare.bands(result.series["A"], metric).dropna()
        assert not band.empty
        assert (band["low"] <= band["median"] + 1e-12).all()
        assert (band["median"] <= band["high"] + 1e-12).all()
    steps = build_params(SMALL).steps
    assert len(compare.bands(result.series["B"], "members")) == steps + 1


def test_runs_are_cached_by_parameters_and_seed(result):
    before = compare._run.cache_info().hits
    again = compare.compare(SMALL, {**SMALL, "facilitation_hours": 120.0}, n=5, first_seed=11)
    assert compare._run.cache_info().hits - before == 8  # 4 seeds x 2 scenarios were known
    assert again.seeds == [11, 12, 13, 14, 15]


def test_summary_table_has_both_scenarios_and_counts_missing_runs(result):
    table = compare.summary_table(result)
    assert list(table.columns) == ["outcome", "A", "B"]
    assert "months to critical mass" in set(table["outcome"])
    assert compare._cell(pd.Series([float("nan")] * 3), "not reached") == "not reached (0/3 runs)"
    assert compare._cell(pd.Series([1.0, 2.0, float("nan")])).endswith("in 2/3 runs")


def test_survival_when_funding_never_ends_says_so(result):
    """Not "n/a (0/8 runs)": the grant outlasting the run is a fact of the scenario."""
    table = compare.summary_table(result).set_index("outcome")
    survival = table.loc["survival after funding ends"]
    for name, summ in result.summary.items():
        if summ["survival_after_funding"].isna().all():
            assert survival[name] == compare.NOT_REACHED["survival_after_funding"]
        else:
            assert "0/" not in survival[name]


def test_labels_name_presets_and_moved_sliders():
    assert compare.label(SMALL).startswith("region generic")
    assert "facilitation hours per month 120" in compare.label({**SMALL, "facilitation_hours": 120})


def test_the_comparison_is_an_interactive_chart_with_hover_bands_and_a_legend(result):
    fig = compare.draw_comparison(result)
    medians = [t for t in fig.data if t.hovertemplate]
    assert len(medians) == 2 * len(compare.METRICS)  # a median per scenario and panel
    assert {t.legendgroup for t in fig.data} == {"A", "B"}  # a legend entry hides a scenario
    assert [t.name.split(":")[0] for t in medians if t.showlegend] == ["A", "B"]
    assert all("customdata[0]" in t.hovertemplate for t in medians)  # hover shows the band
    bands = [t for t in fig.data if t.fill == "tonexty"]
    assert len(bands) == len(medians)
    assert fig.layout.legend.y < 0 and fig.layout.font.size >= 12
