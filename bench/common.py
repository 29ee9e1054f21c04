"""What every benchmark shares: result rows, percentiles and a fresh database per run."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any


def percentile(values: list[float], q: float) -> float:
    """The `q` quantile (0..1) of `values`, nearest rank."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def row(
    name: str, value: float, unit: str, baseline_name: str, baseline: float, *, digits: int = 3
) -> dict[str, Any]:
    """One result beside its baseline, as `bench/results/*.json` records them."""
    return {
        "name": name,
        "value": round(value, digits),
        "unit": unit,
        "baseline_name": baseline_name,
        "baseline_value": round(baseline, digits),
        "ratio": round(value / baseline, 3) if baseline else None,
    }


def fresh_url(backend: str, server: str | None, tmp: Path, label: str) -> str:
    """An empty event store: a new SQLite file, or a new schema on the PostgreSQL server."""
    if backend == "sqlite":
        return f"sqlite:///{tmp / f'{label}.db'}"
    import psycopg

    assert server is not None
    schema = f"bench_{label}_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    return f"{server}?schema={schema}"
