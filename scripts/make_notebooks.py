"""Write the classroom notebooks in notebooks/ from the lesson texts in scripts/lessons/.

Edit a lesson in scripts/lessons/<lesson>.py, then run

    .venv/bin/python scripts/make_notebooks.py          # write notebooks/*.ipynb (no outputs)
    .venv/bin/python scripts/make_notebooks.py --check  # exit 1 if a notebook is out of date

Each lesson module holds ``NAME`` (the notebook's file name without .ipynb) and ``CELLS``, a list
of ("markdown" | "code", text) pairs; texts are dedented and stripped.
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
import textwrap
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

ROOT = Path(__file__).resolve().parent.parent
LESSONS = ROOT / "scripts" / "lessons"
NOTEBOOKS = ROOT / "notebooks"
ORDER = ("first_cluster", "informal_vs_formal", "funding_and_2030")
KERNEL = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}


def _lesson(module: str):
    spec = importlib.util.spec_from_file_location(f"lessons.{module}", LESSONS / f"{module}.py")
    lesson = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(lesson)
    return lesson


def notebook(cells: list[tuple[str, str]]) -> nbformat.NotebookNode:
    """A clean notebook (no outputs, no execution counts) with stable cell ids."""
    make = {"markdown": new_markdown_cell, "code": new_code_cell}
    nb = new_notebook(metadata={"kernelspec": KERNEL, "language_info": {"name": "python"}})
    for index, (kind, text) in enumerate(cells):
        if kind not in make:
            raise ValueError(f"cell {index}: kind {kind!r} is not one of: markdown, code")
        nb.cells.append(make[kind](textwrap.dedent(text).strip(), id=f"cell-{index:02d}"))
    nbformat.validate(nb)
    return nb


def build() -> dict[str, nbformat.NotebookNode]:
    """File name -> notebook, for every lesson."""
    out = {}
    for module in ORDER:
        lesson = _lesson(module)
        out[f"{lesson.NAME}.ipynb"] = notebook(lesson.CELLS)
    return out


def render(nb: nbformat.NotebookNode) -> str:
    return nbformat.writes(nb) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only report stale notebooks")
    args = parser.parse_args(argv)
    stale = []
    for name, nb in build().items():
        path, text = NOTEBOOKS / name, render(nb)
        if path.exists() and path.read_text() == text:
            continue
        stale.append(name)
        if not args.check:
            _write(path, text)
    verb = "out of date" if args.check else "written"
    print(f"{verb}: {', '.join(stale) or 'none'}")
    return 1 if args.check and stale else 0


def _write(path: Path, text: str) -> None:
    from csei_sim.run import atomic_write

    atomic_write(path, lambda tmp: Path(tmp).write_text(text))


if __name__ == "__main__":
    sys.exit(main())
