"""Pinned npm packages: fetched by npm, checked against the hashes a manifest pins.

A manifest (TOML) lists `[[package]]` tables, each with the package's `name`, `version`
and `integrity`: the tarball's sha512 as the registry's metadata gives it
(`dist.integrity`). A package with `files` (each a `path` inside the package and its
`sri`, the sha384 a page's `integrity` attribute carries) has only those files written,
under `<target>/<name>@<version>/<path>`; a package without is unpacked whole under
`<target>/node_modules/<name>`, for tools that node runs.

npm fetches each tarball (`npm pack`, from the registry its own configuration names,
mirrors included), so no registry is named here and nothing third-party is committed.
Nothing it fetched is trusted: the tarball's sha512 and every file's sha384 are checked
before anything is written, and a package already in place with the pinned hashes is
not fetched again (so installing twice works offline).
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import shutil
import subprocess
import tarfile
import tempfile
import tomllib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

#: Written beside a package unpacked whole: the integrity it was checked against.
MARKER = ".pinned-integrity"
NPM_TIMEOUT_S = 300
#: No package scripts run (a tarball is only fetched), and only errors are printed.
NPM_QUIETLY = ("--ignore-scripts", "--loglevel=error")


class PinError(RuntimeError):
    """A package could not be fetched, or is not what the manifest pins; says which."""


@dataclass(frozen=True)
class PinnedFile:
    """One file of a package: its path inside the package and its SRI hash (sha384)."""

    path: str
    sri: str


@dataclass(frozen=True)
class PinnedPackage:
    """One npm package at one version, with its tarball's sha512 and the files wanted
    from it (none: the whole package)."""

    name: str
    version: str
    integrity: str
    files: tuple[PinnedFile, ...] = ()

    @property
    def spec(self) -> str:
        """`name@version`, as npm takes it."""
        return f"{self.name}@{self.version}"

    def file_path(self, target: Path, file: PinnedFile) -> Path:
        """Where `file` is installed under `target`."""
        return target / self.spec / file.path

    def package_dir(self, target: Path) -> Path:
        """Where the whole package is unpacked under `target`."""
        return target / "node_modules" / self.name


def load_manifest(path: Path) -> list[PinnedPackage]:
    """The packages a manifest lists, in its order."""
    with path.open("rb") as manifest:
        tables = tomllib.load(manifest).get("package", [])
    return [
        PinnedPackage(
            name=table["name"],
            version=table["version"],
            integrity=table["integrity"],
            files=tuple(PinnedFile(f["path"], f["sri"]) for f in table.get("files", [])),
        )
        for table in tables
    ]


def sri(data: bytes, algorithm: str) -> str:
    """The Subresource Integrity string of `data` (`sha384-<base64>`)."""
    digest = hashlib.new(algorithm, data).digest()
    return f"{algorithm}-{base64.b64encode(digest).decode()}"


def is_installed(package: PinnedPackage, target: Path) -> bool:
    """Whether `package` is in place under `target` with the pinned hashes."""
    if not package.files:
        marker = package.package_dir(target) / MARKER
        return marker.is_file() and marker.read_text().strip() == package.integrity
    for file in package.files:
        path = package.file_path(target, file)
        if not path.is_file() or sri(path.read_bytes(), "sha384") != file.sri:
            return False
    return True


def install(
    packages: Iterable[PinnedPackage],
    target: Path,
    *,
    say: Callable[[str], None] = lambda _: None,
) -> None:
    """Install every package under `target` that is not already there as pinned.

    Args:
        packages: What to install (`load_manifest`).
        target: The directory to install under; created if missing.
        say: Told, in a line, what is done for each package.

    Raises:
        PinError: npm is missing or failed, or a tarball or file is not as pinned;
            nothing of that package is written.
    """
    for package in packages:
        if is_installed(package, target):
            say(f"{package.spec}: already installed")
            continue
        tarball = _fetched(package)
        if package.files:
            _write_files(package, tarball, target)
        else:
            _unpack_whole(package, tarball, target)
        say(f"{package.spec}: installed, sha512 and sha384 checked")


def _fetched(package: PinnedPackage) -> bytes:
    """The package's tarball, fetched by npm, whose sha512 is the pinned one."""
    npm = shutil.which("npm")
    if npm is None:
        raise PinError(
            "npm was not found: it fetches the pinned packages from the npm registry. Install"
            " Node.js with npm (Debian/Ubuntu: apt-get install npm) and run this again."
        )
    with tempfile.TemporaryDirectory(prefix="pinned-npm-") as scratch:
        # The spec comes from the project's own manifest, not from a caller.
        done = subprocess.run(  # noqa: S603
            [npm, "pack", package.spec, "--pack-destination", scratch, "--json", *NPM_QUIETLY],
            capture_output=True,
            text=True,
            check=False,
            timeout=NPM_TIMEOUT_S,
            cwd=scratch,
        )
        if done.returncode != 0:
            raise PinError(f"npm could not fetch {package.spec}: {done.stderr.strip()[-500:]}")
        filename = str(json.loads(done.stdout)[0]["filename"])
        data = (Path(scratch) / filename).read_bytes()
    found = sri(data, "sha512")
    if found != package.integrity:
        raise PinError(
            f"{package.spec}: the tarball's hash is {found}, not the pinned {package.integrity}"
        )
    return data


def _members(tarball: bytes) -> Iterable[tuple[PurePosixPath, tarfile.TarFile, tarfile.TarInfo]]:
    """Each regular file of a package tarball, by its path inside the package (npm
    tarballs put everything under one top folder, usually `package/`)."""
    with tarfile.open(fileobj=io.BytesIO(tarball), mode="r:gz") as archive:
        for member in archive.getmembers():
            parts = PurePosixPath(member.name).parts[1:]
            if not member.isfile() or not parts:
                continue  # folders are made as needed; links and devices are never written
            if ".." in parts or PurePosixPath(member.name).is_absolute():
                raise PinError(f"the tarball names a path outside its package: {member.name!r}")
            yield PurePosixPath(*parts), archive, member


def _read(archive: tarfile.TarFile, member: tarfile.TarInfo) -> bytes:
    stream = archive.extractfile(member)
    assert stream is not None  # a regular file
    return stream.read()


def _write_files(package: PinnedPackage, tarball: bytes, target: Path) -> None:
    wanted = {PurePosixPath(file.path): file for file in package.files}
    contents: dict[PurePosixPath, bytes] = {}
    for path, archive, member in _members(tarball):
        if path in wanted:
            contents[path] = _read(archive, member)
    for path, file in wanted.items():
        data = contents.get(path)
        if data is None:
            raise PinError(f"{package.spec} has no file {file.path}")
        found = sri(data, "sha384")
        if found != file.sri:
            raise PinError(f"{package.spec}/{file.path}: its hash is {found}, not {file.sri}")
    for path, file in wanted.items():
        _write_atomically(package.file_path(target, file), contents[path])


def _unpack_whole(package: PinnedPackage, tarball: bytes, target: Path) -> None:
    final = package.package_dir(target)
    final.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".unpacking-", dir=final.parent))
    try:
        for path, archive, member in _members(tarball):
            destination = staging.joinpath(*path.parts)
            destination.parent.mkdir(parents=True, exist_ok=True)
            destination.write_bytes(_read(archive, member))
        (staging / MARKER).write_text(package.integrity + "\n")
        if final.exists():
            shutil.rmtree(final)
        staging.rename(final)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _write_atomically(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    partial.write_bytes(data)
    partial.replace(path)
