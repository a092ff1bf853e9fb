"""Run fingerprints follow the model's code, not the wording of its comments and docstrings."""

from __future__ import annotations

import shutil
from pathlib import Path

import csei_sim
from csei_sim.code_digest import code_digest
from csei_sim.experiment.runner import MODEL_MODULES, model_code_digest
from csei_sim.multiregion.study import EXCHANGE_MODULES, exchange_code_digest

PACKAGE = Path(csei_sim.__file__).parent


def copy_of_model(tmp_path: Path) -> Path:
    for name in MODEL_MODULES:
        shutil.copy(PACKAGE / f"{name}.py", tmp_path / f"{name}.py")
    return tmp_path


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


def test_the_digests_are_those_of_the_package():
    assert model_code_digest() == code_digest(PACKAGE, MODEL_MODULES)
    assert exchange_code_digest() == code_digest(PACKAGE / "multiregion", EXCHANGE_MODULES)


def test_comments_docstrings_and_layout_leave_the_digest_alone(tmp_path):
    root = copy_of_model(tmp_path)
    before = code_digest(root, MODEL_MODULES)
    model = root / "model.py"
    edit(model, '"""Run to the horizon (``steps``)."""', '"""Run it, reworded."""')
    edit(model, "    def run(self)", "    # a new comment\n\n    def run(self)")
    edit(model, "from __future__ import annotations", "from __future__ import annotations  # why")
    text = model.read_text()
    model.write_text(text.replace('"""', '"""Module docstring reworded. ', 1))
    assert code_digest(root, MODEL_MODULES) == before


def test_a_change_to_the_code_changes_the_digest(tmp_path):
    root = copy_of_model(tmp_path)
    before = code_digest(root, MODEL_MODULES)
    edit(root / "model.py", "self.steps < self.params.steps", "self.steps <= self.params.steps")
    assert code_digest(root, MODEL_MODULES) != before
    edit(root / "model.py", "self.steps <= self.params.steps", "self.steps < self.params.steps")
    assert code_digest(root, MODEL_MODULES) == before
    (root / "seeds.py").unlink()
    assert code_digest(root, MODEL_MODULES) != before


def test_the_kept_digest_is_the_one_worked_out_and_follows_the_files(tmp_path):
    root = copy_of_model(tmp_path)
    fresh = code_digest(root, MODEL_MODULES)
    kept = list((root / "__pycache__").glob("code-digest-*.txt"))
    assert len(kept) == 1
    assert code_digest(root, MODEL_MODULES) == fresh  # read back from the cache
    edit(root / "model.py", "self.steps < self.params.steps", "self.steps <= self.params.steps")
    changed = code_digest(root, MODEL_MODULES)
    assert changed != fresh
    kept[0].write_text("garbled")  # a spoilt cache is worked out again, not trusted
    assert code_digest(root, MODEL_MODULES) == changed
    edit(root / "model.py", "self.steps <= self.params.steps", "self.steps < self.params.steps")
    assert code_digest(root, MODEL_MODULES) == fresh
