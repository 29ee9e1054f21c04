"""Every ```sh block of README.md and docs/*.md runs as written, in order, on a real node.

The rule (tests/e2e/docs_examples.py): a ```sh block is an example a reader runs, and
is run here; a block that must not run in a test is fenced ```console or ```text. Each
file's blocks run in ONE bash session with `set -euo pipefail`, so a variable one block
sets is seen by the later ones, and the first command that fails (an example ending in
`| jq -e '…'` checks its answer) fails the test with the block and its output.

- README.md and every other file but the operations guide run as a reader of the README
  does: in the checkout after `make run` (a directory with the checkout's `.venv`, as a
  link, and the node's `var/`, made by the Makefile's own `run` recipe: migrate, the
  demo partnership, `coordination serve`), with a PATH that does not have the virtual
  environment (the README's activation line puts it there) and `COORDINATION_PORT` set
  to the node's free port, the one setting the examples read.
- docs/operations.md runs as its "How to read the commands" says: a shell of the node's
  user with the node's settings (`infra/systemd/coordination.env.example`, its database,
  data directory, port and metrics token replaced) and the virtual environment
  activated, in the backups' directory. The guide starts its node itself (section 5).
  Its sections 4 to 12 run on PostgreSQL, in a role and database of their own on the
  suite's server, made as its section 2 makes them; its sections 4, 5, 13 and 14 on SQLite.
"""

from __future__ import annotations

import contextlib
import os
import re
import shlex
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Iterable, Iterator
from pathlib import Path

import httpx
import psycopg
import pytest
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict

from tests.conftest import _load_throwaway_module
from tests.e2e.docs_examples import (
    ROOT,
    UNRUN_SHELL_TAGS,
    blocks,
    documents,
    run_session,
    shell_blocks,
)
from tests.processes import free_port

VENV = Path(sys.prefix)
OPERATIONS = ROOT / "docs" / "operations.md"
#: The operations guide's sections that run on each database (the guide says which).
POSTGRES_SECTIONS = range(4, 13)
SQLITE_SECTIONS = (4, 5, 13, 14)
#: A few answers each file's examples must print, besides their own `jq -e` checks.
EXPECTED = {
    "README.md": [
        "<title>GraphiQL: coordination</title>",
        '"__typename": "ReportProgressPayload"',
        '"code": "INVALID_INPUT"',
        '"field": "percent"',
        "received {",
        "All three municipalities interviewed",
        "OK: the log verifies",
    ],
    "docs/graphql.md": [
        "revoked token",
        '"__typename": "ReportProgressPayload"',
        "received {",
        "Interviews written up",
    ],
}
START_TIMEOUT_S = 60.0


#: Debian's package of each tool the examples use whose package is named otherwise.
PACKAGES = dict.fromkeys(("pg_dump", "pg_restore", "psql"), "postgresql-client")


def _tools(env: dict[str, str], *names: str) -> None:
    missing = [name for name in names if shutil.which(name, path=env["PATH"]) is None]
    if missing:
        packages = sorted({PACKAGES.get(name, name) for name in missing})
        pytest.fail(
            f"the documentation's examples use {', '.join(names)}; not found on the PATH:"
            f" {', '.join(missing)} (Debian: apt-get install {' '.join(packages)})"
        )


def _environment() -> dict[str, str]:
    """This process's environment without the node's settings and without the virtual
    environment, as a reader's shell has it before following the README."""
    bin_dir = str(VENV / "bin")
    env = {k: v for k, v in os.environ.items() if not k.startswith("COORDINATION_")}
    env.pop("VIRTUAL_ENV", None)
    env["PATH"] = os.pathsep.join(p for p in env.get("PATH", "").split(os.pathsep) if p != bin_dir)
    return env


def _make_run_recipe() -> list[list[str]]:
    """The Makefile's `run` recipe, one command a line, `$(BIN)/` the environment's."""
    lines = (ROOT / "Makefile").read_text().splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("run:"))
    recipe = []
    for line in lines[start + 1 :]:
        if not line.startswith("\t"):
            break
        recipe.append(shlex.split(line.strip().replace("$(BIN)/", f"{VENV / 'bin'}/")))
    return recipe


@pytest.fixture(scope="module")
def checkout(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, dict[str, str]]]:
    """The checkout after `make run`: its `.venv`, the node's `var/`, the node serving on
    a free port; with the environment the README's examples get."""
    env = {**_environment(), "COORDINATION_PORT": str(free_port())}
    _tools(env, "curl", "jq")
    if not (VENV / "bin" / "activate").is_file():
        pytest.fail(f"the tests run outside a virtual environment ({VENV}): run `make install`")
    directory = tmp_path_factory.mktemp("checkout")
    (directory / ".venv").symlink_to(VENV)
    *setup, serve = _make_run_recipe()
    assert serve[-1] == "serve", f"the Makefile's run recipe no longer ends in serve: {serve}"
    for command in setup:
        done = subprocess.run(
            command, cwd=directory, env=env, capture_output=True, text=True, check=False
        )
        assert done.returncode == 0, f"{shlex.join(command)}:\n{done.stderr}"
    log_path = directory / "serve.log"
    with log_path.open("w") as log:
        server = subprocess.Popen(
            serve, cwd=directory, env=env, stdout=log, stderr=subprocess.STDOUT
        )
    try:
        _wait_ready(f"http://127.0.0.1:{env['COORDINATION_PORT']}/ready", server, log_path)
        yield directory, env
    finally:
        server.terminate()
        server.wait(timeout=15)


def _wait_ready(url: str, server: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        assert server.poll() is None, log.read_text()
        with contextlib.suppress(httpx.TransportError):
            if httpx.get(url, timeout=2.0).status_code == 200:
                return
        time.sleep(0.05)  # polling a condition with a deadline
    raise AssertionError(f"{url} did not answer 200 within {START_TIMEOUT_S} s")


def _readers_documents() -> list[str]:
    return [
        str(path.relative_to(ROOT))
        for path in documents()
        if path != OPERATIONS and shell_blocks(path)
    ]


def test_runnable_examples_are_fenced_sh() -> None:
    tagged = [
        f"{block.path}:{block.line} ```{block.tag}"
        for path in documents()
        for block in blocks(path)
        if block.tag in UNRUN_SHELL_TAGS
    ]
    assert not tagged, f"fence runnable examples ```sh, others ```console or ```text: {tagged}"


@pytest.mark.parametrize("document", _readers_documents())
def test_a_readers_examples_run_as_written(
    document: str, checkout: tuple[Path, dict[str, str]]
) -> None:
    directory, env = checkout
    output = run_session(shell_blocks(ROOT / document), cwd=directory, env=env, timeout=180)
    for expected in EXPECTED.get(document, []):
        assert expected in output, (
            f"{document}'s examples ran, but did not print {expected!r}; they began so:\n"
            f"{output[:3000]}"
        )


def _operations_settings(data_dir: Path, database_url: str | None) -> str:
    """The node's settings file: the example's lines, with this test's database, data
    directory, port and a metrics token."""
    replaced = {
        "COORDINATION_DATABASE_URL": database_url,
        "COORDINATION_DATA_DIR": str(data_dir),
        "COORDINATION_PORT": str(free_port()),
        "COORDINATION_METRICS_TOKEN": "docs-examples-metrics-token-0123456789abcdef",
    }
    lines = []
    example = ROOT / "infra" / "systemd" / "coordination.env.example"
    for line in example.read_text().splitlines():
        name = line.split("=", 1)[0]
        if name not in replaced:
            lines.append(line)
        elif replaced[name] is not None:
            lines.append(f"{name}={replaced[name]}")
    return "\n".join(lines) + "\n"


def _run_operations(
    tmp_path: Path, sections: Iterable[int], database_url: str | None, tools: tuple[str, ...]
) -> None:
    data_dir = tmp_path / "lib"
    data_dir.mkdir(mode=0o700)
    backups = tmp_path / "backups"
    backups.mkdir(mode=0o700)
    settings = tmp_path / "coordination.env"
    settings.write_text(_operations_settings(data_dir, database_url))
    # The guide's shell: its settings, then the virtual environment; and a partnership's
    # record in the node's database (the demo's), so that a backup has something to keep.
    preamble = (
        f"set -a; . {shlex.quote(str(settings))}; set +a; . {VENV / 'bin' / 'activate'}\n"
        "coordination migrate; coordination demo"
    )
    env = _environment()
    bindir = _load_throwaway_module().find_bindir()
    if bindir is not None:  # pg_dump as new as the server
        env["PATH"] = f"{bindir}{os.pathsep}{env['PATH']}"
    _tools(env, "curl", "tar", *tools)
    output = run_session(
        shell_blocks(OPERATIONS, sections), cwd=backups, env=env, preamble=preamble, timeout=240
    )
    # The log verified against the node, and restored, entries and all; the views too;
    # and the drill's bundle (section 14), where the session runs it.
    end = output[-4000:]
    assert output.count("OK: the log verifies") == 2 + (14 in sections), end
    if 14 in sections:  # the command line wraps its lines: compare the words
        words = " ".join(output.split())
        assert "integrity: alarm raised" in words, end
        assert "the stored event is not the one the log signed" in words, end
    assert int(re.findall(r"tree size +(\d+)", output)[-1]) > 0, end
    assert "replay gives the live views exactly" in output, end


@pytest.fixture
def node_database(postgres_server_url: str) -> Iterator[str]:
    """A role owning a database of its own, and nothing more, as section 2 makes them;
    the URL the node's settings name."""
    name = f"docs_{uuid.uuid4().hex[:12]}"
    password = uuid.uuid4().hex
    role = sql.Identifier(name)
    with psycopg.connect(postgres_server_url, autocommit=True) as admin:
        login = sql.SQL("CREATE ROLE {} LOGIN PASSWORD {}")
        admin.execute(login.format(role, sql.Literal(password)))
        admin.execute(sql.SQL("CREATE DATABASE {} OWNER {}").format(role, role))
    server = conninfo_to_dict(postgres_server_url)
    yield f"postgresql://{name}:{password}@{server['host']}:{server['port']}/{name}"
    with psycopg.connect(postgres_server_url, autocommit=True) as admin:
        admin.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(role))
        admin.execute(sql.SQL("DROP ROLE {}").format(role))


@pytest.mark.postgres
@pytest.mark.timeout(300)
def test_the_operations_guide_runs_on_postgresql(tmp_path: Path, node_database: str) -> None:
    _run_operations(tmp_path, POSTGRES_SECTIONS, node_database, ("pg_dump", "pg_restore", "psql"))


@pytest.mark.timeout(300)
def test_the_operations_guide_runs_on_sqlite(tmp_path: Path) -> None:
    _run_operations(tmp_path, SQLITE_SECTIONS, None, ("sqlite3",))
