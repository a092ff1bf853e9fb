"""Figures of the studies: trajectories in small multiples, effect forests, flip maps, income mix.

Figures are written with :func:`csei_sim.experiment.figures.save` (atomic PNG, modest dpi).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import matplotlib.dates as mdates
import numpy as np
import pandas as pd
from scipy import stats

from csei_sim.experiment.figures import plt, save

MODE_COLOURS = {
    "informal": "#1b9e77",
    "gradual": "#7570b3",
    "formal": "#d95f02",
    "lead_organisation": "#e7298a",
}


D_TICKS = (-30, -10, -1, 0, 1, 10, 30)
D_LINEAR = 1.0  # the forest's d axis is linear within +-1 and logarithmic beyond (d spans decades)
BOUNDS = {"difference": ("diff_lo", "diff_hi"), "d": ("d_lo", "d_hi")}


def colours(levels: Sequence[str]) -> dict[str, tuple]:
    """A fixed colour per level: the governance modes' own, else the tab10 cycle."""
    cmap = plt.get_cmap("tab10")
    return {lv: MODE_COLOURS.get(lv, cmap(i % 10)) for i, lv in enumerate(levels)}


def mean_band(frame: pd.DataFrame, keys: list[str], value: str) -> pd.DataFrame:
    """Mean of ``value`` per ``keys`` with the t-based 95% interval of the mean."""
    g = frame.groupby(keys, sort=False)[value].agg(["mean", "std", "count"]).reset_index()
    tq = stats.t.ppf(0.975, np.maximum(g["count"] - 1, 1))
    half = np.where(g["count"] > 1, tq * g["std"] / np.sqrt(g["count"]), 0.0)
    return g.assign(lower=g["mean"] - half, upper=g["mean"] + half)


def _grid(n: int, cols: int, width: float = 4.0, height: float = 2.9, sharex: bool = True):
    cols = min(cols, n)
    rows = int(np.ceil(n / cols))
    fig, axes = plt.subplots(
        rows, cols, figsize=(width * cols, height * rows + 0.6), squeeze=False, sharex=sharex
    )
    for ax in axes.flat[n:]:
        ax.set_visible(False)
    return fig, axes


def trajectories(
    timeseries: pd.DataFrame,
    facet: str,
    hue: str,
    path: Path,
    *,
    value: str = "members",
    ylabel: str = "members",
    marks: Mapping[str, str] | None = None,
    title: str = "",
    cols: int = 3,
) -> Path:
    """One panel per ``facet`` level, one line per ``hue`` level: mean and 95% CI of the mean."""
    facets = list(dict.fromkeys(timeseries[facet]))
    hues = list(dict.fromkeys(timeseries[hue]))
    palette = colours(hues)
    band = mean_band(timeseries, [facet, hue, "date"], value)
    fig, axes = _grid(len(facets), cols)
    for ax, level in zip(axes.flat, facets, strict=False):
        for h in hues:
            rows = band[(band[facet] == level) & (band[hue] == h)]
            x = pd.to_datetime(rows["date"])
            ax.fill_between(x, rows["lower"], rows["upper"], color=palette[h], alpha=0.25, lw=0)
            ax.plot(x, rows["mean"], color=palette[h], lw=1.4, label=str(h))
        for date, text in (marks or {}).items():
            if not x.min() <= pd.Timestamp(date) <= x.max():
                continue
            ax.axvline(pd.Timestamp(date), color="grey", ls=":", lw=0.9)
            ax.text(
                pd.Timestamp(date),
                ax.get_ylim()[1],
                text,
                fontsize=6,
                color="grey",
                ha="right",
                va="top",
                rotation=90,
            )
        ax.set_title(str(level), fontsize=9)
        ax.set_ylabel(ylabel, fontsize=8)
        _date_axis(ax, x)
        ax.tick_params(labelsize=7)
        ax.grid(alpha=0.25)
    handles, labels = axes.flat[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncol=len(hues), fontsize=8, frameon=False)
    fig.suptitle(title, fontsize=10)
    fig.tight_layout(rect=(0, 0.05, 1, 1))
    return save(fig, path)


def _date_axis(ax, dates: pd.Series) -> None:
    """Ticks every few years (or every six months for runs shorter than three years)."""
    years = (dates.max() - dates.min()).days / 365.25
    if years >= 3:
        locator = mdates.YearLocator(base=max(1, int(np.ceil(years / 6))))
        ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y"))
    else:
        locator = mdates.MonthLocator(bymonth=(1, 7))
        ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y-%m"))
    ax.xaxis.set_major_locator(locator)


def forest(
    effects: pd.DataFrame,
    outcomes: Mapping[str, str],
    group: str,
    hue: str,
    path: Path,
    *,
    title: str = "",
    cols: int = 4,
    value: str = "d",
) -> Path:
    """Standardised differences (d with 95% interval): a panel per outcome, a row per group.

    The d axis is symmetric-logarithmic (linear within +-1), as effects range over decades.
    ``value="difference"``: the raw paired differences instead, each panel on its own scale."""
    groups = list(dict.fromkeys(effects[group]))
    hues = list(dict.fromkeys(effects[hue]))
    fig, axes = _grid(
        len(outcomes), cols, width=3.3, height=0.32 * len(groups) + 1.2, sharex=value == "d"
    )
    style = {"ms": 3.5, "lw": 1, "capsize": 2}
    for ax, (outcome, name) in zip(axes.flat, outcomes.items(), strict=False):
        rows = effects[effects["outcome"] == outcome]
        _interval_rows(ax, rows, group, groups, hue, hues, value, 0.25, style, fontsize=7)
        ax.set_title(name, fontsize=8)
        ax.tick_params(axis="x", labelsize=7)
        ax.grid(axis="x", alpha=0.3)
    if value != "d":
        for ax in axes.flat:
            ax.tick_params(axis="x", labelbottom=True)
        return _finish(fig, axes, hues, title, bottom=0.05, path=path)
    limit = _d_limit(effects)
    for ax in axes.flat:
        ax.tick_params(axis="x", labelbottom=True)
        ax.set_xscale("symlog", linthresh=D_LINEAR)
        ax.set_xlim(-limit, limit)
        ticks = [t for t in D_TICKS if abs(t) <= limit]
        ax.set_xticks(ticks, [f"{t:g}" for t in ticks])
    return _finish(fig, axes, hues, title, bottom=0.05, path=path)


def _interval_rows(ax, rows, group, groups, hue, hues, value, spread, style, fontsize) -> None:
    """A row per group, a marker with its 95% interval per hue level (offset by up to spread)."""
    palette = colours(hues)
    y = np.arange(len(groups))
    offsets = np.linspace(-spread, spread, len(hues)) if len(hues) > 1 else [0.0]
    lo, hi = BOUNDS[value]
    for h, off in zip(hues, offsets, strict=True):
        sub = rows[rows[hue] == h].set_index(group).reindex(groups)
        err = np.vstack([sub[value] - sub[lo], sub[hi] - sub[value]])
        ax.errorbar(
            sub[value],
            y + off,
            xerr=np.nan_to_num(err),
            fmt="o",
            color=palette[h],
            label=str(h),
            **style,
        )
    ax.axvline(0, color="black", lw=0.8)
    ax.set_yticks(y, groups, fontsize=fontsize)
    ax.invert_yaxis()


def _finish(fig, axes, hues: list, title: str, bottom: float, path: Path) -> Path:
    """The shared legend below the panels, the title, and the file."""
    handles, labels = axes.flat[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncol=len(hues), fontsize=8, frameon=False)
    fig.suptitle(title, fontsize=10)
    fig.tight_layout(rect=(0, bottom, 1, 1))
    return save(fig, path)


def _d_limit(effects: pd.DataFrame) -> float:
    """Symmetric x-limit for d: a little beyond the largest finite bound."""
    bounds = effects[["d", "d_lo", "d_hi"]].abs().to_numpy(dtype=float)
    finite = bounds[np.isfinite(bounds)]
    return float(max(2.0, finite.max() * 1.3)) if finite.size else 2.0


def flip_map(
    cells: pd.DataFrame,
    x: str,
    y: str,
    row: str,
    col: str,
    path: Path,
    *,
    labels: Mapping[str, str],
    title: str = "",
) -> Path:
    """Heatmaps of the paired difference (treated - reference); undecided cells hatched grey.

    ``cells`` holds one row per (row, col, x, y) with ``difference``, ``diff_lo``, ``diff_hi``
    and ``verdict``. Colour: the difference (red: treated ahead, blue: reference ahead).
    """
    rows, cols_ = list(dict.fromkeys(cells[row])), list(dict.fromkeys(cells[col]))
    xs, ys = sorted(cells[x].unique()), sorted(cells[y].unique())
    limit = float(np.nanmax(np.abs(cells["difference"]))) or 1.0
    fig, axes = plt.subplots(
        len(rows),
        len(cols_),
        figsize=(max(6.0, 3.3 * len(cols_) + 1.4), 2.9 * len(rows) + 1.0),
        squeeze=False,
        layout="constrained",
    )
    image = None
    for i, r in enumerate(rows):
        for j, c in enumerate(cols_):
            ax = axes[i, j]
            sub = cells[(cells[row] == r) & (cells[col] == c)]
            grid = sub.pivot_table(index=y, columns=x, values="difference").reindex(
                index=ys, columns=xs
            )
            image = ax.imshow(
                grid.to_numpy(),
                cmap="RdBu_r",
                vmin=-limit,
                vmax=limit,
                origin="lower",
                aspect="auto",
            )
            _annotate(ax, sub, x, y, xs, ys, limit)
            ax.set_xticks(range(len(xs)), [f"{v:g}" for v in xs], fontsize=7)
            ax.set_yticks(range(len(ys)), [f"{v:g}" for v in ys], fontsize=7)
            ax.set_xlabel(labels.get(x, x), fontsize=8)
            ax.set_ylabel(labels.get(y, y), fontsize=8)
            ax.set_title(f"{labels.get(row, row)} {r}\n{labels.get(col, col)} {_g(c)}", fontsize=8)
    bar = fig.colorbar(image, ax=axes, shrink=0.8, aspect=30)
    bar.set_label(labels.get("difference", "difference"), fontsize=8)
    fig.suptitle(title, fontsize=10)
    return save(fig, path)


def _g(value) -> str:
    """A number in its shortest form, a label as it is."""
    return f"{value:g}" if isinstance(value, int | float | np.number) else str(value)


def _annotate(ax, sub: pd.DataFrame, x: str, y: str, xs: list, ys: list, limit: float) -> None:
    for _, cell in sub.iterrows():
        i, j = ys.index(cell[y]), xs.index(cell[x])
        undecided = cell["verdict"] in ("undecided", "identical", "equivalent")
        if undecided:
            ax.add_patch(
                plt.Rectangle(
                    (j - 0.5, i - 0.5), 1, 1, fill=False, hatch="///", edgecolor="0.6", lw=0
                )
            )
        dark = abs(cell["difference"]) > 0.6 * limit
        text = f"{cell['difference']:+.0f}" + ("?" if undecided else "")
        ax.text(
            j,
            i,
            text,
            ha="center",
            va="center",
            fontsize=7,
            color="white" if dark else "black",
            fontweight="normal" if undecided else "bold",
        )


def stacked_bars(
    frame: pd.DataFrame,
    index: list[str],
    parts: Mapping[str, str],
    path: Path,
    *,
    xlabel: str,
    title: str = "",
) -> Path:
    """Horizontal stacked bars: one bar per row of ``frame``, one segment per column in parts."""
    labels = [" | ".join(str(v) for v in row) for row in frame[index].itertuples(index=False)]
    fig, ax = plt.subplots(figsize=(8.5, 0.32 * len(frame) + 1.4))
    left = np.zeros(len(frame))
    cmap = plt.get_cmap("Set2")
    for k, (column, name) in enumerate(parts.items()):
        values = frame[column].to_numpy(dtype=float)
        ax.barh(labels, values, left=left, color=cmap(k), label=name)
        left += values
    ax.invert_yaxis()
    ax.set_xlabel(xlabel, fontsize=8)
    ax.tick_params(labelsize=7)
    ax.legend(
        fontsize=7,
        loc="upper center",
        bbox_to_anchor=(0.5, -0.12 - 0.6 / len(frame)),
        ncol=len(parts),
        frameon=False,
    )
    ax.grid(axis="x", alpha=0.3)
    ax.set_title(title, fontsize=10)
    fig.tight_layout()
    return save(fig, path)


def intervals(
    frame: pd.DataFrame,
    group: str,
    hue: str,
    panels: Mapping[str, str],
    path: Path,
    *,
    value: str = "difference",
    xlabel: str = "",
    title: str = "",
) -> Path:
    """Differences with 95% intervals: a panel per outcome, a row per group, a marker per hue."""
    groups = list(dict.fromkeys(frame[group]))
    hues = list(dict.fromkeys(frame[hue]))
    fig, axes = plt.subplots(
        1, len(panels), figsize=(3.6 * len(panels), 0.5 * len(groups) + 1.8), squeeze=False
    )
    for ax, (outcome, name) in zip(axes.flat, panels.items(), strict=True):
        rows = frame[frame["outcome"] == outcome]
        style = {"ms": 4, "capsize": 3}
        _interval_rows(ax, rows, group, groups, hue, hues, value, 0.15, style, fontsize=8)
        ax.set_title(name, fontsize=8)
        ax.set_xlabel(xlabel, fontsize=8)
        ax.grid(axis="x", alpha=0.3)
    return _finish(fig, axes, hues, title, bottom=0.1, path=path)


def means_by(
    table: pd.DataFrame,
    x: str,
    hue: str,
    facets: Sequence[str],
    value: str,
    folder: Path,
    *,
    ylabel: str,
    cols: int = 2,
) -> Path:
    """``folder/<value>.png``: cell means with 95% intervals (``<value>_lo``/``_hi``) against
    ``x``, a line per ``hue`` level, a panel per combination of ``facets`` (a factorial design)."""
    panels = list(table.groupby(list(facets), sort=False))
    hues = list(dict.fromkeys(table[hue]))
    palette = colours(hues)
    fig, axes = _grid(len(panels), cols, width=3.6, height=2.8)
    for ax, (key, rows) in zip(axes.flat, panels, strict=False):
        for h in hues:
            sub = rows[rows[hue] == h].sort_values(x)
            err = np.vstack([sub[value] - sub[f"{value}_lo"], sub[f"{value}_hi"] - sub[value]])
            ax.errorbar(
                sub[x],
                sub[value],
                yerr=np.nan_to_num(err),
                marker="o",
                ms=3.5,
                capsize=2,
                color=palette[h],
                label=f"{hue} {h}",
            )
        ax.set_title(", ".join(f"{k} {v}" for k, v in zip(facets, key, strict=True)), fontsize=8)
        ax.set_xlabel(x, fontsize=8)
        ax.set_ylabel(ylabel, fontsize=8)
        ax.tick_params(labelsize=7)
        ax.grid(alpha=0.25)
    title = f"{ylabel}: mean and 95% CI per cell"
    return _finish(fig, axes, hues, title, bottom=0.06, path=folder / f"{value}.png")


def strips(
    frame: pd.DataFrame,
    groups: list[str],
    hue: str,
    value: str,
    path: Path,
    *,
    ylabel: str,
    xlabel: str = "",
    title: str = "",
) -> Path:
    """Every run as a dot: one column of dots per group and hue level (jittered sideways)."""
    keys = list(frame.groupby(groups, sort=True).groups)
    hues = list(dict.fromkeys(frame[hue]))
    palette = colours(hues)
    rng = np.random.default_rng(0)  # jitter only; fixed so that the figure regenerates exactly
    fig, ax = plt.subplots(figsize=(max(6.0, 0.9 * len(keys) + 1.5), 3.8))
    width = 0.8 / len(hues)
    for i, key in enumerate(keys):
        key = key if isinstance(key, tuple) else (key,)
        rows = frame.loc[(frame[groups] == pd.Series(key, index=groups)).all(axis=1)]
        for j, h in enumerate(hues):
            y = rows.loc[rows[hue] == h, value].to_numpy(dtype=float)
            x = i - 0.4 + width * (j + 0.5) + rng.uniform(-0.3, 0.3, len(y)) * width
            ax.scatter(
                x, y, s=9, color=palette[h], alpha=0.7, lw=0, label=str(h) if i == 0 else None
            )
    ax.set_xticks(range(len(keys)), ["\n".join(_g(v) for v in k) for k in keys], fontsize=7)
    ax.set_xlabel(xlabel or " / ".join(groups), fontsize=8)
    ax.set_ylabel(ylabel, fontsize=8)
    ax.grid(axis="y", alpha=0.3)
    ax.legend(fontsize=7, frameon=False)
    ax.set_title(title, fontsize=9)
    fig.tight_layout()
    return save(fig, path)
