"""Enforce the layering rules of docs/architecture.md.

A module may import painmap modules of its own layer or of lower layers only, and the
domain cores may not import storage, web or network libraries. New subpackages must be
given a layer here, so the rules cannot be bypassed by adding one.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "painmap"

#: Layer of each top-level unit of the package (lower numbers are lower layers).
LAYERS: dict[str, int] = {
    "__init__": 0,
    "core": 0,
    "bodymap": 1,
    "instruments": 1,
    "record": 2,
    "generators": 3,
    "store": 4,
    "interop": 4,
    "demo": 5,
    "outcomes": 5,
    "neuro": 5,
    "report": 5,
    "web": 6,
    "commands": 6,
    "cli": 7,
}

#: Units that form the I/O-free domain core.
DOMAIN_CORE = {"core", "bodymap", "instruments", "record", "generators"}

#: Libraries that a domain core must not import (storage, web, network, CLI, cluster).
FORBIDDEN_IN_CORE = {
    "sqlalchemy",
    "alembic",
    "psycopg",
    "sqlite3",
    "fastapi",
    "starlette",
    "uvicorn",
    "httpx",
    "requests",
    "urllib",
    "socket",
    "typer",
    "rich",
    "dask",
    "distributed",
}

#: neuro works on research data only: it may import these painmap units and no other.
NEURO_ALLOWED = {"core", "record", "neuro"}


def _unit(path: Path) -> str:
    rel = path.relative_to(SRC)
    return rel.parts[0].removesuffix(".py")


def _painmap_imports(tree: ast.AST) -> list[tuple[int, str]]:
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module))
    return found


MODULES = sorted(SRC.rglob("*.py"))


def test_every_unit_has_a_layer() -> None:
    units = {_unit(p) for p in MODULES}
    missing = units - set(LAYERS)
    assert not missing, f"give these a layer in tests/test_architecture.py: {missing}"


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(SRC)))
def test_layering(path: Path) -> None:
    unit = _unit(path)
    layer = LAYERS[unit]
    tree = ast.parse(path.read_text(encoding="utf-8"))
    problems = []
    for lineno, module in _painmap_imports(tree):
        top = module.split(".")[0]
        if top == "painmap":
            parts = module.split(".")
            target = parts[1] if len(parts) > 1 else "__init__"
            if target not in LAYERS:
                problems.append(f"line {lineno}: {module} is not a known unit")
            elif LAYERS[target] > layer:
                problems.append(
                    f"line {lineno}: {unit} (layer {layer}) imports {module} "
                    f"(layer {LAYERS[target]})"
                )
            elif unit == "neuro" and target not in NEURO_ALLOWED:
                problems.append(f"line {lineno}: neuro may not import {module}")
        elif unit in DOMAIN_CORE and top in FORBIDDEN_IN_CORE:
            problems.append(f"line {lineno}: domain core {unit} imports {module}")
    assert not problems, "\n".join(problems)


def test_rules_detect_an_upward_import(tmp_path: Path) -> None:
    """The checker itself must catch a violation (guards against a test that cannot fail)."""
    tree = ast.parse("from painmap.web import app\nimport sqlalchemy\n")
    imports = _painmap_imports(tree)
    assert (1, "painmap.web") in imports
    assert (2, "sqlalchemy") in imports
    assert LAYERS["web"] > LAYERS["bodymap"]
