"""B8's peer logs: what the node records of a partner's log while syncing it, on SQLite and
PostgreSQL. Each record is made once whatever the retries, and refuses malformed input
naming the field."""

from __future__ import annotations

import base64

import pytest

from coordination.application import Coordination
from coordination.application.peer_logs import SYNC_ACTOR
from coordination.domain.context import Context
from coordination.domain.errors import InvalidInput
from coordination.domain.peer_log import PeerLog, peer_log_id
from tests.application.conftest import NOW, ORIGIN

PEER = "it.example/coordination/log"
ROOT_A = base64.b64encode(b"\x01" * 32).decode()
ROOT_B = base64.b64encode(b"\x02" * 32).decode()
NOTE = f"{PEER}\n10\n{ROOT_A}\n\n— {PEER} AAAAAQ==\n"


def node() -> Context:
    return Context(actor=SYNC_ACTOR, origin=ORIGIN, occurred_at=NOW)


def events(app: Coordination) -> list[str]:
    return [type(e).__name__ for e in app.events.get(peer_log_id(PEER))]


def test_a_checkpoint_is_witnessed_once(app: Coordination) -> None:
    assert app.witnessed_size(PEER) == -1
    app.witness_peer_checkpoint(node(), origin=PEER, size=10, root=ROOT_A, checkpoint=NOTE)
    app.witness_peer_checkpoint(node(), origin=PEER, size=10, root=ROOT_A, checkpoint=NOTE)
    app.witness_peer_checkpoint(node(), origin=PEER, size=4, root=ROOT_B, checkpoint=NOTE)
    assert events(app) == ["Followed", "CheckpointWitnessed"]
    assert app.witnessed_size(PEER) == 10
    log = app.repository.get(peer_log_id(PEER))
    assert isinstance(log, PeerLog)
    assert log.peer_origin == PEER
    assert all(e.audience == "transnational" for e in app.events.get(peer_log_id(PEER)))
    assert all(e.actor == SYNC_ACTOR for e in app.events.get(peer_log_id(PEER)))


def test_a_conflict_is_recorded_once_per_conflicting_checkpoint(app: Coordination) -> None:
    for _ in range(2):
        app.record_peer_history_conflict(
            node(),
            origin=PEER,
            verified=(10, ROOT_A),
            conflicting=(12, ROOT_B, NOTE),
            reason="the consistency proof does not verify",
        )
    assert events(app) == ["Followed", "HistoryConflict"]


@pytest.mark.parametrize(
    ("size", "root", "note", "field"),
    [(-1, ROOT_A, NOTE, "size"), (3, "abc", NOTE, "root"), (3, ROOT_A, "no newline", "checkpoint")],
)
def test_malformed_records_are_refused(
    app: Coordination, size: int, root: str, note: str, field: str
) -> None:
    with pytest.raises(InvalidInput) as refused:
        app.witness_peer_checkpoint(node(), origin=PEER, size=size, root=root, checkpoint=note)
    assert refused.value.field == field


def test_the_own_origin_is_no_peer(app: Coordination) -> None:
    with pytest.raises(InvalidInput, match="own origin"):
        app.witness_peer_checkpoint(node(), origin=ORIGIN, size=1, root=ROOT_A, checkpoint=NOTE)
