"""The peer-exchange study's report: tables, PNG figures and Markdown from a sweep folder.

    csei-sim-exchange report multirun/peer_exchange --out experiments/peer_exchange

Writes into ``--out`` (default ``<sweep>/report``): ``report.md``, ``figures/*.png``,
``tables/effects.csv`` (every paired effect), ``tables/summary.parquet`` (one row per run and
region). A file ``discussion.md`` in the output folder, if present, is included as the closing
section: it holds the interpretation, written by a person against the tables (the rest is
regenerated). The steps after the sweep are the shared study scaffold's
(:mod:`csei_sim.studies.scaffold`): tidy tables, effects, tables and figures, report.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from csei_sim import limits
from csei_sim.errors import CommandParser, Work, guarded
from csei_sim.experiment.results import find_runs
from csei_sim.experiment.runner import read_done
from csei_sim.experiment.stats import interval, mean_ci
from csei_sim.multiregion import figures
from csei_sim.params import ParameterError
from csei_sim.run import atomic_write
from csei_sim.studies import scaffold
from csei_sim.studies.effects import compare
from csei_sim.studies.reporting import num

VARIANTS = ["full", "practice_only", "confidence_only"]
PROG = "csei-sim-exchange report"
CONTROL = "none"
BOOTSTRAP_SEED = 12345  # this study's own, so its committed intervals regenerate exactly
# effects.csv: the columns of every paired effect, the reference scenario called the control
EFFECT_COLUMNS = {
    "region": "region",
    "outcome": "outcome",
    "variant": "variant",
    "n": "n",
    "reference_mean": "control_mean",
    "treated_mean": "treated_mean",
    "difference": "difference",
    "diff_lo": "diff_lo",
    "diff_hi": "diff_hi",
    "relative": "relative",
    "d": "d",
    "d_lo": "d_lo",
    "d_hi": "d_hi",
    "p_value": "p_value",
}
OUTCOMES = {
    "final_members": "members at the end (2036-12)",
    "members_end_2030": "members at the end of 2030",
    "peak_members": "peak members",
    "reached_critical_mass": "share of runs reaching critical mass",
    "joint_projects": "joint projects",
}
MECHANISM = {
    "final_effectiveness": "facilitation effectiveness at the end",
    "final_mission_skill": "mission skill at the end",
    "mean_confidence": "mean confidence (benefit units)",
    "exchange_events": "exchange events taken part in",  # per run
}
TS_COLUMNS = [
    "region",
    "step",
    "date",
    "members",
    "facilitation_effectiveness",
    "mission_skill",
    "confidence",
    "goal_consensus",
    "mean_member_trust",
    "joins",
    "exits",
    "variant",
    "replicate",
]
PROCESS = {
    "goal_consensus": "goal consensus",
    "mean_member_trust": "trust among members",
    "joins": "joins per run",
    "exits": "exits per run",
}
COMMAND = (
    "csei-sim-exchange -m && csei-sim-exchange report multirun/peer_exchange "
    "--out experiments/peer_exchange"
)


def load(sweep_dir: Path | str) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, int]:
    """(summary, time series, events, incomplete runs) of the complete runs below ``sweep_dir``."""
    complete, incomplete = find_runs(sweep_dir)
    if not complete:
        raise FileNotFoundError(f"no complete runs below {sweep_dir}")
    summary = pd.concat(
        [
            pd.read_parquet(f / "summary.parquet").assign(
                git_revision=(read_done(f) or {}).get("git_revision", "not recorded")
            )
            for f in complete
        ],
        ignore_index=True,
    )
    summary["reached_critical_mass"] = summary["time_to_critical_mass"].notna().astype(float)
    ts = pd.concat(
        [pd.read_parquet(f / "timeseries.parquet", columns=TS_COLUMNS) for f in complete],
        ignore_index=True,
    )
    events = pd.concat([pd.read_parquet(f / "events.parquet") for f in complete], ignore_index=True)
    return summary, ts, events, len(incomplete)


def effects(summary: pd.DataFrame, variants: list[str]) -> pd.DataFrame:
    """Every variant against no exchange, per region, for each outcome: outcome, then variant."""
    table = compare(summary, "variant", CONTROL, list(OUTCOMES), by=["region"], seed=BOOTSTRAP_SEED)
    # an outcome a run never reaches (members at the end of 2030 in a shorter run) is left out
    table = table[table["variant"].isin(variants) & table["n"].gt(0)]
    order = {"outcome": list(OUTCOMES), "variant": variants}
    keys = {k: table[k].map({v: i for i, v in enumerate(levels)}) for k, levels in order.items()}
    table = table.assign(_o=keys["outcome"], _v=keys["variant"])
    table = table.sort_values(["_o", "_v"], kind="stable")
    return table[list(EFFECT_COLUMNS)].rename(columns=EFFECT_COLUMNS).reset_index(drop=True)


@dataclass
class Results:
    """A sweep's tidy tables and effects: what the report shows."""

    root: Path  # the sweep folder
    summary: pd.DataFrame  # one row per run and region
    ts: pd.DataFrame  # one row per run, region and month
    events: pd.DataFrame  # the exchange events
    table: pd.DataFrame  # every paired effect (see :func:`effects`)
    variants: list[str]  # the exchange variants present, in report order
    runs: int  # complete runs
    incomplete: int  # runs left out
    discussion: str | None  # ``discussion.md`` in the output folder, if any


def analyse(root: Path, out: Path) -> Results:
    """Tidy tables of the complete runs below ``root`` and the effects of every variant."""
    summary, ts, events, incomplete = load(root)
    variants = [v for v in VARIANTS if v in set(summary["variant"])]
    if CONTROL not in set(summary["variant"]) or not variants:
        found = ", ".join(sorted(set(summary["variant"])))
        raise ParameterError(
            "sweep_dir",
            f"{root} holds runs of {found}; the report compares {', '.join(VARIANTS)} with "
            f"{CONTROL} and needs {CONTROL} and at least one of them",
        )
    runs = summary[["variant", "replicate"]].drop_duplicates().shape[0]
    discussion = out / "discussion.md"
    text = discussion.read_text() if discussion.is_file() else None
    table = effects(summary, variants)
    return Results(root, summary, ts, events, table, variants, runs, incomplete, text)


def write_tables(r: Results, folder: Path) -> list[Path]:
    """``effects.csv`` (every paired effect), ``summary.parquet`` (a row per run and region)."""
    paths = [folder / "effects.csv", folder / "summary.parquet"]
    atomic_write(paths[0], lambda tmp: r.table.to_csv(tmp, index=False))
    atomic_write(paths[1], lambda tmp: r.summary.to_parquet(tmp, index=False))
    return paths


def write_figures(r: Results, folder: Path) -> dict[str, Path]:
    figs = {
        "members": figures.members_by_region(r.ts, folder / "members_by_region.png"),
        "final": figures.forest(
            r.table, "final_members", r.variants, folder / "effect_final_members.png"
        ),
        "2030": figures.forest(
            r.table, "members_end_2030", r.variants, folder / "effect_members_2030.png"
        ),
        "practice": figures.practice(r.ts, folder / "practice.png"),
    }
    if not r.events.empty:
        figs["partners"] = figures.partners(r.events, r.summary, folder / "partners.png")
    return figs


def write_report(
    sweep_dir: Path | str, out_dir: Path | str | None = None, command: str = COMMAND
) -> Path:
    """Aggregate the sweep and write the report; return the path of ``report.md``.

    The runs come from the Hydra sweep (``csei-sim-exchange -m``), not from the scaffold's grids;
    from the tidy tables on the report is the shared study scaffold's.
    """
    root = Path(sweep_dir)
    out = Path(out_dir) if out_dir is not None else root / "report"
    results = analyse(root, out)
    return scaffold.write_report(STUDY, results, out, results.runs, root, command)


def _ci(mean: float, lo: float, hi: float) -> str:
    return f"{num(mean)} [{num(lo)}, {num(hi)}]"


def baseline_table(summary: pd.DataFrame, variant: str) -> pd.DataFrame:
    """Mean [95% CI] of each outcome per region, for one variant."""
    rows = []
    for region, group in summary[summary["variant"] == variant].groupby("region", sort=False):
        row = {"region": region, "runs": len(group)}
        for key, label in {**OUTCOMES, "time_to_critical_mass": "months to critical mass"}.items():
            mean, lo, hi, n = interval(group[key], key)  # Wilson for shares
            row[label] = _ci(mean, lo, hi) + (f" (n={n})" if n < len(group) else "")
        rows.append(row)
    return pd.DataFrame(rows)


def effect_table(table: pd.DataFrame, outcome: str, variant: str) -> pd.DataFrame:
    rows = table[(table["outcome"] == outcome) & (table["variant"] == variant)]
    return pd.DataFrame(
        {
            "region": rows["region"],
            "without": rows["control_mean"].map(num),
            "with": rows["treated_mean"].map(num),
            "difference [95% CI]": [
                _ci(m, lo, hi)
                for m, lo, hi in rows[["difference", "diff_lo", "diff_hi"]].to_numpy()
            ],
            "relative": rows["relative"].map(lambda r: "–" if pd.isna(r) else f"{r:+.0%}"),
            "d [95% CI]": [_ci(d, lo, hi) for d, lo, hi in rows[["d", "d_lo", "d_hi"]].to_numpy()],
            "n": rows["n"],
        }
    )


def channel_table(table: pd.DataFrame, outcome: str, variants: list[str]) -> pd.DataFrame:
    """Difference [95% CI] of each variant against no exchange, regions in rows."""
    rows = table[table["outcome"] == outcome]
    out = rows.pivot_table(index="region", columns="variant", values="difference", sort=False)
    text = pd.DataFrame(index=out.index)
    for v in variants:
        sel = rows[rows["variant"] == v].set_index("region")
        text[v] = [_ci(*sel.loc[r, ["difference", "diff_lo", "diff_hi"]]) for r in out.index]
    return text.reset_index()


def mechanism_table(summary: pd.DataFrame, variant: str = "full") -> pd.DataFrame:
    """Mean [95% CI] of practice, confidence and events per region under one variant."""
    rows = []
    for region, group in summary[summary["variant"] == variant].groupby("region", sort=False):
        row = {"region": region}
        for key, label in MECHANISM.items():
            row[label] = _ci(*mean_ci(group[key])[:3])
        rows.append(row)
    return pd.DataFrame(rows)


def process_table(ts: pd.DataFrame, variants: list[str]) -> pd.DataFrame:
    """Per region and variant: mean consensus and member trust over the months, joins and exits
    per run (summed over the months, averaged over replicates)."""
    months = ts[ts["step"] > 0]
    keys = ["region", "variant"]
    means = months.groupby(keys, sort=False)[["goal_consensus", "mean_member_trust"]].mean()
    runs = months.groupby(keys, sort=False)["replicate"].nunique()
    sums = months.groupby(keys, sort=False)[["joins", "exits"]].sum()
    both = means.join(sums.div(runs, axis=0))
    rows = []
    for region in dict.fromkeys(months["region"]):
        row = {"region": region}
        for key, label in PROCESS.items():
            values = [
                both.loc[(region, v), key] for v in ["none", *variants] if (region, v) in both.index
            ]
            digits = 2 if key in ("goal_consensus", "mean_member_trust") else 1
            row[label] = " / ".join(f"{x:.{digits}f}" for x in values)
        rows.append(row)
    return pd.DataFrame(rows)


def _tipping(summary: pd.DataFrame, variant: str) -> pd.DataFrame:
    """Per region: replicates tipped over critical mass at the end by a variant, and back."""
    end = summary.assign(above=summary["final_members"] >= summary["critical_mass"])
    wide = end.pivot_table(
        index=["region", "replicate"], columns="variant", values="above", aggfunc="first"
    ).dropna()
    if variant not in wide or "none" not in wide:
        return pd.DataFrame(columns=["up", "down"])
    up = (wide[variant].astype(bool) & ~wide["none"].astype(bool)).groupby("region").sum()
    down = (~wide[variant].astype(bool) & wide["none"].astype(bool)).groupby("region").sum()
    return pd.DataFrame({"up": up, "down": down})


def why_table(summary: pd.DataFrame, table: pd.DataFrame, variants: list[str]) -> pd.DataFrame:
    base = summary[summary["variant"] == "none"].groupby("region", sort=False)
    tips = _tipping(summary, "full")
    rows = []
    for region, group in base:
        members = group["final_members"].mean()
        pool = int(group["n_organisations"].iloc[0])
        row = {
            "region": region,
            "pool": pool,
            "members without": num(members),
            "headroom": num(pool - members),
            "tipped up / down": (
                f"{int(tips.loc[region, 'up'])} / {int(tips.loc[region, 'down'])}"
                if region in tips.index
                else "–"
            ),
        }
        for v in variants:
            sel = table[
                (table["outcome"] == "final_members")
                & (table["variant"] == v)
                & (table["region"] == region)
            ]
            row[v] = _ci(*sel[["difference", "diff_lo", "diff_hi"]].iloc[0]) if len(sel) else "–"
        rows.append(row)
    return pd.DataFrame(rows)


def findings(table: pd.DataFrame) -> list[str]:
    """Sentences generated from the effects table (numbers only; interpretation is separate)."""
    full = table[(table["variant"] == "full") & (table["outcome"] == "final_members")]
    full = full.sort_values("difference", ascending=False)
    lines = []
    clear_up = full[full["diff_lo"] > 0]["region"].tolist()
    clear_down = full[full["diff_hi"] < 0]["region"].tolist()
    unclear = [r for r in full["region"] if r not in clear_up + clear_down]
    top = full.iloc[0]
    lines.append(
        f"Largest gain in final membership: **{top['region']}**, "
        f"{_ci(top['difference'], top['diff_lo'], top['diff_hi'])} members "
        f"(d = {num(top['d'])})."
    )
    strong = full.sort_values("d", ascending=False).iloc[0]
    lines.append(
        f"Largest standardised gain: **{strong['region']}**, d = "
        f"{_ci(strong['d'], strong['d_lo'], strong['d_hi'])} "
        f"({num(strong['difference'])} members)."
    )
    lines.append(
        "Final membership clearly higher with exchange (95% CI above 0): "
        f"{', '.join(clear_up) or 'none'}; clearly lower: {', '.join(clear_down) or 'none'}"
        f"; no clear difference: {', '.join(unclear) or 'none'}."
    )
    for variant in ("practice_only", "confidence_only"):
        sel = table[(table["variant"] == variant) & (table["outcome"] == "final_members")]
        if sel.empty:
            continue
        up = sel[sel["diff_lo"] > 0]["region"].tolist()
        down = sel[sel["diff_hi"] < 0]["region"].tolist()
        lines.append(
            f"{variant.replace('_', ' ')}: clearly higher in {', '.join(up) or 'none'}"
            f"; clearly lower in {', '.join(down) or 'none'}."
        )
    return lines


TITLE = "Peer exchange between regions"


def headline(r: Results) -> list[str]:
    return [
        "Does peer exchange between regions help clusters form, which regions gain most, and "
        'why? (issue 10; seed: "Peer exchange between regions strengthens learning, confidence, '
        'and practical application of the models").',
        "",
    ]


def sections(r: Results) -> list[str]:
    """Design, findings and tables; the discussion, if any, closes them."""
    lines = [*design(r), *findings_section(r), *channels_section(r), *why_section(r)]
    return lines + ([r.discussion.strip(), ""] if r.discussion else [])


def design(r: Results) -> list[str]:
    summary, ts, events = r.summary, r.ts, r.events
    ts_span = (int(ts["step"].max()), ts.loc[ts["step"] == 1, "date"].iloc[0], ts["date"].max())
    reps = summary.groupby("variant")["replicate"].nunique()
    kinds = events["kind"].value_counts() if not events.empty else pd.Series(dtype=int)
    runs_full = max(1, summary[summary["variant"] == "full"]["replicate"].nunique())
    regions = list(dict.fromkeys(summary["region"]))
    counts = ", ".join(f"{v} ({n} replicates)" for v, n in reps.items())
    per_run = len(events[events["variant"] == "full"]) / runs_full if not events.empty else 0
    revisions = ", ".join(f"`{rev}`" for rev in sorted(summary["git_revision"].unique()))
    return [
        "## Design",
        "",
        f"- Code: runs made at git revision {revisions} (the report's is above).",
        f"- Variants: {counts}; incomplete runs left out: {r.incomplete}.",
        f"- Each run steps {summary['region'].nunique()} regions ({', '.join(regions)}) "
        f"together for {int(ts_span[0])} months ({ts_span[1]} to {ts_span[2]}), each with the "
        "presets of its case experiment and its own seed; the exchange draws "
        "from a separate stream. Variants of a replicate share all seeds, so differences are "
        "paired. Exchange parameters: `csei_sim.multiregion.params.ExchangeParams` (defaults; "
        'sources and assumptions in docs/ODD.md, "Extension: peer exchange between regions").',
        "- Variants: `none` (no exchange: each region as if alone), `full` (practice and "
        "confidence), `practice_only` (no confidence), `confidence_only` (no practice learnt).",
        f"- Exchange events per run (full): {num(per_run)}"
        f" on average; by kind over all exchange variants: "
        + ", ".join(f"{k} {v}" for k, v in kinds.items())
        + ".",
        "",
        "Effects are paired differences (with minus without exchange) over replicates: mean "
        "and t-based 95% confidence interval; d is the standardised mean difference (Cohen's "
        "d_av) with a paired bootstrap 95% interval.",
        "",
    ]


def findings_section(r: Results) -> list[str]:
    table = r.table
    lines = [
        "## Findings (generated from the numbers)",
        "",
        *[f"- {line}" for line in findings(table)],
        "",
        "## Membership by region, with and without exchange",
        "",
        "![members by region](figures/members_by_region.png)",
        "",
        "Lines: mean over replicates; bands: 95% confidence interval of the mean.",
        "",
        "## Effect of exchange (full) by region",
        "",
    ]
    for outcome, label in OUTCOMES.items():
        lines += [
            f"### {label}",
            "",
            effect_table(table, outcome, "full").to_markdown(index=False),
            "",
        ]
    lines += [
        "![effect on final members](figures/effect_final_members.png)",
        "",
        "![effect on members at the end of 2030](figures/effect_members_2030.png)",
        "",
    ]
    return lines


def channels_section(r: Results) -> list[str]:
    table, variants = r.table, r.variants
    return [
        "## Channels: practice and confidence separately",
        "",
        "Difference in final members against no exchange, mean [95% CI]:",
        "",
        channel_table(table, "final_members", variants).to_markdown(index=False),
        "",
        "Difference in members at the end of 2030:",
        "",
        channel_table(table, "members_end_2030", variants).to_markdown(index=False),
        "",
        "## What exchange did to each region (full)",
        "",
        "Without exchange practice stays at each region's preset values and confidence at 0.",
        "",
        mechanism_table(r.summary).to_markdown(index=False),
        "",
        "![practice and confidence over time](figures/practice.png)",
        "",
    ]


def why_section(r: Results) -> list[str]:
    summary, table, variants = r.summary, r.table, r.variants
    lines = [
        "## Why: headroom, tipping and channels",
        "",
        "Per region: pool of organisations, members at the end without exchange, "
        "headroom (pool minus those members), replicates in which exchange tipped the "
        "region over critical mass at the end (without: below, with: at or above) or back "
        "below it, and the effect on final members of each variant, mean [95% CI].",
        "",
        why_table(summary, table, variants).to_markdown(index=False),
        "",
        "How the clusters differ, per variant in the order "
        f"{' / '.join(['none', *variants])}: goal consensus and trust among members (means over "
        "the months and replicates), joins and exits (per run):",
        "",
        process_table(r.ts, variants).to_markdown(index=False),
        "",
    ]
    if not r.events.empty:
        lines += [
            "![who met whom](figures/partners.png)",
            "",
            "Exchange meetings per run between each pair of regions (full variant; study "
            "visits and seminars; a seminar counts for every pair in the room).",
            "",
        ]
    lines += [
        "## Baseline: each region without exchange",
        "",
        baseline_table(summary, "none").to_markdown(index=False),
        "",
        "## Data",
        "",
        "`tables/effects.csv`: every paired effect (region, outcome, variant). "
        "`tables/summary.parquet`: one row per run and region (seeds, variant, outcomes, "
        "practice and confidence).",
        "",
    ]
    return lines


def parser() -> CommandParser:
    p = CommandParser(
        prog="csei-sim-exchange report", description="Write the peer-exchange study's report."
    )
    p.add_argument("sweep_dir", type=Path, help="the study's sweep folder, multirun/peer_exchange")
    p.add_argument("--out", type=Path, default=None, help="output folder")
    return p


def main(argv: list[str] | None = None) -> int:
    """``csei-sim-exchange report SWEEP_DIR [--out DIR]``; what escapes is one line (guarded)."""
    return guarded(PROG, list(sys.argv[1:] if argv is None else argv), _main)


def _main(argv: list[str], work: Work) -> int:
    args = parser().parse_args(argv)
    try:
        if not args.sweep_dir.is_dir():
            raise ParameterError("sweep_dir", f"{args.sweep_dir} is not a folder")
        limits.check_folder("--out", args.out if args.out is not None else args.sweep_dir)
        print(f"wrote {write_report(args.sweep_dir, args.out)}")
    except (FileNotFoundError, ParameterError) as err:
        print(f"{PROG}: error: {err}", file=sys.stderr)
        return 2
    return 0


STUDY = scaffold.Study(TITLE, None, None, write_figures, headline, sections, write_tables)
