"""Families of comparisons, equivalence and the computed short answer of study 1."""

from __future__ import annotations

from dataclasses import replace
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from csei_sim.experiment.stats import adjust, tost
from csei_sim.studies import cli as study_cli
from csei_sim.studies import effects
from csei_sim.studies import informal_vs_formal as ivf
from csei_sim.studies import informal_vs_formal_text as text
from csei_sim.studies import reporting as rp
from csei_sim.studies.outcomes import members_at

P = np.array([0.01, 0.04, 0.03, 0.005, np.nan])


def test_holm_steps_down_and_keeps_missing_values():
    got = adjust(P, "holm")
    assert got[:4] == pytest.approx([0.03, 0.06, 0.06, 0.02])
    assert np.isnan(got[4])
    assert adjust(P, "none")[:4] == pytest.approx(P[:4])


@pytest.mark.parametrize("method", ["holm", "bh"])
def test_corrections_match_statsmodels(method):
    multitest = pytest.importorskip("statsmodels.stats.multitest")
    p = np.random.default_rng(4).uniform(0, 0.2, 25)
    name = {"holm": "holm", "bh": "fdr_bh"}[method]
    assert adjust(p, method) == pytest.approx(multitest.multipletests(p, method=name)[1])


def test_an_unknown_correction_names_the_allowed_ones():
    with pytest.raises(ValueError, match="holm, bh, none"):
        adjust(P, "bonferroni")


def test_tost_tells_a_nil_difference_from_an_unknown_one():
    rng = np.random.default_rng(2)
    small = rng.normal(0.02, 0.1, 30)
    assert tost(small, 0.5) < 0.001  # precisely inside the margin
    assert tost(small + 1.0, 0.5) > 0.5  # precisely outside it
    assert tost(rng.normal(0, 3, 5), 0.5) > 0.05  # too noisy to call either way
    assert tost(np.full(5, 0.2), 0.5) == 0.0 and tost(np.full(5, 0.7), 0.5) == 1.0


def test_a_small_precise_difference_is_equivalent_not_higher():
    rng = np.random.default_rng(1)
    base = pd.Series(rng.normal(100, 5, 30))
    shifted = base + 0.5 + pd.Series(rng.normal(0, 0.05, 30))  # half a member in a hundred
    got = effects.paired(shifted, base)
    assert got["diff_lo"] > 0  # the paired interval excludes 0 ...
    assert got["verdict"] == "equivalent"  # ... but the difference is no practical one
    wide = effects.paired(shifted + 20, base)
    assert wide["verdict"] == "higher"


def test_d_is_dropped_where_the_runs_do_not_overlap():
    rng = np.random.default_rng(3)
    base = pd.Series(rng.normal(10, 0.1, 20))
    got = effects.paired(base + 5, base)
    assert got["d_dropped"] and np.isnan(got["d"]) and got["verdict"] == "higher"
    row = pd.Series(got)
    assert "d " not in rp.effect_cell(row) and rp.effect_cell(row).startswith("+5")
    moderate = effects.paired(base + 0.1 + pd.Series(rng.normal(0, 0.1, 20)), base)
    assert not moderate["d_dropped"] and "; d +" in rp.effect_cell(pd.Series(moderate))


def family(p_value: float, n: int) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "outcome": "y",
            "n": 10,
            "difference": 1.0,
            "identical": False,
            "p_value": [p_value] * n,
            "p_equivalent": [0.9] * n,
        }
    )


def test_a_family_of_marginal_differences_is_undecided_after_correction():
    frame = family(0.02, 5)
    assert set(effects.adjust_family(frame, "none", ["outcome"])["verdict"]) == {"higher"}
    assert set(effects.adjust_family(frame, "holm", ["outcome"])["verdict"]) == {"undecided"}
    # one comparison alone is its own family: the correction changes nothing
    assert set(effects.adjust_family(family(0.02, 1), "holm", ["outcome"])["verdict"]) == {"higher"}


def test_standing_reads_the_direction_of_the_outcome():
    assert effects.standing("higher") == "ahead" and effects.standing("lower") == "behind"
    assert effects.standing("lower", lower_is_better=True) == "ahead"
    assert effects.standing("identical") == "equivalent"
    assert effects.standing("undecided") == "undecided"


def test_study_command_validates_margin_and_correction(capsys):
    assert study_cli.main(["quick", "--equivalence-margin", "1.5"]) == 2
    assert "--equivalence-margin" in capsys.readouterr().err
    assert study_cli.main(["funding_scenarios", "--correction", "bh"]) == 2
    assert "--correction" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        study_cli.main(["quick", "--correction", "bonferroni"])
    assert "invalid choice" in capsys.readouterr().err
    _, design = study_cli.design_of("quick", None, 0.2, "bh")
    assert design.margin == 0.2 and design.correction == "bh"


def test_study_design_refuses_unknown_funding_and_margins():
    with pytest.raises(ValueError, match="fundings"):
        replace(ivf.FULL, fundings=("cliff",))
    with pytest.raises(ValueError, match="margin"):
        replace(ivf.FULL, margin=0.0)
    with pytest.raises(ValueError, match="correction"):
        replace(ivf.FULL, correction="bonferroni")


# -- the short answer is computed from the verdicts ----------------------------------------------

DESIGN = replace(
    ivf.FULL,
    name="fake",
    regions=("voru", "hamburg"),
    fundings=("none", "committed_2030"),
    modes=("informal", "formal"),
    months=("2026-12", "2035-12"),
)


def fake_results(late_hamburg_committed: str) -> SimpleNamespace:
    """Formal behind early everywhere; late, Hamburg with a committed grant as given."""
    rows = []
    for region in DESIGN.regions:
        for funding in DESIGN.fundings:
            late = late_hamburg_committed
            if (region, funding) != ("hamburg", "committed_2030"):
                late = "lower"
            for outcome, verdict in (
                (members_at("2026-12"), "lower"),
                (members_at("2035-12"), late),
                ("months_to_critical_mass", "higher"),
            ):
                rows.append(
                    {
                        "region": region,
                        "funding": funding,
                        "governance": "formal",
                        "outcome": outcome,
                        "verdict": verdict,
                    }
                )
    flip = pd.DataFrame(
        {
            "funding": ["none", "committed_2030"] * 2,
            "month": ["2026-12", "2026-12", "2035-12", "2035-12"],
            "n_organisations": [20, 20, 160, 160],
            "verdict": ["lower", "lower", "undecided", "higher"],
        }
    )
    summary = pd.DataFrame(
        {
            "region": ["voru", "hamburg"],
            "n_organisations": [25, 120],
            "critical_mass_share": [0.25, 0.25],
        }
    )
    return SimpleNamespace(design=DESIGN, effects=pd.DataFrame(rows), flip=flip, summary=summary)


def test_the_short_answer_states_each_condition_and_where_the_lead_passes():
    flips = "\n".join(text.headline(fake_results("higher")))
    assert "**Without funding** (`funding=none`)" in flips
    assert "**With a committed grant to 2030** (`funding=committed_2030`)" in flips
    assert "The lead passes from informal to `formal` in Hamburg." in flips
    assert "seed's key learning) in\n  1 (Hamburg) of 2 regions" in flips
    assert "Hamburg: `formal` ahead of informal with `committed_2030`" in flips
    assert "behind with `none`" in flips
    assert "pools of 160" in flips and "pools of 20" in flips
    steady = "\n".join(text.headline(fake_results("lower")))
    assert "The lead passes" not in steady
    assert "In no region is informal ahead early and a structured mode" in steady
    assert "The funding condition flips no late answer" in steady


def test_conclusions_give_the_critical_mass_as_share_and_count():
    lines = "\n".join(text.conclusions(fake_results("higher")))
    assert "Võru 7 of 25, Hamburg 30 of 120" in lines


def test_an_equivalent_difference_is_marked_in_its_cell():
    rng = np.random.default_rng(1)
    base = pd.Series(rng.normal(100, 5, 30))
    row = pd.Series(effects.paired(base + 0.5 + pd.Series(rng.normal(0, 0.05, 30)), base))
    assert rp.effect_cell(row).endswith("(equivalent)")
