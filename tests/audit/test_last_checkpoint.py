"""The last checkpoint the node signed, kept in its keys directory: a wiped or rewritten
log is not signed again, the integrity alarm names the sizes, and a crash between the
checkpoint's commit and the file's write blocks nothing. Real databases, both backends;
the node's own wiring (`start_audit`)."""

from __future__ import annotations

import logging
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from coordination.audit._encoding import b64encode
from coordination.audit.checkpoint import Checkpoint, sign_checkpoint
from coordination.audit.integrator import Integrator
from coordination.audit.integrity import IntegrityState, read_integrity
from coordination.audit.keys import keys_dir
from coordination.audit.last_checkpoint import LastCheckpoint, LastCheckpointError
from coordination.audit.merkle import leaf_hash, root_hash
from coordination.audit.runtime import AuditRuntime
from coordination.audit.signing import LogIntegrityError
from coordination.audit.storage import open_storage
from coordination.audit.stored import MemoryHashStore, stored_hash_count
from coordination.bootstrap import System
from coordination.bootstrap.node import start_audit
from coordination.settings import Settings
from tests.audit.support import (
    ORIGIN,
    assert_sound,
    execute,
    fill_events,
    node_signer,
    other_signer,
)

KEY = node_signer()
ROOT = Path(__file__).resolve().parents[2]
LOG_TABLES = ("log_entries", "log_hashes", "log_checkpoints", "integrator_position")


def signed_node(system: System, count: int) -> str:
    """Record `count` events and let the node integrate and sign them; the note."""
    fill_events(system.app, count)
    node = start_audit(system, KEY, integrate=False)
    try:
        node.integrator.run_once()
    finally:
        node.close()
    [(note,)] = execute(system, "SELECT note FROM log_checkpoints ORDER BY size DESC LIMIT 1")
    return str(note)


def kept(settings: Settings) -> Checkpoint | None:
    return LastCheckpoint(keys_dir(settings), ORIGIN).read()


def refusal(node: AuditRuntime) -> LogIntegrityError:
    with pytest.raises(LogIntegrityError) as refused:
        node.integrator.run_once()
    return refused.value


def sizes(system: System) -> list[int]:
    return [int(s) for (s,) in execute(system, "SELECT size FROM log_checkpoints ORDER BY size")]


def test_a_wiped_log_is_not_signed_again(
    system: System, settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    note = signed_node(system, 300)
    assert (keys_dir(settings) / "last-checkpoint").read_text() == note
    first = kept(settings)
    assert first is not None
    for table in LOG_TABLES:
        execute(system, f"DELETE FROM {table}")

    restarted = start_audit(system, KEY, integrate=False)  # its integrator makes them again
    try:
        with caplog.at_level(logging.ERROR, logger="coordination.audit.integrator"):
            refused = refusal(restarted)
            # The alarm raised, it halts: nothing integrated or signed, nor refused again.
            assert restarted.integrator.run_once() == 0
    finally:
        restarted.close()

    detail = str(refused)
    root = b64encode(first.root_hash)
    assert f"this node last signed a checkpoint of size 300 (root {root})" in detail
    assert "the database holds no signed checkpoint and a tree of 300 entries (root" in detail
    assert "wiped" in detail
    assert execute(system, "SELECT size FROM integrator_position") == [(300,)]
    assert sizes(system) == []  # no second checkpoint of size 300, nor of any size
    state = read_integrity(keys_dir(settings))
    assert state.state is IntegrityState.ALARM
    assert [(f.check, f.index, f.detail) for f in state.findings] == [
        ("last_checkpoint", None, detail)
    ]
    logged = [r for r in caplog.records if "refuses to sign" in r.getMessage()]
    assert [r.getMessage() for r in logged] == [f"the integrator refuses to sign: {detail}"]
    assert logged[0].fields == {"integrity": "alarm", "check": "last_checkpoint"}  # type: ignore[attr-defined]
    assert (keys_dir(settings) / "last-checkpoint").read_text() == note


def rewrite_entry(system: System, index: int, old: bytes, new: bytes) -> bytes:
    """Rewrite one entry's bytes as someone holding the database alone could: its leaf
    hash, every stored tree hash and every stored checkpoint made consistent with it, the
    checkpoints signed with a key of their own. Returns the new root."""
    leaves = []
    for idx, stored_entry in execute(system, "SELECT idx, entry FROM log_entries ORDER BY idx"):
        entry = bytes(stored_entry)
        if idx == index:
            assert entry.count(old) == 1
            entry = entry.replace(old, new)
            update = "UPDATE log_entries SET entry = ?, leaf_hash = ? WHERE idx = ?"
            execute(system, update, (entry, leaf_hash(entry), idx))
        leaves.append(leaf_hash(entry))
    tree = MemoryHashStore()
    tree.append(leaves)
    stored = execute(system, "SELECT storage_index, hash FROM log_hashes ORDER BY storage_index")
    rewritten = tree.read(range(stored_hash_count(len(leaves))))
    changed = [(h, i) for (i, old_hash), h in zip(stored, rewritten, strict=True) if h != old_hash]
    assert changed, "the rewrite changed no tree hash"
    for rehashed in changed:
        execute(system, "UPDATE log_hashes SET hash = ? WHERE storage_index = ?", rehashed)
    for (size,) in execute(system, "SELECT size FROM log_checkpoints"):
        root = root_hash(leaves[:size])
        forged = sign_checkpoint(Checkpoint(ORIGIN, size, root), other_signer())
        resigned = (root, forged, size)
        execute(system, "UPDATE log_checkpoints SET root = ?, note = ? WHERE size = ?", resigned)
    return root_hash(leaves)


def test_a_rewritten_entry_with_its_hashes_made_consistent_is_not_signed(
    system: System, settings: Settings
) -> None:
    signed_node(system, 300)
    first = kept(settings)
    assert first is not None
    rewrite_entry(system, 7, b'"step 7"', b'"step 9"')
    fill_events(system.app, 10)

    restarted = start_audit(system, KEY, integrate=False)
    try:
        refused = refusal(restarted)
    finally:
        restarted.close()

    detail = str(refused)
    assert f"last signed a checkpoint of size 300 (root {b64encode(first.root_hash)})" in detail
    assert "the database's tree of 310 entries (root" in detail
    assert "does not extend it" in detail
    assert sizes(system) == [300]  # the forged one; nothing signed over it
    state = read_integrity(keys_dir(settings))
    assert state.state is IntegrityState.ALARM
    assert [f.check for f in state.findings] == ["last_checkpoint"]


def test_a_node_that_kept_no_checkpoint_yet_starts_from_the_databases_latest(
    system: System, settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    # As a release before the keys directory kept one: checkpoints in the database only.
    fill_events(system.app, 120)
    older = Integrator(system.app, open_storage(system.target, system.app), KEY, origin=ORIGIN)
    older.run_once()
    older.storage.close()
    [(stored,)] = execute(system, "SELECT note FROM log_checkpoints")
    assert kept(settings) is None

    node = start_audit(system, KEY, integrate=False)
    try:
        with caplog.at_level(logging.WARNING, logger="coordination.audit"):
            node.integrator.run_once()  # nothing new to sign: the latest is kept all the same
        assert (keys_dir(settings) / "last-checkpoint").read_text() == stored
        assert "the database's latest, of size 120, is taken as the starting point" in caplog.text
        fill_events(system.app, 30)
        node.integrator.run_once()
    finally:
        node.close()
    assert sizes(system) == [120, 150]
    now = kept(settings)
    assert now is not None
    assert now.size == 150
    assert read_integrity(keys_dir(settings)).ok


def test_a_kill_between_commit_and_keeping_leaves_the_file_behind_and_blocks_nothing(
    system: System, settings: Settings
) -> None:
    signed_node(system, 150)
    fill_events(system.app, 100)
    child = subprocess.run(
        [
            sys.executable,
            "-m",
            "tests.audit.signing_child",
            settings.effective_database_url,
            str(settings.data_dir),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert child.returncode == -signal.SIGKILL, child.stderr
    assert sizes(system) == [150, 250]  # committed
    behind = kept(settings)
    assert behind is not None
    assert behind.size == 150  # not kept: the file is one checkpoint behind

    node = start_audit(system, KEY, integrate=False)
    try:
        assert node.integrator.run_once() == 0  # nothing new, and nothing refused
        fill_events(system.app, 50)
        node.integrator.run_once()
    finally:
        node.close()
    assert sizes(system) == [150, 250, 300]
    now = kept(settings)
    assert now is not None
    assert now.size == 300
    assert read_integrity(keys_dir(settings)).ok
    assert assert_sound(system, KEY.verifier) == 300


def test_the_file_only_moves_forward_and_holds_only_this_logs_checkpoints(
    tmp_path: Path,
) -> None:
    kept_file = LastCheckpoint(tmp_path, ORIGIN)
    small, large = (
        sign_checkpoint(Checkpoint(ORIGIN, size, bytes(32)), KEY) for size in (150, 250)
    )
    assert kept_file.keep(large).size == 250
    assert kept_file.keep(small).size == 250  # a slower process's older checkpoint
    assert kept_file.path.read_text() == large
    assert not [p.name for p in tmp_path.iterdir() if p.name != "last-checkpoint"]

    kept_file.path.write_text("not a note\n")
    with pytest.raises(LogIntegrityError, match="does not hold a signed checkpoint"):
        kept_file.read()
    other = sign_checkpoint(Checkpoint("other.example/log", 9, bytes(32)), other_signer())
    kept_file.path.write_text(other)
    with pytest.raises(LogIntegrityError, match=r"holds a checkpoint of 'other\.example/log'"):
        kept_file.read()
    kept_file.path.chmod(0o644)
    with pytest.raises(LastCheckpointError, match=r"mode 0644.*chmod 600"):
        kept_file.read()
