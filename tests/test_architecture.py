"""The package's shape, checked: layer contracts (import-linter, configured in
pyproject.toml) and no import cycles between its modules.

Layers, top to bottom: URLs; views, admin and commands; the HTTP policies and
the log; adapters (the site's surface and the reads, writes and rendering that
take an adapter); storage (each attribute's mapping); the engines (PATCH,
sorting, projection, paging; filters; validation); schemas and paths; the
app's models; settings, errors and constants.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import grimp
import pytest

ROOT = Path(__file__).resolve().parent.parent
#: Cycles Django's own conventions make: none today.
ALLOWED_CYCLES: set[frozenset[str]] = set()


@pytest.fixture(scope="module")
def graph() -> grimp.ImportGraph:
    return grimp.build_graph("django_scim", exclude_type_checking_imports=True)


def test_layer_contracts_are_kept():
    """Every contract in pyproject.toml's [tool.importlinter] holds."""
    linter = Path(sys.executable).with_name("lint-imports")
    completed = subprocess.run(
        [str(linter), "--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr


def _cycle_from(graph: grimp.ImportGraph, start: str) -> list[str] | None:
    """A chain of direct imports leading from ``start`` back to itself, if any."""
    for imported in graph.find_modules_directly_imported_by(start):
        chain = graph.find_shortest_chain(importer=imported, imported=start)
        if chain is not None:
            return [start, *chain]
    return None


def test_no_import_cycles(graph):
    """No module of the package imports, directly or not, a module that imports it back."""
    cycles = []
    for module in sorted(graph.modules):
        if not module.startswith("django_scim") or ".migrations" in module:
            continue
        cycle = _cycle_from(graph, module)
        if cycle is not None and frozenset(cycle) not in ALLOWED_CYCLES:
            cycles.append(" -> ".join(cycle))
    assert cycles == []


#: Django internals the package must not touch (they change without notice between
#: releases): model state, compilers, query classes, loading rows by hand, raw SQL text.
PRIVATE_DJANGO = (
    "._state",
    ".get_compiler(",
    ".from_db(",
    "query.__class__",
    ".extra(",
    "RawSQL(",
    ".raw(",
)
#: The one module allowed to hold SQL text (read-only, parameters only).
SQL_MODULES = {"locks.py"}


def test_no_private_django_api():
    """Django's public API only: no ``_state``, no compiler calls, no swapped query
    classes, no ``from_db``; SQL text only in the documented module."""
    found = []
    for path in sorted((ROOT / "django_scim").rglob("*.py")):
        text = path.read_text()
        for number, line in enumerate(text.splitlines(), 1):
            code = line.split("#", 1)[0]
            for needle in PRIVATE_DJANGO:
                if needle in code and not (needle in {".raw("} and path.name in SQL_MODULES):
                    found.append(f"{path.relative_to(ROOT)}:{number}: {needle}")
            if "cursor.execute(" in code and path.name not in SQL_MODULES:
                found.append(f"{path.relative_to(ROOT)}:{number}: cursor.execute(")
    assert found == []
