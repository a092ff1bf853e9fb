"""Progress of a Hydra sweep: runs done, total and time left, whatever the launcher.

Launchers run jobs in other processes (joblib workers, SLURM nodes), so the bar watches the sweep
folder instead: a run counts as done once its ``done.json`` was written, or confirmed by a skip,
after the sweep started. The total comes from expanding the sweep exactly as Hydra's basic sweeper
does (:func:`csei_sim.experiment.validate.expand_sweep`).
"""

from __future__ import annotations

import sys
import threading
import time
from pathlib import Path
from typing import Any

from hydra.experimental.callback import Callback
from omegaconf import DictConfig

from csei_sim.experiment.runner import DONE

POLL_SECONDS = 0.5
BAR = "{desc}: {n_fmt}/{total_fmt} runs done |{bar:20}| {elapsed} elapsed, {remaining} left"


def count_done(sweep_dir: Path, since: float) -> int:
    """Run folders under ``sweep_dir`` whose completion marker is at least as new as ``since``."""
    count = 0
    for marker in Path(sweep_dir).glob(f"**/{DONE}"):
        try:
            count += marker.stat().st_mtime >= since
        except OSError:  # replaced while we looked
            continue
    return count


class SweepProgress(Callback):
    """Hydra callback drawing a progress bar (tqdm, on stderr) while a multirun is under way."""

    def __init__(self) -> None:
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    # Launchers pickle Hydra's context, callbacks included, to send jobs to workers: the worker's
    # copy needs no thread of its own.
    def __getstate__(self) -> dict:
        return {}

    def __setstate__(self, state: dict) -> None:
        self.__init__()

    def on_multirun_start(self, config: DictConfig, **kwargs: Any) -> None:
        from hydra.core.global_hydra import GlobalHydra

        from csei_sim.experiment.validate import expand_sweep

        app = GlobalHydra.instance()  # its config loader expands glob(...) over group options
        loader = app.config_loader() if app.is_initialized() else None
        try:
            total = len(
                expand_sweep(
                    list(config.hydra.overrides.task),
                    dict(config.hydra.sweeper.get("params") or {}),
                    loader,
                )
            )
        except Exception:  # noqa: BLE001 - progress must never stop a sweep
            return
        sweep_dir = Path(str(config.hydra.sweep.dir))
        since = time.time() - 1.0  # file times may be coarser than the clock
        self._thread = threading.Thread(
            target=self._watch, args=(sweep_dir, total, since), daemon=True
        )
        self._thread.start()

    def on_multirun_end(self, config: DictConfig, **kwargs: Any) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)

    def _watch(self, sweep_dir: Path, total: int, since: float) -> None:
        from tqdm import tqdm

        with tqdm(
            total=total,
            desc=f"sweep {sweep_dir.name}",
            unit="run",
            file=sys.stderr,
            bar_format=BAR,
            mininterval=1.0,
            dynamic_ncols=True,
        ) as bar:
            while True:
                stopping = self._stop.wait(POLL_SECONDS)
                done = min(total, count_done(sweep_dir, since))
                bar.update(done - bar.n)
                if stopping or done >= total:
                    return
