"""Figures of a single run."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from matplotlib.figure import Figure

from csei_sim.agents import SECTORS

SECTOR_COLOURS = {
    "municipality": "#1f77b4",
    "ngo": "#2ca02c",
    "firm": "#ff7f0e",
    "university": "#9467bd",
}


def membership_figure(ts: pd.DataFrame, title: str = "Members by sector"):
    """Stacked members by sector over time, with the aware organisations as a line."""
    # a bare Figure needs no pyplot backend: it draws headless and still shows in notebooks
    fig = Figure(figsize=(8, 4.5))
    ax = fig.subplots()
    x = pd.to_datetime(ts["date"])
    ax.stackplot(
        x,
        *[ts[f"members_{s}"] for s in SECTORS],
        labels=list(SECTORS),
        colors=[SECTOR_COLOURS[s] for s in SECTORS],
        alpha=0.85,
    )
    ax.plot(x, ts["aware"], color="black", linestyle="--", label="aware (not yet members)")
    ax.set_xlabel("month")
    ax.set_ylabel("organisations")
    ax.set_title(title)
    ax.legend(loc="upper left", fontsize=8)
    fig.tight_layout()
    return fig


def save_membership_plot(ts: pd.DataFrame, path: Path, title: str = "Members by sector") -> None:
    from csei_sim.run import atomic_write

    fig = membership_figure(ts, title)
    atomic_write(Path(path), lambda tmp: fig.savefig(tmp, dpi=110, format="png"))
