"""Reset, Play and Step, shaped like Mesa's ``ModelController``, with Play shared fairly.

Mesa's controller plays each session in its own thread, as fast as its play interval allows: with a
classroom playing at once, the server's threads share one interpreter and every session's Step
waits behind all the others' play steps. Here a play step (the months of one redraw, and the
redraw) holds :data:`PLAY_GATE`, one session's at a time on the server, while a Step click never
waits for it: a Step then shares the processor with one play step, not with every session's. Play
in each session slows down as more sessions play; the server's total play rate stays bounded.
"""

from __future__ import annotations

import threading
import time

import solara

from csei_sim.viz.charts import redraw
from csei_sim.viz.explorer_model import ExplorerModel, model_lock

PLAY_GATE = threading.Lock()  # one session's play step at a time on this server


def advance(model: ExplorerModel, months: int) -> bool:
    """Step ``model`` ``months`` times (fewer at the end); whether it is still running."""
    with model_lock(model):
        for _ in range(months):
            if not model.running:
                break
            model.step()
        return bool(model.running) and model.steps < model.params.steps


@solara.component
def RunControls(
    model: solara.Reactive[ExplorerModel],
    inputs: solara.Reactive[dict],
    play_interval: solara.Reactive[int],
    render_interval: solara.Reactive[int],
):
    """Reset (a new model from ``inputs``), ▶/❚❚ and Step (``render_interval`` months)."""
    playing = solara.use_reactive(False)
    running = solara.use_reactive(True)

    def step_once() -> None:
        running.value = advance(model.value, render_interval.value)
        redraw(model.value)  # figures, step counter and event log, in place: no render pass

    def play() -> None:
        while playing.value and running.value:
            time.sleep(play_interval.value / 1000)
            with PLAY_GATE:
                if not playing.value:
                    break
                step_once()

    solara.lab.use_task(play, dependencies=[playing.value, running.value], prefer_threaded=True)

    def reset() -> None:
        playing.value = False
        model.value = ExplorerModel(**inputs.value)
        running.value = True

    with solara.Row(justify="space-between"):
        solara.Button(label="Reset", color="primary", on_click=reset)
        solara.Button(
            label="❚❚" if playing.value else "▶",
            color="primary",
            on_click=lambda: playing.set(not playing.value),
            disabled=not running.value,
        )
        solara.Button(
            label="Step",
            color="primary",
            on_click=step_once,
            disabled=playing.value or not running.value,
        )
