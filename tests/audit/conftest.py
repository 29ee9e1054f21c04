"""Fixtures of the audit tests: the conformance vectors."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

VECTORS_NAME = "tlog-vectors.json"
BUNDLED_VECTORS = Path(__file__).parent / "vectors" / VECTORS_NAME


def conformance_dir() -> Path | None:
    """The shared conformance folder: $COORDINATION_CONFORMANCE_DIR, else ../shared/conformance.

    Returns None when neither exists; the suite then runs on its bundled copy.
    """
    configured = os.environ.get("COORDINATION_CONFORMANCE_DIR")
    if configured:
        # A configured folder that lacks the vectors is a broken setup, not a reason to skip.
        path = Path(configured)
        if not (path / VECTORS_NAME).is_file():
            raise FileNotFoundError(f"{path / VECTORS_NAME} does not exist")
        return path
    sibling = Path(__file__).resolve().parents[2].parent / "shared" / "conformance"
    return sibling if (sibling / VECTORS_NAME).is_file() else None


@pytest.fixture(scope="session")
def vectors() -> dict[str, Any]:
    """The tlog and signed-note test vectors, from the shared folder or the bundled copy."""
    folder = conformance_dir()
    path = folder / VECTORS_NAME if folder else BUNDLED_VECTORS
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data
