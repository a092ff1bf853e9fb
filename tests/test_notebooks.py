"""The classroom notebooks run top to bottom, show their figures, end with exercises, use only the
public API, and are committed without outputs and in step with scripts/make_notebooks.py."""

from __future__ import annotations

import ast
import importlib.util
import re
from pathlib import Path

import nbformat
import pytest
from ipykernel.kernelspec import write_kernel_spec
from jupyter_client.kernelspec import KernelSpecManager
from jupyter_client.manager import KernelManager
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
LESSONS = {"01_first_cluster", "02_informal_vs_formal", "03_funding_and_2030"}
PUBLIC_MODULES = {"csei_sim.run", "csei_sim.presets", "csei_sim.plots", "csei_sim.replicates"}
PUBLIC_NAMES = {"CSEIModel", "Params", "ParameterError", "Status", "plots", "presets", "replicates"}
OTHER_LIBRARIES = {"copy", "matplotlib", "numpy", "pandas"}
KERNEL = "csei-sim-test"


def _code(nb) -> list[str]:
    return [cell.source for cell in nb.cells if cell.cell_type == "code"]


def _python(source: str) -> ast.Module:
    """A code cell as Python, without its IPython magics (lines starting with %)."""
    lines = [line for line in source.splitlines() if not line.lstrip().startswith("%")]
    return ast.parse("\n".join(lines))


@pytest.fixture(scope="module")
def kernels(tmp_path_factory) -> Path:
    """A kernel spec that starts this very interpreter, so a fresh venv needs no registration."""
    root = tmp_path_factory.mktemp("kernels")
    write_kernel_spec(root / KERNEL)
    return root


@pytest.fixture(scope="module", params=NOTEBOOKS, ids=lambda path: path.stem)
def executed(request, kernels):
    """Each notebook executed once (a failing cell raises CellExecutionError here)."""
    path = request.param
    nb = nbformat.read(path, as_version=4)
    specs = KernelSpecManager(kernel_dirs=[str(kernels)])
    km = KernelManager(kernel_name=KERNEL, kernel_spec_manager=specs)
    client = NotebookClient(nb, km=km, timeout=300, resources={"metadata": {"path": path.parent}})
    client.execute()
    return path, nb


def test_the_three_lessons_are_there():
    assert {path.stem for path in NOTEBOOKS} >= LESSONS


@pytest.mark.slow
def test_every_cell_runs_and_the_figures_show(executed):
    path, nb = executed
    outputs = [out for cell in nb.cells if cell.cell_type == "code" for out in cell.outputs]
    errors = [out for out in outputs if out.output_type == "error"]
    assert not errors, f"{path.name}: {errors[0].ename}: {errors[0].evalue}"
    assert all(cell.execution_count for cell in nb.cells if cell.cell_type == "code")
    figures = [out for out in outputs if "image/png" in out.get("data", {})]
    # each lesson draws at least three figures; none may be lost to a non-inline backend
    assert len(figures) >= 3, f"{path.name}: only {len(figures)} figures displayed"


@pytest.mark.slow
def test_the_exercise_starter_cell_runs(executed):
    path, nb = executed
    heading = next(i for i, cell in enumerate(nb.cells) if _is_exercises(cell))
    after = [cell for cell in nb.cells[heading:] if cell.cell_type == "code"]
    assert after, f"{path.name}: no starter code cell after the exercises"
    assert after[-1].outputs, f"{path.name}: the starter cell shows nothing"


def _is_exercises(cell) -> bool:
    return cell.cell_type == "markdown" and bool(re.search(r"^#+\s*Exercises", cell.source, re.M))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda path: path.stem)
def test_each_lesson_ends_with_numbered_exercises(path):
    nb = nbformat.read(path, as_version=4)
    found = [i for i, cell in enumerate(nb.cells) if _is_exercises(cell)]
    assert found, f"{path.name} has no '## Exercises' section"
    assert found[-1] >= len(nb.cells) - 3, f"{path.name}: exercises are not at the end"
    items = re.findall(r"^\s*\d+\.\s+\*\*", nb.cells[found[-1]].source, re.M)
    assert len(items) >= 4, f"{path.name}: only {len(items)} numbered exercises"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda path: path.stem)
def test_lessons_use_only_the_public_api(path):
    nb = nbformat.read(path, as_version=4)
    for source in _code(nb):
        for node in ast.walk(_python(source)):
            if isinstance(node, ast.ImportFrom) and node.module == "csei_sim":
                names = {alias.name for alias in node.names}
                assert names <= PUBLIC_NAMES, f"{path.name}: imports {names - PUBLIC_NAMES}"
            elif isinstance(node, ast.ImportFrom):
                assert node.module in PUBLIC_MODULES or node.module.split(".")[0] in (
                    OTHER_LIBRARIES
                ), f"{path.name}: imports from {node.module}"
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    assert alias.name.split(".")[0] in OTHER_LIBRARIES, alias.name
            elif isinstance(node, ast.Attribute):
                assert not node.attr.startswith("_"), f"{path.name}: uses private .{node.attr}"


def _generator():
    spec = importlib.util.spec_from_file_location(
        "make_notebooks", ROOT / "scripts/make_notebooks.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_notebooks_are_clean_and_match_their_lesson_sources():
    generator = _generator()
    built = generator.build()
    assert set(built) == {path.name for path in NOTEBOOKS}
    for path in NOTEBOOKS:
        nb = nbformat.read(path, as_version=4)
        for cell in nb.cells:
            if cell.cell_type == "code":
                assert cell.outputs == [] and cell.execution_count is None, path.name
        assert path.read_text() == generator.render(built[path.name]), (
            f"{path.name} is out of date: run scripts/make_notebooks.py"
        )
