"""The served OpenAPI document drives a schema-driven fuzzer (schemathesis) through the
feed (GET and HEAD), /health and /ready: every answer is documented (status, media type,
body), none is a server error, malformed input is refused, and a request without the
token is refused where the document asks for one (all but the public key and checkpoint).

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
FEED = "/federation/v1"
PROOF = f"{FEED}/proof/inclusion"


def test_the_openapi_document_declares_the_feeds_parameters_errors_and_token(node: Node) -> None:
    document = httpx.get(f"{node.base}/openapi.json").json()
    inclusion = document["paths"][PROOF]["get"]
    required = {p["name"] for p in inclusion["parameters"] if p["required"]}
    assert required == {"index", "size"}
    assert inclusion["responses"]["416"]["content"]["application/problem+json"]
    # The token is optional where the node serves anonymous callers (public entries only).
    assert inclusion["security"] == [{"HTTPBearer": []}, {}]
    assert document["components"]["securitySchemes"]["HTTPBearer"]["scheme"] == "bearer"
    # HEAD wherever GET: the same answers, without bodies.
    feed = {path: ops for path, ops in document["paths"].items() if path.startswith(FEED)}
    assert len(feed) == 8
    # A witness is asked to cosign by POST (C2SP tlog-witness): no GET, so no HEAD.
    assert set(feed.pop(f"{FEED}/witness/add-checkpoint")) == {"post"}
    for operations in feed.values():
        assert set(operations) == {"get", "head"}
        assert set(operations["head"]["responses"]) == set(operations["get"]["responses"])
        assert not any("content" in answer for answer in operations["head"]["responses"].values())
    # The key and the checkpoint are public: no token, so no 401 or 403.
    for path in (f"{FEED}/key", f"{FEED}/checkpoint"):
        for operation in document["paths"][path].values():
            assert "security" not in operation
            assert not {"401", "403"} & set(operation["responses"])
    checkpoint = document["paths"][f"{FEED}/checkpoint"]["get"]
    assert "Prefer" in {p["name"] for p in checkpoint["parameters"]}


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
    # GET and HEAD of the feed's six routes and the witness's key, /health and /ready, and
    # the witness's add-checkpoint (POST).
    assert "17 selected" in run.stdout, run.stdout[-3000:]
