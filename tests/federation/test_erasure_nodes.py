"""Forgetting reaches the partners (issue 21 item 4, decision 46), over real HTTP: node A
enrols a person with a known name and contact, node B holds A's entries, A erases the
person, B syncs again and holds nothing of them: its peer entries, its views and every
byte of its database are scanned, and its synced log of A still verifies against A's
signed checkpoint.

A partner is never shown a cohort's entries (audience `restricted`), so B reads A's feed
as an auditor does, with an auditor's token of A: a forwarding app in front of A presents
the token in place of B's signature. The entries and the checkpoint are A's own; a third
node, C, reading A as the partner it is, holds those entries as stubs only.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import httpx
import orjson
import psycopg

from coordination.audit.checkpoint import open_checkpoint
from coordination.audit.compact_range import CompactRange
from coordination.audit.keys import keys_dir, load_or_create_signer
from coordination.audit.merkle import leaf_hash
from coordination.auth.tokens import TokenKeys, issue_token
from coordination.bootstrap import System
from coordination.domain.context import Context
from coordination.federation.peer_client import Peer
from coordination.federation.sync_step import PeerSync
from coordination.privacy.sealed_fields import sealed_subjects, stored_ciphertext
from coordination.settings import Settings
from tests.application.support_programmes import CONTACTS, FEEDBACK, NAMES
from tests.audit.support import serve

from .sync_support import (
    audit_of,
    introduce,
    node_settings,
    running,
    served_checkpoint,
    sync_of,
    sync_until_up_to_date,
)


def auditor_front(upstream: str, settings: Settings) -> Any:
    """A's feed as its auditor reads it: every request forwarded with an auditor's token
    of A in place of the caller's credentials."""
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import Response
    from starlette.routing import Route

    keys = TokenKeys.load_or_create(keys_dir(settings), settings.origin)
    token = issue_token(keys, role="auditor", person=uuid4())

    async def forward(request: Request) -> Response:
        path = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        async with httpx.AsyncClient(timeout=30) as client:
            answer = await client.get(upstream + path, headers={"Authorization": f"Bearer {token}"})
        media = answer.headers.get("content-type", "text/plain")
        return Response(answer.content, answer.status_code, media_type=media)

    return Starlette(routes=[Route("/{path:path}", forward, methods=["GET"])])


def enrol_a_person(system: System) -> UUID:
    """A cohort with one participant of known name and contact, who gave feedback."""
    app, ctx = system.app, Context(actor="secretariat", origin=system.settings.origin)
    partnership = app.establish_partnership(
        ctx,
        name="Development partnership",
        programme="ESF",
        region="Stockholm county",
        period_start=date(2026, 1, 1),
        period_end=date(2028, 12, 31),
    ).stream_id
    provider = app.admit_member(ctx, partnership, name="City mission", kind="association")
    assert provider.created_id is not None
    programme = app.launch_programme(
        ctx,
        partnership_id=partnership,
        kind="care_work_course",
        title="Care work in Swedish",
        provider_id=provider.created_id,
        target_group="women of foreign origin",
        curriculum="Term 1: language of care.",
        duration_months=24,
    ).created_id
    assert programme is not None
    cohort = app.open_cohort(
        ctx, programme, title="Cohort 2026", places=3, starts_on=date(2026, 2, 1)
    ).created_id
    assert cohort is not None
    person = uuid4()
    app.enrol(ctx, cohort, participant_id=person, name=NAMES[0], contact=CONTACTS[0])
    app.give_feedback(ctx, cohort, participant_id=person, kind="request", text=FEEDBACK)
    return person


def ciphertexts(value: Any, person: UUID) -> list[str]:
    """The ciphertexts of ``person``'s sealed fields in parsed JSON."""
    if isinstance(value, dict):
        if sealed_subjects(value) == {person} and set(value) == {"subject", "ciphertext"}:
            return [value["ciphertext"]]
        return [text for item in value.values() for text in ciphertexts(item, person)]
    if isinstance(value, list):
        return [text for item in value for text in ciphertexts(item, person)]
    return []


def stored_bytes(system: System) -> bytes:
    """Every byte of the node's directory, and on PostgreSQL every row of its schema."""
    settings, target = system.settings, system.target
    files = [p for p in Path(settings.data_dir).rglob("*") if p.is_file()]
    blob = b"".join(p.read_bytes() for p in files)
    if target.sqlite_path is not None:
        return blob
    chunks = [blob]
    with psycopg.connect(
        host=target.host,
        port=target.port,
        user=target.user,
        password=target.password,
        dbname=target.dbname,
        autocommit=True,
    ) as conn:
        tables = conn.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = %s",
            (target.schema,),
        ).fetchall()
        assert {"peer_entries", "joint_view_entries"} <= {t for (t,) in tables}
        for (table,) in tables:
            for row in conn.execute(f'SELECT * FROM {target.schema}."{table}"').fetchall():
                chunks.extend(v if isinstance(v, bytes) else str(v).encode() for v in row)
    return b"\n".join(chunks)


async def joint_groups_shown(url: str, settings: Settings) -> bytes:
    """B's merged joint-group view, as its GraphQL API serves it (brought up to date)."""
    keys = TokenKeys.load_or_create(keys_dir(settings), settings.origin)
    token = issue_token(keys, role="admin", person=uuid4())
    query = "{ jointGroups { id name leadOrigin positions { origin } } }"
    async with httpx.AsyncClient(timeout=30) as client:
        answer = await client.post(
            f"{url}/graphql", json={"query": query}, headers={"Authorization": f"Bearer {token}"}
        )
    assert answer.status_code == 200, answer.text
    assert "errors" not in answer.json(), answer.text
    return answer.content


async def test_a_partner_drops_what_it_holds_of_a_person_its_peer_erased(
    database_url: str, tmp_path: Path
) -> None:
    a, c = node_settings(tmp_path, "a"), node_settings(tmp_path, "c")
    b = node_settings(
        tmp_path, "b", database_url=None if database_url.startswith("sqlite") else database_url
    )
    with (
        running(a) as (app_a, url_a, system_a),
        running(b) as (app_b, url_b, system_b),
        running(c) as (app_c, url_c, system_c),
        serve(auditor_front(url_a, a)) as front,
    ):
        introduce(system_a, [(c, url_c)])
        introduce(system_b, [(a, front)])
        introduce(system_c, [(a, url_a)])
        person = enrol_a_person(system_a)
        sync_b, sync_c = sync_of(app_b, system_b), sync_of(app_c, system_c)
        await sync_until_up_to_date(sync_b, b, Peer(a.origin, front), system_a, url_a)
        await sync_until_up_to_date(sync_c, c, Peer(a.origin, url_a), system_c, url_a)
        head = await served_checkpoint(url_a)
        own = [orjson.loads(e.entry) for e in audit_of(app_a).entries(0, head.size)]
        secret = [text for envelope in own for text in ciphertexts(envelope["data"], person)]
        assert len(secret) == 3  # name, contact, feedback
        # A sealed field of the person in JCS bytes: its subject is its last key (the
        # envelope's own ``subject`` is followed by ``time``).
        sealed_form = f'"subject":"{person}"}}'.encode()
        # As the entries hold the ciphertexts, and as A's event table does.
        both_forms = secret + [stored_ciphertext(text) for text in secret]

        # C, a partner, holds the person's entries as stubs; B, reading as an auditor,
        # holds them with their ciphertext (so the scans below can see it).
        def holding(sync: PeerSync) -> list[int]:
            stored = sync.logs.entries(a.origin, 0, 100_000)
            shown = [(e.index, orjson.loads(e.envelope)) for e in stored if e.envelope]
            return [index for index, env in shown if person in sealed_subjects(env["data"])]

        assert holding(sync_c) == []
        assert len(holding(sync_b)) == 2  # the enrolment and the feedback
        await joint_groups_shown(url_b, b)  # the merged view caught up with A's entries
        before = stored_bytes(system_b)
        assert all(text.encode() in before for text in secret)
        assert sealed_form in before

        system_a.app.erase_subject(
            Context(actor="secretariat", origin=a.origin), person, ground="request"
        )
        await sync_until_up_to_date(sync_b, b, Peer(a.origin, front), system_a, url_a)
        head = await served_checkpoint(url_a)

        stored = sync_b.logs.entries(a.origin, 0, 100_000)
        assert holding(sync_b) == []
        kinds = [orjson.loads(e.envelope)["type"] for e in stored if e.envelope]
        assert "coordination.data_subject.erased.v1" in kinds
        shown = await joint_groups_shown(url_b, b)
        after = stored_bytes(system_b)
        for blob in (after, shown):
            assert [text for text in both_forms if text.encode() in blob] == []
            assert sealed_form not in blob

        # B's copy of A's log still verifies offline against A's signed checkpoint.
        state = sync_b.logs.state(a.origin)
        assert state is not None
        assert state.cursor == head.size
        checkpoint = open_checkpoint(
            state.checkpoint_note, load_or_create_signer(a).verifier, origin=a.origin
        )
        assert [e.index for e in stored] == list(range(head.size))
        assert all(leaf_hash(e.envelope) == e.leaf_hash for e in stored if e.envelope)
        root = CompactRange().extended(e.leaf_hash for e in stored).root()
        assert (root, checkpoint.size) == (checkpoint.root_hash, head.size)
        assert checkpoint.root_hash == head.root_hash
