"""Personal fields through the log and back, on SQLite and PostgreSQL: an entry gives the
`Sealed` it was signed with, a replay stores it as the node stored it, the integrator's
two paths and the self-audit agree on it, and a person forgotten replays as forgotten.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from uuid import UUID

from coordination.audit.auditor import full_pass
from coordination.audit.entry_encoder import EntryEncoder
from coordination.audit.envelope import encode_entry, parse_entry
from coordination.audit.envelope_decode import EntryDecoder
from coordination.audit.integrator import Integrator
from coordination.audit.replay import AsOf
from coordination.audit.self_audit import SelfAudit
from coordination.audit.storage import LogStorage, open_storage
from coordination.audit.storage_source import StorageSource
from coordination.audit.stored_state import StoredEventWriter
from coordination.audit.verify import verify_log
from coordination.bootstrap import System
from coordination.bootstrap.replay import replay
from coordination.domain.personal import Sealed
from coordination.privacy.access import subject_record
from tests.application.conftest import World, secretariat
from tests.application.support_programmes import FEEDBACK, NAMES, enrol, launch, open_cohort
from tests.audit.support import node_signer

KEY = node_signer()
ERASED = "coordination.data_subject.erased"


def _cohort(world: World) -> list[UUID]:
    """Three enrolled, the second of whom gave feedback."""
    cohort_id = open_cohort(world, launch(world))
    people = [enrol(world, cohort_id, index) for index in range(3)]
    world.app.give_feedback(
        secretariat(), cohort_id, participant_id=people[1], kind="request", text=FEEDBACK
    )
    return people


def _integrate(system: System, storage: LogStorage) -> None:
    Integrator(system.app, storage, KEY, origin=system.settings.origin).run_once()


def _sealed_fields(event: Any) -> list[Sealed]:
    return [value for value in vars(event).values() if isinstance(value, Sealed)]


def test_personal_fields_come_back_sealed_as_signed_and_are_stored_as_they_were(
    world: World, system: System
) -> None:
    people = _cohort(world)
    mapper, decoder = system.app.mapper, EntryDecoder()
    writer = StoredEventWriter(mapper)
    assert writer.direct
    stored = system.app.recorder.select_notifications(start=1, limit=10_000)
    # Forgotten first: reading back and storing again needs no key.
    world.app.erase_subject(secretariat(), people[1], ground="request")
    personal = 0
    for index, original in enumerate(stored):
        event = mapper.to_domain_event(original)
        envelope = parse_entry(encode_entry(event, index=index, origin=event.origin), index)
        _, back = decoder.decode(envelope)
        assert _sealed_fields(back) == _sealed_fields(event)
        again = writer.write_direct(envelope)
        assert again is not None
        assert again.state == mapper.to_stored_event(back).state == original.state
        personal += len(_sealed_fields(back))
    # Three names, a contact each (two given) and the feedback.
    assert personal >= 6
    subjects = {s.subject_id for e in stored for s in _sealed_fields(mapper.to_domain_event(e))}
    assert set(people) <= subjects


def test_both_encoder_paths_and_the_self_audit_agree_on_personal_fields(
    world: World, system: System
) -> None:
    people = _cohort(world)
    storage = open_storage(system.target, system.app)
    try:
        _integrate(system, storage)
        world.app.erase_subject(secretariat(), people[1], ground="request")
        _integrate(system, storage)
        size = storage.position().size
        rows = storage.read_events(1, 10_000)
        encoder = EntryEncoder(system.app.mapper, system.settings.origin)
        assert encoder.direct
        reference = [
            encode_entry(
                system.app.mapper.to_domain_event(n), index=i, origin=system.settings.origin
            )
            for i, n in enumerate(system.app.recorder.select_notifications(start=1, limit=10_000))
        ]
        assert [e.entry for e in encoder.entries(rows, 0)] == reference
        assert [e.entry for e in storage.entries(0, size)] == reference
        assert sum(b'"ciphertext"' in entry for entry in reference) >= 4
        summary, findings = full_pass(SelfAudit(storage, encoder, [KEY.verifier]))
        assert (summary.entries, findings) == (size, [])
    finally:
        storage.close()


async def test_a_replay_after_an_erasure_shows_the_person_erased_and_the_log_verifies(
    world: World, system: System, tmp_path: Path
) -> None:
    people = _cohort(world)
    storage = open_storage(system.target, system.app)
    try:
        _integrate(system, storage)
        before_erasure = storage.position().size - 1
        world.app.erase_subject(secretariat(), people[1], ground="request")
        _integrate(system, storage)
        entries = storage.entries(0, storage.position().size)
        assert entries[-1].type.startswith(ERASED)
        report = verify_log(StorageSource(storage, KEY.verifier.vkey), key=KEY.verifier)
        assert report.ok, report.failures
    finally:
        storage.close()
    original = system.app.recorder.select_notifications(start=1, limit=10_000)
    keys = system.app.subject_keys
    (tmp_path / "replays").mkdir()
    # Before the erasure's entry and at the head: the key is gone either way.
    for index in (before_erasure, len(entries) - 1):
        into = tmp_path / "replays" / f"as-of-{index}.db"
        replayed, target, views = await replay(
            system, AsOf(index=index), into, verifier=KEY.verifier
        )
        try:
            assert replayed.events == index + 1
            copied = target.app.recorder.select_notifications(start=1, limit=10_000)
            assert [c.state for c in copied] == [o.state for o in original[: index + 1]]
            forgotten = subject_record(target.app, keys, people[1])
            assert forgotten["key"] == "erased"
            shown = json.dumps(forgotten, ensure_ascii=False)
            assert '"erased": true' in shown
            assert NAMES[1] not in shown
            assert FEEDBACK not in shown
            kinds = {event["type"].rsplit(".", 1)[-1] for event in forgotten["events"]}
            assert {"participant_enrolled", "feedback_given"} <= kinds
            assert ("erased" in kinds) == (index == len(entries) - 1)
            # The others' ciphertext came through intact: their key still opens it.
            kept = subject_record(target.app, keys, people[0])
            assert NAMES[0] in json.dumps(kept, ensure_ascii=False)
        finally:
            await views.stop()
            target.close()
