"""Report figures of a sweep: membership bands over time, outcomes with intervals, radars."""

from __future__ import annotations

import re
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.dates as mdates  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from csei_sim.experiment.stats import band, interval  # noqa: E402
from csei_sim.metrics import RADAR  # noqa: E402
from csei_sim.run import atomic_write  # noqa: E402

ONE_PANEL_MAX = 6  # more scenarios than this get one panel each


def natural_key(text: str) -> list:
    """Sort key that orders numbers inside labels by value (hours=20 before hours=160)."""
    return [float(part) if part[:1].isdigit() else part for part in re.split(r"(\d+\.?\d*)", text)]


def scenarios_of(frame: pd.DataFrame) -> list[str]:
    return sorted(frame["scenario"].unique(), key=natural_key)


def save(fig, path: Path) -> Path:
    """Write a figure atomically as PNG and close it."""
    atomic_write(Path(path), lambda tmp: fig.savefig(tmp, dpi=110, format="png"))
    plt.close(fig)
    return Path(path)


def _colours(n: int) -> list:
    cmap = plt.get_cmap("tab10" if n <= 10 else "tab20")
    return [cmap(i % cmap.N) for i in range(n)]


def _draw_band(ax, rows: pd.DataFrame, value: str, colour, label: str | None) -> None:
    stats = band(rows, "date", value)
    x = pd.to_datetime(stats.index)
    ax.fill_between(x, stats["lower"], stats["upper"], color=colour, alpha=0.2, linewidth=0)
    ax.plot(x, stats["mean"], color=colour, label=label)
    locator = mdates.AutoDateLocator(minticks=3, maxticks=8)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))


def _tight_below_title(fig) -> None:
    """Tight layout that leaves half an inch at the top for the figure title."""
    fig.tight_layout(rect=(0, 0, 1, 1 - 0.5 / fig.get_figheight()))


def membership_bands(timeseries: pd.DataFrame, path: Path, value: str = "members") -> Path:
    """Mean ``value`` per scenario over time, shaded over the middle 95% of replicates.

    Up to six scenarios share one panel; more get one panel each, on the same axes.
    """
    scenarios = scenarios_of(timeseries)
    colours = _colours(len(scenarios))
    title = f"{value.capitalize()} by scenario: mean and middle 95% of replicates"
    if len(scenarios) <= ONE_PANEL_MAX:
        fig, ax = plt.subplots(figsize=(9, 5))
        for scenario, colour in zip(scenarios, colours, strict=True):
            rows = timeseries[timeseries["scenario"] == scenario]
            _draw_band(ax, rows, value, colour, f"{scenario} (n={rows['run'].nunique()})")
        ax.set_ylabel(value.replace("_", " "))
        ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0))
        ax.set_title(title)
        fig.tight_layout()
        return save(fig, path)
    cols = 4 if len(scenarios) > 9 else 3
    grid = int(np.ceil(len(scenarios) / cols))
    fig, axes = plt.subplots(
        grid, cols, figsize=(3.4 * cols, 2.5 * grid + 0.6), sharex=True, sharey=True, squeeze=False
    )
    for ax, scenario, colour in zip(axes.flat, scenarios, colours, strict=False):
        rows = timeseries[timeseries["scenario"] == scenario]
        _draw_band(ax, rows, value, colour, None)
        ax.set_title(f"{scenario} (n={rows['run'].nunique()})", fontsize=7)
    for ax in list(axes.flat)[len(scenarios) :]:
        ax.set_visible(False)
    fig.suptitle(title, fontsize=10)
    _tight_below_title(fig)
    return save(fig, path)


def outcome_intervals(summary: pd.DataFrame, metrics: list[str], path: Path) -> Path:
    """One panel per outcome: mean per scenario with its 95% confidence interval."""
    scenarios = scenarios_of(summary)
    cols = min(3, len(metrics))
    rows = int(np.ceil(len(metrics) / cols))
    height = 0.3 * len(scenarios) + 1.2
    fig, axes = plt.subplots(rows, cols, figsize=(4.2 * cols, height * rows + 0.6), squeeze=False)
    y = np.arange(len(scenarios))
    for ax, metric in zip(axes.flat, metrics, strict=False):
        est = np.array(
            [interval(summary.loc[summary["scenario"] == s, metric], metric)[:3] for s in scenarios]
        )
        err = np.nan_to_num(np.abs(est[:, 1:3].T - est[:, 0]))
        ax.errorbar(est[:, 0], y, xerr=err, fmt="o", color="#1f4e79", capsize=3)
        ax.set_yticks(y, scenarios if ax in axes[:, 0] else [""] * len(y), fontsize=7)
        ax.set_title(metric.replace("_", " "), fontsize=9)
        ax.set_ylim(len(scenarios) - 0.5, -0.5)
        ax.grid(axis="x", alpha=0.3)
    for ax in list(axes.flat)[len(metrics) :]:
        ax.set_visible(False)
    fig.suptitle("Final outcomes: mean and 95% confidence interval across replicates", fontsize=10)
    _tight_below_title(fig)
    return save(fig, path)


def radar(final: pd.DataFrame, scenario: str, path: Path) -> Path:
    """The CSEI radar of one scenario at the end: mean and middle 95% of replicates."""
    angles = np.linspace(0, 2 * np.pi, len(RADAR), endpoint=False)
    closed = np.append(angles, angles[0])
    cols = [f"radar_{k}" for k in RADAR]
    fig, ax = plt.subplots(figsize=(4.6, 4.6), subplot_kw={"projection": "polar"})
    lower, upper = final[cols].quantile(0.025), final[cols].quantile(0.975)
    ax.fill_between(
        closed,
        np.append(lower, lower.iloc[0]),
        np.append(upper, upper.iloc[0]),
        color="#2ca02c",
        alpha=0.2,
        linewidth=0,
    )
    mean = final[cols].mean()
    ax.plot(closed, np.append(mean, mean.iloc[0]), color="#2ca02c", marker="o")
    ax.set_xticks(angles, list(RADAR), fontsize=8)
    ax.set_ylim(0, 1)
    ax.set_title(f"{scenario}\n(n={len(final)}, end of run)", fontsize=9)
    fig.tight_layout()
    return save(fig, path)
