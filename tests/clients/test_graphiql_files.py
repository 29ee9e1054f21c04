"""GraphiQL's files: installed pinned and checked, served by the node with its page, and
never replaced by a CDN when missing."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import httpx
import pytest

from coordination.ide.npm_pinned import (
    PinError,
    PinnedFile,
    install,
    is_installed,
    load_manifest,
    sri,
)
from coordination.ide.page import MANIFEST
from tests.clients.conftest import Node

HTML = {"Accept": "text/html"}


def test_the_page_loads_only_the_nodes_files_each_with_its_hash(node: Node) -> None:
    page = httpx.get(node.graphql, headers=HTML)
    assert page.status_code == 200
    assert "script-src 'self'" in page.headers["content-security-policy"]
    assert "<script>" not in page.text  # nothing inline: the policy allows files only
    loaded = re.findall(r'(?:src|href)="([^"]+)" integrity="([^"]+)"', page.text)
    assert len(loaded) == 8  # React, ReactDOM, GraphiQL and its explorer (each with its
    # styles), the page's own script and styles
    assert not re.search(r'(?:src|href)="(?!/graphql/ide/)', page.text)
    for url, integrity in loaded:
        served = httpx.get(node.base + url)
        assert served.status_code == 200, url
        assert sri(served.content, "sha384") == integrity, url
        if "@" in url:  # a pinned version: the URL changes with it
            assert "immutable" in served.headers["cache-control"]
    assert httpx.get(f"{node.graphql}/ide/react@18.2.0/package.json").status_code == 404


def test_a_tarball_or_a_file_that_is_not_as_pinned_is_refused(tmp_path: Path) -> None:
    react = next(p for p in load_manifest(MANIFEST) if p.name == "react")
    wrong_tarball = replace(react, integrity="sha512-" + "A" * 86 + "==")
    with pytest.raises(PinError, match="not the pinned sha512-AAAA"):
        install([wrong_tarball], tmp_path)
    wrong_file = replace(react, files=(replace(react.files[0], sri="sha384-" + "B" * 64),))
    with pytest.raises(PinError, match="its hash is sha384-tMH8h3"):
        install([wrong_file], tmp_path)
    missing = replace(react, files=(PinnedFile("umd/no-such-file.js", "sha384-x"),))
    with pytest.raises(PinError, match=r"has no file umd/no-such-file\.js"):
        install([missing], tmp_path)
    assert list(tmp_path.iterdir()) == []  # nothing written


def test_installed_files_are_not_fetched_again_and_a_changed_one_is(
    ide_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    packages = load_manifest(MANIFEST)
    said: list[str] = []
    monkeypatch.setenv("PATH", str(tmp_path))  # no npm: nothing may be fetched
    install(packages, ide_dir, say=said.append)
    assert said == [f"{package.spec}: already installed" for package in packages]
    react = packages[0]
    changed = react.file_path(ide_dir, react.files[0])
    original = changed.read_bytes()
    try:
        changed.write_bytes(original + b"\n// changed")
        assert not is_installed(react, ide_dir)
        with pytest.raises(PinError, match="npm was not found"):
            install([react], ide_dir)
    finally:
        changed.write_bytes(original)
    assert is_installed(react, ide_dir)
