"""`domain/` is pure: it imports the standard library, `eventsourcing` and itself, nothing else."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

DOMAIN = Path(__file__).resolve().parents[2] / "coordination" / "domain"
ALLOWED_THIRD_PARTY = {"eventsourcing"}


def imported_roots(path: Path) -> set[str]:
    roots: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            roots.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            roots.add(node.module)
    return roots


def test_domain_modules_exist() -> None:
    assert len(list(DOMAIN.glob("*.py"))) >= 5


def test_domain_imports_no_framework() -> None:
    offenders = []
    for path in sorted(DOMAIN.glob("*.py")):
        for module in imported_roots(path):
            top = module.split(".")[0]
            if top in sys.stdlib_module_names or top in ALLOWED_THIRD_PARTY:
                continue
            if module == "coordination.domain" or module.startswith("coordination.domain."):
                continue
            offenders.append(f"{path.name} imports {module}")
    assert offenders == []


def test_the_check_catches_a_framework_import(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text("from fastapi import FastAPI\nimport coordination.settings\n")
    assert imported_roots(bad) == {"fastapi", "coordination.settings"}
