"""The pinned files the node's pages load, and how the node serves them.

`coordination ide install` puts them under one directory (`assets_dir`), each at
`<package>@<version>/<path>` as its manifest pins it (`npm_pinned`); the pages name them
by those versioned URLs with their `integrity` hashes, so each is cached for a year.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from starlette.responses import FileResponse, PlainTextResponse, Response

from coordination.ide.npm_pinned import load_manifest
from coordination.settings import Settings

IMMUTABLE = "public, max-age=31536000, immutable"  # the URLs carry each file's version
MEDIA_TYPES = {".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8"}


def assets_dir(settings: Settings) -> Path:
    """Where the pages' files are installed: the settings' `ide_dir`, else a folder of
    the Python environment the node runs in (so `make clean` removes it)."""
    if settings.ide_dir is not None:
        return settings.ide_dir
    return Path(sys.prefix) / "share" / "coordination" / "graphiql"


@dataclass(frozen=True)
class Asset:
    """A file a page loads: its URL below the page's prefix, where it lies, its SRI hash."""

    url: str
    path: Path
    sri: str
    third_party: bool

    @property
    def is_style(self) -> bool:
        return self.url.endswith(".css")


def pinned_assets(manifests: Iterable[Path], directory: Path) -> list[Asset]:
    """The files the manifests pin, as installed under `directory`, in manifest order."""
    return [
        Asset(f"{package.spec}/{file.path}", package.file_path(directory, file), file.sri, True)
        for manifest in manifests
        for package in load_manifest(manifest)
        for file in package.files
    ]


def asset_response(asset: Asset | None, url: str, owner: str) -> Response:
    """One of a page's files, or 404 (naming `owner`, the page) for any other URL."""
    if asset is None or not asset.path.is_file():
        return PlainTextResponse(f"{owner} has no file {url[:200]}", status_code=404)
    headers = {
        "Cache-Control": IMMUTABLE if asset.third_party else "no-cache",
        "X-Content-Type-Options": "nosniff",
    }
    return FileResponse(asset.path, media_type=MEDIA_TYPES[asset.path.suffix], headers=headers)
