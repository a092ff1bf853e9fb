"""Download buttons: the running model's time series and summary as CSV and Parquet.

Files are produced only when a button is pressed (Solara calls the function then), so a Step
costs nothing extra.
"""

from __future__ import annotations

import io
from collections.abc import Callable

import pandas as pd
import solara

from csei_sim.model import CSEIModel
from csei_sim.viz.explorer_model import model_lock


def csv_bytes(table: pd.DataFrame) -> bytes:
    return table.to_csv(index=False).encode("utf-8")


def parquet_bytes(table: pd.DataFrame) -> bytes:
    buf = io.BytesIO()
    table.to_parquet(buf, index=False)
    return buf.getvalue()


def run_tables(model: CSEIModel) -> dict[str, pd.DataFrame]:
    """The run so far: one row per month, and one row of summary measures."""
    with model_lock(model):
        return {
            "timeseries": model.timeseries().reset_index(drop=True),
            "summary": model.summary(),
        }


def file_stem(model: CSEIModel, what: str) -> str:
    seed = getattr(model, "inputs", {}).get("rng") or "random"
    return f"csei-{what}-seed{seed}"


@solara.component
def Download(label: str, filename: str, make: Callable[[], bytes]):
    solara.FileDownload(make, filename=filename, label=label, mime_type="application/octet-stream")


@solara.component
def RunDownloads(model: CSEIModel):
    """CSV and Parquet of the time series and of the summary of the run shown."""
    with solara.Row(style={"flex-wrap": "wrap"}, gap="6px"):
        for what in ("timeseries", "summary"):
            stem = file_stem(model, what)
            Download(
                f"{what} CSV",
                f"{stem}.csv",
                lambda what=what: csv_bytes(run_tables(model)[what]),
            )
            Download(
                f"{what} Parquet",
                f"{stem}.parquet",
                lambda what=what: parquet_bytes(run_tables(model)[what]),
            )
