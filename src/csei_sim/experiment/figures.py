"""Report figures of a sweep: membership bands over time, outcomes with intervals, radars."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from csei_sim.experiment.stats import band, mean_ci  # noqa: E402
from csei_sim.metrics import RADAR  # noqa: E402
from csei_sim.run import atomic_write  # noqa: E402


def save(fig, path: Path) -> Path:
    """Write a figure atomically as PNG and close it."""
    atomic_write(Path(path), lambda tmp: fig.savefig(tmp, dpi=110, format="png"))
    plt.close(fig)
    return Path(path)


def _colours(n: int) -> list:
    cmap = plt.get_cmap("tab10" if n <= 10 else "tab20")
    return [cmap(i % cmap.N) for i in range(n)]


def membership_bands(timeseries: pd.DataFrame, path: Path, value: str = "members") -> Path:
    """Mean ``value`` per scenario over time, shaded over the middle 95% of replicates."""
    scenarios = sorted(timeseries["scenario"].unique())
    fig, ax = plt.subplots(figsize=(9, 5))
    for scenario, colour in zip(scenarios, _colours(len(scenarios)), strict=True):
        rows = timeseries[timeseries["scenario"] == scenario]
        stats = band(rows, "date", value)
        x = pd.to_datetime(stats.index)
        ax.fill_between(x, stats["lower"], stats["upper"], color=colour, alpha=0.18, linewidth=0)
        ax.plot(x, stats["mean"], color=colour, label=f"{scenario} (n={int(stats['n'].max())})")
    ax.set_xlabel("month")
    ax.set_ylabel(value.replace("_", " "))
    ax.set_title(f"{value.capitalize()} by scenario: mean and middle 95% of replicates")
    ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    fig.tight_layout()
    return save(fig, path)


def outcome_intervals(summary: pd.DataFrame, metrics: list[str], path: Path) -> Path:
    """One panel per outcome: mean per scenario with its 95% confidence interval."""
    scenarios = sorted(summary["scenario"].unique())
    cols = min(3, len(metrics))
    rows = int(np.ceil(len(metrics) / cols))
    fig, axes = plt.subplots(
        rows, cols, figsize=(4.2 * cols, 0.35 * len(scenarios) * rows + 2.2), squeeze=False
    )
    y = np.arange(len(scenarios))
    for ax, metric in zip(axes.flat, metrics, strict=False):
        est = [mean_ci(summary.loc[summary["scenario"] == s, metric]) for s in scenarios]
        mean = np.array([e[0] for e in est])
        err = np.array([[m - e[1], e[2] - m] for m, e in zip(mean, est, strict=True)]).T
        ax.errorbar(mean, y, xerr=np.nan_to_num(err), fmt="o", color="#1f4e79", capsize=3)
        ax.set_yticks(y, scenarios if ax in axes[:, 0] else [""] * len(y), fontsize=7)
        ax.set_title(metric.replace("_", " "), fontsize=9)
        ax.invert_yaxis()
        ax.grid(axis="x", alpha=0.3)
    for ax in list(axes.flat)[len(metrics) :]:
        ax.set_visible(False)
    fig.suptitle("Final outcomes: mean and 95% confidence interval across replicates", fontsize=10)
    fig.tight_layout()
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
