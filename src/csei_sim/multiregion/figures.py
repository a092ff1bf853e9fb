"""Figures of the peer-exchange study (PNG, written atomically)."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from scipy import stats  # noqa: E402

from csei_sim.experiment.figures import save  # noqa: E402

VARIANT_STYLE = {
    "none": ("#555555", "no exchange"),
    "full": ("#1f77b4", "exchange"),
    "practice_only": ("#2ca02c", "practice only"),
    "confidence_only": ("#ff7f0e", "confidence only"),
}


def _grid(n: int, width: float = 4.0, height: float = 2.8):
    cols = min(3, n)
    rows = int(np.ceil(n / cols))
    fig, axes = plt.subplots(
        rows, cols, figsize=(width * cols, height * rows), squeeze=False, sharex=True
    )
    for ax in axes.flat[n:]:
        ax.set_visible(False)
    return fig, axes.flat


def _mean_band(frame: pd.DataFrame, value: str) -> pd.DataFrame:
    g = frame.groupby("date")[value]
    mean, sd, n = g.mean(), g.std(ddof=1), g.count()
    half = stats.t.ppf(0.975, np.maximum(n - 1, 1)) * sd / np.sqrt(n)
    return pd.DataFrame({"mean": mean, "lo": mean - half.fillna(0), "hi": mean + half.fillna(0)})


def members_by_region(ts: pd.DataFrame, path: Path, variants=("none", "full")) -> Path:
    """Small multiples: members per region over time, one line per variant."""
    regions = list(dict.fromkeys(ts["region"]))
    fig, axes = _grid(len(regions))
    for ax, region in zip(axes, regions, strict=False):
        for variant in variants:
            rows = ts[(ts["region"] == region) & (ts["variant"] == variant)]
            if rows.empty:
                continue
            colour, label = VARIANT_STYLE[variant]
            b = _mean_band(rows, "members")
            x = pd.to_datetime(b.index)
            ax.fill_between(x, b["lo"], b["hi"], color=colour, alpha=0.2, linewidth=0)
            ax.plot(x, b["mean"], color=colour, label=label)
        ax.set_title(region)
        ax.set_ylabel("members")
    axes[0].legend(fontsize=8, loc="upper left")
    fig.suptitle("Members by region, mean and 95% CI over replicates")
    fig.tight_layout()
    return save(fig, path)


def forest(table: pd.DataFrame, outcome: str, variants: list[str], path: Path) -> Path:
    """Paired difference with its 95% CI per region, one marker per variant."""
    rows = table[table["outcome"] == outcome]
    regions = list(dict.fromkeys(rows["region"]))
    fig, ax = plt.subplots(figsize=(7, 0.55 * len(regions) * len(variants) + 1.2))
    offsets = np.linspace(-0.25, 0.25, len(variants)) if len(variants) > 1 else [0.0]
    for off, variant in zip(offsets, variants, strict=True):
        sel = rows[rows["variant"] == variant].set_index("region").reindex(regions)
        y = np.arange(len(regions)) + off
        colour, label = VARIANT_STYLE[variant]
        ax.errorbar(
            sel["difference"],
            y,
            xerr=[sel["difference"] - sel["diff_lo"], sel["diff_hi"] - sel["difference"]],
            fmt="o",
            color=colour,
            label=label,
            capsize=3,
        )
    ax.axvline(0, color="#888", linewidth=1)
    ax.set_yticks(range(len(regions)), regions)
    ax.invert_yaxis()
    ax.set_xlabel(f"difference in {outcome.replace('_', ' ')} (with minus without exchange)")
    ax.set_title("Effect of peer exchange: paired mean difference, 95% CI")
    ax.legend(fontsize=8)
    fig.tight_layout()
    return save(fig, path)


def practice(ts: pd.DataFrame, path: Path, variant: str = "full") -> Path:
    """Mean facilitation effectiveness, mission skill and confidence per region over time."""
    rows = ts[ts["variant"] == variant]
    values = {
        "facilitation_effectiveness": "facilitation effectiveness",
        "mission_skill": "mission skill",
        "confidence": "confidence",
    }
    fig, axes = plt.subplots(1, 3, figsize=(13, 3.6))
    regions = list(dict.fromkeys(rows["region"]))
    colours = plt.get_cmap("tab10")
    for ax, (key, label) in zip(axes, values.items(), strict=True):
        for i, region in enumerate(regions):
            mean = rows[rows["region"] == region].groupby("date")[key].mean()
            ax.plot(pd.to_datetime(mean.index), mean.to_numpy(), color=colours(i), label=region)
        ax.set_title(f"{label} (mean over replicates)")
    axes[0].legend(fontsize=7)
    fig.tight_layout()
    return save(fig, path)


def partners(
    events: pd.DataFrame, summary: pd.DataFrame, path: Path, variant: str = "full"
) -> Path:
    """Heat map: meetings per run between each pair of regions."""
    regions = list(dict.fromkeys(summary["region"]))
    index = {r: i for i, r in enumerate(regions)}
    counts = np.zeros((len(regions), len(regions)))
    sel = events[(events["variant"] == variant) & (events["kind"] != "shared_tool")]
    for initiator, others in zip(sel["initiator"], sel["partners"], strict=True):
        room = [initiator, *str(others).split(",")]
        for a in room:
            for b in room:
                if a != b:
                    counts[index[a], index[b]] += 1
    runs = max(1, events[events["variant"] == variant]["replicate"].nunique())
    counts /= runs
    fig, ax = plt.subplots(figsize=(5.8, 4.8))
    image = ax.imshow(counts, cmap="Blues")
    ax.set_xticks(range(len(regions)), regions, rotation=45, ha="right")
    ax.set_yticks(range(len(regions)), regions)
    for i in range(len(regions)):
        for j in range(len(regions)):
            ax.text(j, i, f"{counts[i, j]:.1f}", ha="center", va="center", fontsize=8)
    fig.colorbar(image, ax=ax, label="meetings per run")
    ax.set_title("Who met whom (mean per run)")
    fig.tight_layout()
    return save(fig, path)
