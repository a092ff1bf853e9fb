"""Fingerprints of source code that change with what the code does, not with how it is worded.

A run folder is complete only while the code that made its numbers is unchanged. Hashing the raw
files would make every edit of a docstring or comment invalidate every committed run and report;
hashing the parsed syntax tree without docstrings ignores comments, docstrings and layout, so
only a change to the code itself does. (The tree's form belongs to the Python version, so a new
Python version may change a digest; it never changes a number.)
"""

from __future__ import annotations

import ast
import hashlib
from collections.abc import Iterable
from pathlib import Path


def _without_docstrings(tree: ast.AST) -> ast.AST:
    """Drop the docstring of the module and of every class and function."""
    kinds = (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if isinstance(node, kinds) and body and _is_docstring(body[0]):
            node.body = body[1:] or [ast.Pass()]
    return tree


def _is_docstring(statement: ast.stmt) -> bool:
    return (
        isinstance(statement, ast.Expr)
        and isinstance(statement.value, ast.Constant)
        and isinstance(statement.value.value, str)
    )


def source_text(source: str) -> str:
    """The code of a module as a canonical text: no comments, docstrings or layout."""
    return ast.dump(_without_docstrings(ast.parse(source)), include_attributes=False)


def code_digest(root: Path, modules: Iterable[str]) -> str:
    """16-hex digest of the code of ``root/<name>.py`` for each name (a missing file counts)."""
    digest = hashlib.sha256()
    for name in modules:
        path = Path(root) / f"{name}.py"
        text = source_text(path.read_text(encoding="utf-8")) if path.is_file() else name
        digest.update(f"{name}\0{text}\0".encode())
    return digest.hexdigest()[:16]
