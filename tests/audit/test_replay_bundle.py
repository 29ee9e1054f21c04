"""`replay --bundle DIR --as-of ...`: the partnership at a date from an exported bundle and
the node's key alone; the same state as a replay from the node; tampering refused.
"""

from __future__ import annotations

import base64
import io
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson
import pytest
import typer
from pydantic import SecretStr
from rich.console import Console
from typer.testing import CliRunner

from coordination.audit.canonical import canonical_json
from coordination.audit.export import export_bundle
from coordination.audit.integrator import Integrator
from coordination.audit.log import open_audit_log
from coordination.audit.merkle import leaf_hash
from coordination.audit.replay import AsOf, recorded_at
from coordination.audit.storage import open_storage
from coordination.audit.verified import LogNotVerified
from coordination.bootstrap import System
from coordination.bootstrap.replay import replay, replay_bundle
from coordination.cli.replay import register_replay_command
from coordination.persistence.readdb import ReadDatabase
from coordination.projections.views import ALL_VIEWS
from coordination.settings import Settings
from coordination_demo import load_demo
from tests.audit.support import ORIGIN, LogNode, execute, node_signer
from tests.audit.test_bundle_checks import rehashed

KEY = node_signer()


def integrate(system: System) -> None:
    storage = open_storage(system.target, system.app)
    integrator = Integrator(system.app, storage, KEY, origin=system.settings.origin)
    try:
        integrator.run_once()
    finally:
        integrator.close()
        storage.close()


def export(system: System, out: Path, **options: Any) -> Path:
    log = open_audit_log(system.target, system.app, origin=ORIGIN, verifier=KEY.verifier)
    try:
        export_bundle(log, out, **options)
    finally:
        log.close()
    return out


async def every_row(db: ReadDatabase) -> dict[str, list[dict[str, str]]]:
    """Every view table's rows, positions included, in key order."""
    rows = {}
    for view in ALL_VIEWS:
        for table in view.tables:
            order = ", ".join(table.key)
            found = await db.fetch(f"SELECT * FROM {table.view_name} ORDER BY {order}")
            rows[table.view_name] = [{c: str(r[c]) for c in table.columns} for r in found]
    return rows


async def test_a_bundle_alone_replays_to_the_same_state_as_the_node(
    system: System, tmp_path: Path
) -> None:
    load_demo(system.app, origin=ORIGIN, console=Console(file=io.StringIO()))
    integrate(system)
    bundle = export(system, tmp_path / "bundle")
    storage = open_storage(system.target, system.app)
    try:
        entries = storage.entries(0, storage.position().size)
    finally:
        storage.close()
    middle = recorded_at(entries[len(entries) // 2])
    as_of = AsOf(moment=middle)

    from_node, node_store, node_views = await replay(
        system, as_of, tmp_path / "node.db", verifier=KEY.verifier
    )
    # Settings of another machine: nothing of the node but its bundle and its key.
    elsewhere = Settings(data_dir=tmp_path / "auditor", env="test")
    from_bundle, bundle_store, bundle_views = await replay_bundle(
        bundle, as_of, tmp_path / "bundle.db", elsewhere, key=KEY.verifier
    )
    try:
        assert from_bundle.cut_off.index == from_node.cut_off.index >= len(entries) // 2
        assert from_bundle.cut_off.recorded_at == from_node.cut_off.recorded_at
        assert from_bundle.cut_off.notification_id is None  # a bundle does not carry it
        assert (from_bundle.events, from_bundle.log_size) == (from_node.events, len(entries))
        assert not from_bundle.key_from_source
        assert await every_row(bundle_views.db) == await every_row(node_views.db)
        stored = [
            store.app.recorder.select_notifications(start=1, limit=10_000)
            for store in (node_store, bundle_store)
        ]
        assert stored[0] == stored[1]
        assert len(stored[0]) == from_node.cut_off.index + 1
    finally:
        for views, store in ((node_views, node_store), (bundle_views, bundle_store)):
            await views.stop()
            store.close()


@pytest.fixture
def cli(settings: Settings) -> typer.Typer:
    app = typer.Typer()

    @app.callback()
    def main() -> None:
        """coordination (test)"""

    keyed = settings.model_copy(update={"signing_key": SecretStr(KEY.skey())})
    register_replay_command(app, lambda _url: keyed)
    return app


def run(cli: typer.Typer, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args), env={"COLUMNS": "300"})
    return result.exit_code, " ".join(re.sub("[\u2500-\u257f]", " ", result.output).split())


def test_replay_from_a_bundle_on_the_command_line(
    cli: typer.Typer, system: System, tmp_path: Path
) -> None:
    load_demo(system.app, origin=ORIGIN, console=Console(file=io.StringIO()))
    integrate(system)
    bundle = export(system, tmp_path / "bundle")
    args = ("replay", "--bundle", str(bundle), "--as-of", "2999-12-31")
    code, output = run(cli, *args, "--key", KEY.verifier.vkey)
    assert code == 0, output
    assert f"log {bundle}" in output
    assert "Business development / public procurement" in output
    assert "warning" not in output
    code, output = run(cli, *args)  # the bundle's own key: said so
    assert code == 0, output
    assert "warning: verified with the bundle's own key" in output


def rewrite(bundle: Path, index: int, change: Callable[[dict[str, Any]], None]) -> None:
    """Rewrite entry ``index`` and its leaf hash together, and the manifest's hashes."""
    lines = (bundle / "entries.jsonl").read_bytes().splitlines(keepends=True)
    record = orjson.loads(lines[index])
    envelope = orjson.loads(record["entry"])
    change(envelope)
    entry = canonical_json(envelope)
    record["entry"] = entry.decode()
    record["leaf_hash"] = base64.b64encode(leaf_hash(entry)).decode()
    lines[index] = canonical_json(record) + b"\n"
    (bundle / "entries.jsonl").write_bytes(b"".join(lines))
    rehashed(bundle)


def edit_lines(bundle: Path, change: Callable[[list[bytes]], None]) -> None:
    lines = (bundle / "entries.jsonl").read_bytes().splitlines(keepends=True)
    change(lines)
    (bundle / "entries.jsonl").write_bytes(b"".join(lines))
    rehashed(bundle)


def edit_manifest(bundle: Path, field: str, value: str) -> None:
    manifest = json.loads((bundle / "manifest.json").read_text())
    manifest[field] = value
    (bundle / "manifest.json").write_text(json.dumps(manifest))


def one_byte(lines: list[bytes]) -> None:
    lines[137] = lines[137].replace(b'"note\\":\\"step ', b'"note\\":\\"Step ')


def swapped(lines: list[bytes]) -> None:
    lines[3], lines[5] = lines[5], lines[3]


TAMPERING: dict[str, tuple[Callable[[Path], None], str]] = {
    "an entry": (
        lambda b: edit_lines(b, one_byte),
        "entry 137: its bytes do not hash to its leaf hash",
    ),
    "an entry and its leaf hash": (
        lambda b: rewrite(b, 200, lambda e: e["data"].update(note="rewritten")),
        "entries 180 to 269: the first 270 entries do not give the root",
    ),
    "the manifest's root": (
        lambda b: edit_manifest(b, "root", base64.b64encode(b"\x07" * 32).decode()),
        "the manifest's root is 'BwcH",
    ),
    "the manifest's origin": (
        lambda b: edit_manifest(b, "origin", "elsewhere.example/log"),
        "the manifest's origin is 'elsewhere.example/log', not the checkpoint's",
    ),
    "a hole": (
        lambda b: edit_lines(b, lambda lines: lines.pop(64)),
        "entry 64: missing",
    ),
    "two entries swapped": (
        lambda b: edit_lines(b, swapped),
        "entry 3: swapped with entry 5",
    ),
}


@pytest.mark.parametrize("what", list(TAMPERING))
def test_a_tampered_bundle_is_refused_and_the_place_named(
    cli: typer.Typer, system: System, tmp_path: Path, what: str
) -> None:
    node = LogNode(system)
    for count in (90, 90, 90, 50):
        node.grow(count)
    node.close()
    bundle = export(system, tmp_path / "bundle", spacing=100)
    change, named = TAMPERING[what]
    change(bundle)
    into = tmp_path / "replay.db"
    code, output = run(
        cli, "replay", "--bundle", str(bundle), "--as-of", "300", "--into", str(into),
        "--key", KEY.verifier.vkey,
    )  # fmt: skip
    assert code == 1, output
    assert f"the log of {bundle} does not verify" in output
    assert named in output
    assert not into.exists()


async def test_a_tampered_node_log_is_refused_and_the_place_named(
    system: System, tmp_path: Path
) -> None:
    node = LogNode(system)
    node.grow(300)
    node.close()
    (entry,) = execute(system, "SELECT entry FROM log_entries WHERE idx = 42")[0]
    altered = bytes(entry).replace(b'"note":"step ', b'"note":"Step ')
    execute(system, "UPDATE log_entries SET entry = ?, leaf_hash = ? WHERE idx = ?", (
        altered, leaf_hash(altered), 42,
    ))  # fmt: skip
    with pytest.raises(LogNotVerified) as refused:
        await replay(system, AsOf(index=10), tmp_path / "r.db", verifier=KEY.verifier)
    # Found through the node's stored tree, which the rewrite left as it was.
    assert "entry 42: it does not match the signed tree" in str(refused.value)
    assert not (tmp_path / "r.db").exists()
