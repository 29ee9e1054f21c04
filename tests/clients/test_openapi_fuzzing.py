"""The served OpenAPI document drives a schema-driven fuzzer (schemathesis) through the
feed, /health and /ready: every answer is documented (status, media type, body), none is
a server error, malformed input is refused, and a request without the token is refused.

One check is left out: `positive_data_acceptance` expects every request the schema
allows to succeed, but whether `start`, `size` or `to` lies within the log, or `index`
within the tree, depends on the log's length, which no schema states (the node answers
416 or 400, both documented).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import httpx

from tests.clients.conftest import Node

SCHEMATHESIS = Path(sys.executable).parent / "schemathesis"
PROOF = "/federation/v1/proof/inclusion"


def test_the_openapi_document_declares_the_feeds_parameters_errors_and_token(node: Node) -> None:
    document = httpx.get(f"{node.base}/openapi.json").json()
    inclusion = document["paths"][PROOF]["get"]
    required = {p["name"] for p in inclusion["parameters"] if p["required"]}
    assert required == {"index", "size"}
    assert inclusion["responses"]["416"]["content"]["application/problem+json"]
    assert inclusion["security"] == [{"HTTPBearer": []}]
    assert document["components"]["securitySchemes"]["HTTPBearer"]["scheme"] == "bearer"


def test_schemathesis_finds_nothing_wrong_with_the_feed(node: Node, tmp_path: Path) -> None:
    report = tmp_path / "report"
    run = subprocess.run(
        [
            str(SCHEMATHESIS),
            "run",
            f"{node.base}/openapi.json",
            "--header",
            f"Authorization: Bearer {node.token('auditor')}",
            # A long poll at the log's head waits up to 25 s by design; not here.
            "--header",
            "Prefer: wait=0",
            "--include-path-regex",
            "^/(federation/|health$|ready$)",
            "--exclude-checks",
            "positive_data_acceptance",
            "--max-examples",
            "15",
            "--seed",
            "20261207",
            "--workers",
            "1",
            "--report",
            "ndjson",
            "--report-dir",
            str(report),
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        cwd=tmp_path,  # where schemathesis keeps its state
    )
    assert run.returncode == 0, run.stdout[-6000:] + run.stderr[-2000:]
    assert "7 selected" in run.stdout, run.stdout[-3000:]
