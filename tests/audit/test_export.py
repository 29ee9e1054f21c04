"""Export bundles: self-contained, verified offline, and every alteration named."""

from __future__ import annotations

import base64
import hashlib
import json
from pathlib import Path
from typing import Any

import pytest

from coordination.audit.bundle_source import BundleSource
from coordination.audit.checkpoint import Checkpoint, open_checkpoint, sign_checkpoint
from coordination.audit.export import ExportError, export_bundle
from coordination.audit.log import open_audit_log
from coordination.audit.merkle import leaf_hash
from coordination.audit.verify import VerifyReport, verify_log
from coordination.bootstrap import System
from tests.audit.support import ORIGIN, LogNode, node_signer, other_signer

KEY = node_signer()


@pytest.fixture
def bundle(system: System, tmp_path: Path) -> Path:
    node = LogNode(system)
    node.grow(120)
    node.grow(80)
    out = tmp_path / "bundle"
    export_bundle(node.log, out)
    node.close()
    return out


def verify(bundle: Path, **options: object) -> VerifyReport:
    options.setdefault("key", KEY.verifier)
    return verify_log(BundleSource(bundle), **options)  # type: ignore[arg-type]


def lines(bundle: Path) -> list[bytes]:
    return (bundle / "entries.jsonl").read_bytes().splitlines(keepends=True)


def write_lines(bundle: Path, content: list[bytes]) -> None:
    (bundle / "entries.jsonl").write_bytes(b"".join(content))


def test_a_bundle_holds_everything_to_verify_offline(bundle: Path) -> None:
    assert sorted(p.name for p in bundle.iterdir()) == [
        "checkpoint",
        "checkpoints.jsonl",
        "entries.jsonl",
        "key",
        "manifest.json",
    ]
    manifest = json.loads((bundle / "manifest.json").read_text())
    assert manifest["format"] == "coordination-log-bundle/2"
    assert (manifest["origin"], manifest["size"], manifest["counts"]) == (
        ORIGIN,
        200,
        {"entries": 200, "checkpoints": 1},
    )
    for name, digest in manifest["files"].items():
        assert hashlib.sha256((bundle / name).read_bytes()).hexdigest() == digest
    checkpoint = open_checkpoint((bundle / "checkpoint").read_text(), KEY.verifier)
    assert manifest["root"] == base64.b64encode(checkpoint.root_hash).decode()
    assert (bundle / "key").read_text() == f"{KEY.verifier.vkey}\n"
    first = json.loads(lines(bundle)[0])
    assert list(first) == ["entry", "index", "leaf_hash"]
    assert first["index"] == 0
    # The entry is kept as the exact bytes that were hashed.
    entry = first["entry"].encode("utf-8")
    assert base64.b64encode(leaf_hash(entry)).decode() == first["leaf_hash"]


def test_a_bundle_verifies_offline(bundle: Path) -> None:
    report = verify(bundle)
    assert report.ok, report.failures
    assert (report.size, report.entries_checked) == (200, 200)
    assert verify(bundle, key=None).ok  # with the bundle's own key, said so in the report


def test_one_byte_altered_in_a_bundle_names_the_entry(bundle: Path) -> None:
    content = lines(bundle)
    content[137] = content[137].replace(b'"note\\":\\"step ', b'"note\\":\\"Step ')
    write_lines(bundle, content)
    report = verify(bundle)
    assert report.first_bad_index == 137
    assert "do not hash to its leaf hash" in str(report.failures[0])


def test_an_entry_deleted_from_a_bundle(bundle: Path) -> None:
    content = lines(bundle)
    del content[64]
    write_lines(bundle, content)
    report = verify(bundle)
    assert report.first_bad_index == 64
    assert "missing" in str(report.failures[0])


def test_two_entries_swapped_in_a_bundle(bundle: Path) -> None:
    content = lines(bundle)
    content[3], content[5] = content[5], content[3]
    write_lines(bundle, content)
    report = verify(bundle)
    # Both named, as a swap: it was "missing: the next entry given has index 5".
    assert [str(f) for f in report.failures] == [
        "entry 3: swapped with entry 5: entry 3 holds the entry of index 5, and entry 5 the"
        " one of index 3"
    ]


def test_a_truncated_line_is_named(bundle: Path) -> None:
    content = lines(bundle)
    content[12] = content[12][:40] + b"\n"
    write_lines(bundle, content)
    report = verify(bundle)
    assert report.first_bad_index == 12
    assert "line 13 is malformed" in str(report.failures[0])


def test_a_bundle_checkpoint_signed_by_another_key(bundle: Path) -> None:
    checkpoint = Checkpoint.parse((bundle / "checkpoint").read_text().split("\n\n")[0] + "\n")
    (bundle / "checkpoint").write_text(sign_checkpoint(checkpoint, other_signer()))
    report = verify(bundle)
    assert report.entries_checked == 0
    assert "does not verify" in str(report.failures[0])


def test_a_bundle_that_does_not_extend_an_earlier_checkpoint(bundle: Path) -> None:
    fork = sign_checkpoint(Checkpoint(ORIGIN, 120, b"\x13" * 32), KEY)
    report = verify(bundle, earlier=fork)
    assert "does not extend the earlier checkpoint" in str(report.failures[0])


def test_the_earlier_checkpoint_is_checked_by_recomputation(bundle: Path, system: System) -> None:
    log = open_audit_log(
        system.target, system.app, origin=system.settings.origin, verifier=KEY.verifier
    )
    earlier = log.covering_checkpoint(1)
    log.close()
    assert earlier is not None
    assert earlier.size == 120
    report = verify(bundle, earlier=earlier.note)
    assert report.ok, report.failures
    assert report.earlier_size == 120


def test_a_file_missing_from_the_bundle_is_reported_not_a_crash(bundle: Path) -> None:
    # The manifest's check used to fail with FileNotFoundError (a traceback from verify).
    (bundle / "key").unlink()
    report = verify(bundle)  # with a key given: the bundle's own is not needed
    assert not report.ok
    assert [str(f) for f in report.failures] == [
        "key of the bundle cannot be read: No such file or directory"
    ]


def test_a_manifest_that_does_not_match_is_reported(bundle: Path) -> None:
    manifest = json.loads((bundle / "manifest.json").read_text())
    manifest["files"]["key"] = "0" * 64
    (bundle / "manifest.json").write_text(json.dumps(manifest))
    report = verify(bundle)
    assert [str(f) for f in report.failures] == ["key does not have the SHA-256 the manifest gives"]


def test_export_refuses_an_existing_directory(system: System, tmp_path: Path) -> None:
    node = LogNode(system)
    node.grow(5)
    try:
        (tmp_path / "taken").mkdir()
        with pytest.raises(ExportError, match="already exists"):
            export_bundle(node.log, tmp_path / "taken")
    finally:
        node.close()


def test_export_needs_a_checkpoint(system: System, tmp_path: Path) -> None:
    log = open_audit_log(
        system.target, system.app, origin=system.settings.origin, verifier=KEY.verifier
    )
    try:
        with pytest.raises(ExportError, match="no signed checkpoint"):
            export_bundle(log, tmp_path / "b")
    finally:
        log.close()
    assert not (tmp_path / "b").exists()


def rehashed(bundle: Path) -> None:
    """Make the manifest agree with the bundle's files again, as a forger would: nothing
    signs the manifest."""
    manifest = json.loads((bundle / "manifest.json").read_text())
    for name in manifest["files"]:
        digest = hashlib.sha256((bundle / name).read_bytes()).hexdigest()
        manifest["files"][name] = digest
    (bundle / "manifest.json").write_text(json.dumps(manifest))


@pytest.mark.parametrize(
    "extra",
    [
        lambda content: content[-1],  # the last entry again
        lambda content: content[-1].replace(b'"index":199', b'"index":200'),  # a new one
        lambda content: b"not json\n",
        lambda content: b"\n",
    ],
)
def test_lines_after_the_signed_entries_fail_the_bundle(bundle: Path, extra: Any) -> None:
    # They passed: the reader stopped at the checkpoint's size and never looked further,
    # so a bundle could carry made-up entries the signature does not cover.
    content = lines(bundle)
    assert b'"index":199' in content[-1]
    write_lines(bundle, [*content, extra(content)])
    rehashed(bundle)
    report = verify(bundle)
    assert not report.ok
    assert [str(f) for f in report.failures] == [
        "entries.jsonl has 1 line(s) after the 200 entries the checkpoint signs:"
        " nothing vouches for them"
    ]


@pytest.mark.parametrize(
    ("field", "path"), [("size", ["size"]), ("counts.entries", ["counts", "entries"])]
)
def test_a_manifest_that_misstates_the_size_fails_the_bundle(
    bundle: Path, field: str, path: list[str]
) -> None:
    manifest = json.loads((bundle / "manifest.json").read_text())
    holder = manifest
    for key in path[:-1]:
        holder = holder[key]
    holder[path[-1]] = 100
    (bundle / "manifest.json").write_text(json.dumps(manifest))
    report = verify(bundle)
    assert [str(f) for f in report.failures] == [
        f"the manifest's {field} is 100, not the checkpoint's 200"
    ]
