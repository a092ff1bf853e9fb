"""Fingerprints of source code that change with what the code does, not with how it is worded.

A run folder is complete only while the code that made its numbers is unchanged. Hashing the raw
files would make every edit of a docstring or comment invalidate every committed run and report;
hashing the parsed syntax tree without docstrings ignores comments, docstrings and layout, so
only a change to the code itself does. (The tree's form belongs to the Python version, so a new
Python version may change a digest; it never changes a number.)

Parsing and dumping the trees takes a few tenths of a second, paid by every run's process; the
digest is kept in ``__pycache__`` beside the code, under a hash of the files' exact bytes and the
Python version, so it is worked out again only when a file or the Python version changes.
"""

from __future__ import annotations

import ast
import hashlib
import os
import sys
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
    modules = list(modules)
    sources = {}
    for name in modules:
        path = Path(root) / f"{name}.py"
        sources[name] = path.read_bytes() if path.is_file() else None
    key = _bytes_key(sources)
    cache = Path(root) / "__pycache__" / f"code-digest-{_names_key(modules)}.txt"
    try:
        stored_key, stored = cache.read_text(encoding="ascii").split()
        if stored_key == key:
            return stored
    except (OSError, ValueError):  # none yet, unreadable or cut short: work it out
        pass
    digest = hashlib.sha256()
    for name, raw in sources.items():
        text = source_text(raw.decode("utf-8")) if raw is not None else name
        digest.update(f"{name}\0{text}\0".encode())
    value = digest.hexdigest()[:16]
    _store(cache, f"{key} {value}\n")
    return value


def _names_key(modules: list[str]) -> str:
    return hashlib.sha256("\0".join(modules).encode()).hexdigest()[:12]


def _bytes_key(sources: dict[str, bytes | None]) -> str:
    """Hash of the files' exact bytes (a missing file apart from an empty one) and the Python."""
    h = hashlib.sha256(sys.version.encode())
    for name, raw in sources.items():
        h.update(f"\0{name}\0{-1 if raw is None else len(raw)}\0".encode())
        h.update(raw or b"")
    return h.hexdigest()


def _store(cache: Path, text: str) -> None:
    """Write the cache whole or not at all (workers may write it at once); a read-only install
    just works the digest out each time."""
    tmp = cache.with_name(f".{cache.name}.{os.getpid()}.tmp")
    try:
        cache.parent.mkdir(exist_ok=True)
        tmp.write_text(text, encoding="ascii")
        os.replace(tmp, cache)
    except OSError:
        tmp.unlink(missing_ok=True)
