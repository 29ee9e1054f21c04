"""``verify`` against a node over HTTP: a sound log passes, every kind of tampering is named."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from coordination.audit import verify_sources
from coordination.audit.checkpoint import Checkpoint, sign_checkpoint
from coordination.audit.merkle import leaf_hash
from coordination.audit.stored import stored_hash_index
from coordination.audit.verify import VerifyReport, verify_log
from coordination.audit.verify_sources import NodeSource
from coordination.bootstrap import System
from tests.audit.support import ORIGIN, LogNode, node_signer, other_signer, serve

KEY = node_signer()


@pytest.fixture
def node(system: System) -> Iterator[LogNode]:
    made = LogNode(system)
    made.earlier = made.grow(150)  # type: ignore[attr-defined]
    made.grow(100)
    yield made
    made.close()


def verify(node: LogNode, **options: object) -> VerifyReport:
    """Verify the node over real HTTP, as an auditor would."""
    options.setdefault("key", KEY.verifier)
    with serve(node.app) as url:
        return verify_log(NodeSource(url), seed=7, **options)  # type: ignore[arg-type]


def alter_entry(node: LogNode, index: int, *, also_leaf_hash: bool = False) -> None:
    (entry,) = node.execute("SELECT entry FROM log_entries WHERE idx = ?", (index,))[0]
    altered = bytes(entry).replace(b'"note":"step ', b'"note":"Step ')  # one byte
    assert altered != bytes(entry)
    node.execute("UPDATE log_entries SET entry = ? WHERE idx = ?", (altered, index))
    if also_leaf_hash:
        node.execute(
            "UPDATE log_entries SET leaf_hash = ? WHERE idx = ?", (leaf_hash(altered), index)
        )


def test_a_sound_node_verifies(node: LogNode) -> None:
    report = verify(node, earlier=node.earlier)  # type: ignore[attr-defined]
    assert report.ok, report.failures
    assert (report.origin, report.size, report.entries_checked) == (ORIGIN, 250, 250)
    assert report.earlier_size == 150
    assert report.proofs_checked >= 10
    assert report.root == node.log.latest_checkpoint().root  # type: ignore[union-attr]


def test_without_a_key_the_nodes_own_key_is_used_and_said_so(node: LogNode) -> None:
    report = verify(node, key=None)
    assert report.ok
    assert report.key_from_source


def test_one_byte_changed_in_a_stored_entry(node: LogNode) -> None:
    alter_entry(node, 42)
    report = verify(node)
    assert report.first_bad_index == 42
    assert "do not hash to its leaf hash" in str(report.failures[0])


def test_an_entry_and_its_leaf_hash_changed_together(node: LogNode) -> None:
    alter_entry(node, 201, also_leaf_hash=True)
    report = verify(node)
    assert report.first_bad_index == 201
    assert "does not match the signed tree" in str(report.failures[0])


def test_an_entry_deleted(node: LogNode) -> None:
    node.execute("DELETE FROM log_entries WHERE idx = 99")
    report = verify(node)
    assert report.first_bad_index == 99
    assert "missing" in str(report.failures[0])


def test_two_entries_swapped(node: LogNode) -> None:
    rows = {
        idx: (entry, leaf)
        for idx, entry, leaf in node.execute(
            "SELECT idx, entry, leaf_hash FROM log_entries WHERE idx IN (10, 20)"
        )
    }
    for idx, other in ((10, 20), (20, 10)):
        entry, leaf = rows[other]
        node.execute(
            "UPDATE log_entries SET entry = ?, leaf_hash = ? WHERE idx = ?",
            (bytes(entry), bytes(leaf), idx),
        )
    report = verify(node)
    # Reported as what it is, both places named: it was "sequence is ..., not the
    # entry's index" at the first alone.
    assert [str(f) for f in report.failures] == [
        "entry 10: swapped with entry 20: entry 10 holds the entry of index 20, and entry 20"
        " the one of index 10"
    ]


def test_a_tree_node_altered(node: LogNode) -> None:
    # The stored hash of leaves 0..127: in the proofs of the right half of the tree.
    node.execute(
        "UPDATE log_hashes SET hash = ? WHERE storage_index = ?",
        (b"\x00" * 32, stored_hash_index(7, 0)),
    )
    report = verify(node)
    assert not report.ok
    assert report.entries_checked == 250  # the entries themselves are sound
    assert "stored tree disagrees with its entries" in str(report.failures[0])
    # Always checked: the proof of the last entry holds every subtree left of it.
    assert 249 in {f.index for f in report.failures}


def test_a_checkpoint_signed_by_another_key(node: LogNode) -> None:
    latest = node.log.latest_checkpoint()
    assert latest is not None
    forged = sign_checkpoint(Checkpoint(ORIGIN, latest.size, latest.root), other_signer())
    node.execute("UPDATE log_checkpoints SET note = ? WHERE size = ?", (forged, latest.size))
    report = verify(node)
    assert report.entries_checked == 0
    assert "the checkpoint does not verify with" in str(report.failures[0])
    assert "no signature from a known key" in str(report.failures[0])


def test_a_checkpoint_for_a_tree_that_does_not_extend_the_earlier_one(node: LogNode) -> None:
    # The node once showed someone a different history of 150 entries (a fork).
    fork = sign_checkpoint(Checkpoint(ORIGIN, 150, b"\x42" * 32), KEY)
    report = verify(node, earlier=fork)
    messages = [str(f) for f in report.failures]
    assert any("does not extend the earlier checkpoint" in m for m in messages)
    assert any("are not one history" in m for m in messages)


def test_an_earlier_checkpoint_larger_than_the_log(node: LogNode) -> None:
    bigger = sign_checkpoint(Checkpoint(ORIGIN, 400, b"\x42" * 32), KEY)
    report = verify(node, earlier=bigger)
    assert "the log lost entries" in str(report.failures[0])


def test_an_unreachable_node_is_a_failure_not_a_crash() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    client = httpx.Client(transport=httpx.MockTransport(refuse))
    report = verify_log(NodeSource("http://gone.example", client=client), key=KEY.verifier)
    assert not report.ok
    assert "cannot reach" in str(report.failures[0])


def test_a_url_httpx_cannot_parse_is_a_failure_not_a_crash() -> None:
    # httpx.InvalidURL is not an httpx.HTTPError: it escaped as a traceback.
    report = verify_log(NodeSource("http://[::1"), key=KEY.verifier)
    assert not report.ok
    assert "cannot reach http://[::1" in str(report.failures[0])
    assert "Invalid port" in str(report.failures[0])


def _answering(status: int, content_type: str, body: bytes, *, only: str = "") -> Any:
    """An ASGI app answering `body` to every GET whose path contains `only`, passing the
    rest to the node (set as `.node`)."""

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "http" and only in scope["path"]:
            headers = [(b"content-type", content_type.encode())]
            await send({"type": "http.response.start", "status": status, "headers": headers})
            await send({"type": "http.response.body", "body": body})
            return
        await app.node(scope, receive, send)  # type: ignore[attr-defined]

    return app


@pytest.mark.parametrize("body", [b"[]", b"null", b"{not json", b"\xff\xfe"])
def test_a_node_refusing_with_a_broken_problem_document_is_reported(
    node: LogNode, body: bytes
) -> None:
    # The verifier read the refusal's `detail` with .json().get(...): an AttributeError
    # or a decoding error, a traceback instead of a report.
    app = _answering(503, "application/problem+json", body)
    app.node = node.app
    with serve(app) as url:
        report = verify_log(NodeSource(url), key=KEY.verifier)
    assert not report.ok
    assert "/checkpoint answered 503" in str(report.failures[0])


@pytest.mark.parametrize(
    ("body", "said"),
    [
        (b"not json", "is not JSON"),
        (b"[]", "no list of base64 hashes"),
        (b'{"hashes": ["*"]}', "no list of base64 hashes"),
    ],
)
def test_proofs_that_are_not_proofs_fail_the_check(node: LogNode, body: bytes, said: str) -> None:
    # They used to be taken for "no proofs to check" (as a bundle has none), or to crash.
    app = _answering(200, "application/json", body, only="/proof/")
    app.node = node.app
    with serve(app) as url:
        report = verify_log(NodeSource(url), key=KEY.verifier)
    assert not report.ok
    assert report.entries_checked == 250  # the entries themselves verified
    assert "/proof/inclusion answered with" in str(report.failures[0])
    assert said in str(report.failures[0])


def test_an_answer_larger_than_the_cap_is_refused_not_read_whole(
    node: LogNode, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A hostile node's endless answer would otherwise fill the auditor's memory.
    monkeypatch.setattr(verify_sources, "MAX_RESPONSE_BYTES", 10_000)
    app = _answering(200, "text/plain", b"x" * 50_000, only="/checkpoint")
    app.node = node.app
    with serve(app) as url:
        report = verify_log(NodeSource(url), key=KEY.verifier)
    assert not report.ok
    assert "/checkpoint answered with more than 10,000 bytes" in str(report.failures[0])
    monkeypatch.undo()
    with serve(node.app) as url:  # the node's own answers fit the real cap
        assert verify_log(NodeSource(url), key=KEY.verifier).ok
