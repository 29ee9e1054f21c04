"""A bundle's every field checked, the checkpoints it carries, and a log with a hole refused.

Nothing signs a bundle's manifest, and an entry rewritten together with its leaf hash
keeps every line of the bundle consistent: what the signed checkpoints carried along the
way give, and what the bytes themselves contradict, say where.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest
from pydantic import SecretStr
from rich.console import Console

from coordination.audit.bundle_source import BundleSource
from coordination.audit.canonical import canonical_json
from coordination.audit.checkpoint import Checkpoint, open_checkpoint, sign_checkpoint
from coordination.audit.export import ExportError, export_bundle
from coordination.audit.merkle import leaf_hash
from coordination.audit.verify import VerifyReport, verify_log
from coordination.bootstrap import System
from coordination.cli.audit import export
from coordination.settings import Settings
from tests.audit.support import ORIGIN, LogNode, node_signer, other_signer

KEY = node_signer()
#: Growths of the node in the small bundle: checkpoints at 90, 180, 270 and 320 entries.
GROWTHS = (90, 90, 90, 50)


@pytest.fixture
def node(system: System) -> Iterator[LogNode]:
    made = LogNode(system)
    yield made
    made.close()


@pytest.fixture
def bundle(node: LogNode, tmp_path: Path) -> Path:
    """A bundle that carries a checkpoint at or below every 100 entries."""
    for count in GROWTHS:
        node.grow(count)
    out = tmp_path / "bundle"
    export_bundle(node.log, out, spacing=100)
    return out


def verify(bundle: Path, **options: Any) -> VerifyReport:
    options.setdefault("key", KEY.verifier)
    return verify_log(BundleSource(bundle), **options)


def failures(bundle: Path) -> list[str]:
    return [str(f) for f in verify(bundle).failures]


def manifest(bundle: Path) -> dict[str, Any]:
    found: dict[str, Any] = json.loads((bundle / "manifest.json").read_text())
    return found


def write_manifest(bundle: Path, content: dict[str, Any]) -> None:
    (bundle / "manifest.json").write_text(json.dumps(content))


def rehashed(bundle: Path) -> None:
    """The manifest made to agree with the files again, as a forger would."""
    content = manifest(bundle)
    for name in content["files"]:
        content["files"][name] = hashlib.sha256((bundle / name).read_bytes()).hexdigest()
    write_manifest(bundle, content)


def rewrite_entry(bundle: Path, index: int, change: Callable[[dict[str, Any]], None]) -> None:
    """Rewrite entry ``index`` and its leaf hash together, as a forger would."""
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


def test_the_bundle_carries_the_checkpoints_signed_along_the_way(bundle: Path) -> None:
    lines = (bundle / "checkpoints.jsonl").read_text().splitlines()
    carried = [json.loads(line) for line in lines]
    assert [c["size"] for c in carried] == [90, 180, 270, 320]
    for each in carried:
        assert open_checkpoint(each["note"], KEY.verifier, origin=ORIGIN).size == each["size"]
    assert carried[-1]["note"] == (bundle / "checkpoint").read_text()
    assert manifest(bundle)["counts"] == {"entries": 320, "checkpoints": 4}
    report = verify(bundle)
    assert report.ok, report.failures
    assert report.carried == 3  # the final one is the bundle's checkpoint itself


def test_by_default_a_checkpoint_at_least_every_ten_thousand_entries(
    node: LogNode, tmp_path: Path
) -> None:
    for _ in range(3):
        node.grow(9000)
    node.grow(4000)
    export_bundle(node.log, tmp_path / "big")
    lines = (tmp_path / "big" / "checkpoints.jsonl").read_text().splitlines()
    sizes = [json.loads(line)["size"] for line in lines]
    # The latest at or below 10 000, 20 000 and 30 000 entries, and the final one.
    assert sizes == [9000, 18000, 27000, 31000]
    assert verify(tmp_path / "big").ok


def test_an_entry_rewritten_with_its_leaf_hash_is_narrowed_to_the_checkpoint_it_breaks(
    bundle: Path,
) -> None:
    def new_note(envelope: dict[str, Any]) -> None:
        envelope["data"]["note"] = "rewritten"

    rewrite_entry(bundle, 200, new_note)
    # Every line agrees with itself and the manifest with the files: only the roots say.
    assert failures(bundle) == [
        "entries 180 to 269: the first 270 entries do not give the root of the signed"
        " checkpoint of size 270 (the first 180 give the carried checkpoint of size 180);"
        " one of them was rewritten, its leaf hash with it"
    ]


def test_the_rewritten_entry_is_named_when_its_bytes_give_it_away(bundle: Path) -> None:
    def other_version(envelope: dict[str, Any]) -> None:
        envelope["streamversion"] = 1

    rewrite_entry(bundle, 200, other_version)
    report = verify(bundle)
    assert report.first_bad_index == 200
    assert [str(f) for f in report.failures] == [
        "entry 200: its streamversion 1 does not follow its stream's previous entry (20);"
        " the first 270 entries do not give the root of the signed checkpoint of size 270"
        " (the first 180 give the carried checkpoint of size 180): it was rewritten, its"
        " leaf hash with it"
    ]


def test_a_rewrite_after_the_last_carried_checkpoint_is_narrowed_to_the_final_one(
    bundle: Path,
) -> None:
    rewrite_entry(bundle, 300, lambda envelope: envelope["data"].update(note="x"))
    assert failures(bundle) == [
        "entries 270 to 319: the first 320 entries do not give the root of the signed"
        " checkpoint of size 320 (the first 270 give the carried checkpoint of size 270);"
        " one of them was rewritten, its leaf hash with it"
    ]


def test_a_carried_checkpoint_that_does_not_verify_is_named(bundle: Path) -> None:
    lines = (bundle / "checkpoints.jsonl").read_text().splitlines()
    forged = sign_checkpoint(Checkpoint(ORIGIN, 180, b"\x01" * 32), other_signer())
    lines[1] = json.dumps({"note": forged, "size": 180})
    (bundle / "checkpoints.jsonl").write_text("\n".join(lines) + "\n")
    rehashed(bundle)
    found = failures(bundle)
    assert len(found) == 1
    assert found[0].startswith("the carried checkpoint of size 180 does not verify:")


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("root", base64.b64encode(b"\x07" * 32).decode(), "the manifest's root is 'BwcH"),
        ("origin", "elsewhere.example/log", "the manifest's origin is 'elsewhere.example/log'"),
        ("format", "coordination-log-bundle/9", "the manifest's format is"),
        ("created_at", "2020-01-01T00:00:00Z", "is before its last entry was recorded"),
        (
            "created_at",
            "2999-01-01T00:00:00Z",
            "the manifest's created_at 2999-01-01T00:00:00Z is in",
        ),
        ("created_at", "yesterday", "is not an RFC 3339 time with a zone"),
        (
            "counts",
            {"entries": 320, "checkpoints": 3},
            "counts.checkpoints is 3, not the bundle's 4",
        ),
        ("signed_by", "me", "a field the bundle format does not define: 'signed_by'"),
    ],
)
def test_every_field_of_the_manifest_is_checked(
    bundle: Path, field: str, value: Any, expected: str
) -> None:
    content = manifest(bundle)
    content[field] = value
    write_manifest(bundle, content)
    found = failures(bundle)
    assert len(found) == 1, found
    assert expected in found[0]


def test_a_manifest_that_lists_a_file_too_many_or_lacks_a_field(bundle: Path) -> None:
    content = manifest(bundle)
    content["files"]["extra"] = "0" * 64
    del content["created_at"]
    write_manifest(bundle, content)
    assert failures(bundle) == [
        "the manifest has no 'created_at'",
        "the manifest lists a file the bundle format does not have: 'extra'",
    ]


def test_a_bundle_of_the_first_format_still_verifies(bundle: Path) -> None:
    (bundle / "checkpoints.jsonl").unlink()
    content = manifest(bundle)
    content["format"] = "coordination-log-bundle/1"
    content["counts"] = {"entries": 320}
    del content["files"]["checkpoints.jsonl"]
    write_manifest(bundle, content)
    report = verify(bundle)
    assert report.ok, report.failures
    assert report.carried == 0


def with_key(node: LogNode) -> Settings:
    """The node's settings, with its signing key (given as the secret setting)."""
    return node.system.settings.model_copy(update={"signing_key": SecretStr(KEY.skey())})


def test_export_refuses_a_log_with_a_hole_and_names_it(node: LogNode, tmp_path: Path) -> None:
    node.grow(195)
    node.execute("DELETE FROM log_entries WHERE idx = 120")
    with pytest.raises(ExportError, match="entry 120 is missing from the stored log"):
        export_bundle(node.log, tmp_path / "holed")
    assert not (tmp_path / "holed").exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".holed")] == []
    # The command says so, and no count: it printed "exported 195 entries" for 194.
    console = Console(record=True, width=200)
    assert export(with_key(node), tmp_path / "by-command", console=console) == 1
    said = console.export_text()
    assert "entry 120 is missing from the stored log" in said
    assert "exported 19" not in said
    assert not (tmp_path / "by-command").exists()


def test_export_prints_the_counts_of_its_manifest(node: LogNode, tmp_path: Path) -> None:
    node.grow(30)
    console = Console(record=True, width=200)
    assert export(with_key(node), tmp_path / "ok", console=console) == 0
    counts = manifest(tmp_path / "ok")["counts"]
    assert f"exported {counts['entries']} entries and {counts['checkpoints']} checkpoints" in (
        console.export_text()
    )
