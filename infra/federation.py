"""Five partner nodes in one command: `make federation` (this script's `up`) starts se, it,
gr, nl and fi on localhost, each with its own data directory, database and keys,
introduces them to each other through B8 events in their own logs, plays the scenario
and prints what every node shows; `make federation-down` (`down`) stops them and keeps
their data.

Run from the checkout with the project's interpreter:

    .venv/bin/python -m infra.federation up [--root var/federation] [--sqlite-only]
    .venv/bin/python -m infra.federation down [--root var/federation]

`up` starts clean: it stops the nodes of an earlier run, deletes their data and starts
five new ones. The nodes run `coordination serve` as an operator runs it, and are
introduced through their GraphQL APIs (an admin token each, issued by
`coordination tokens issue`); their PostgreSQL server (for it and fi,
when PostgreSQL's binaries are on this machine) runs in the background until `down`.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from infra import federation_postgres
from infra.federation_joint import play
from infra.federation_nodes import (
    ON_POSTGRES,
    PARTNERSHIPS,
    FederationError,
    Node,
    free_port,
    plan,
    prepare,
    save,
    saved,
    start,
    stop,
    wait_ready,
)
from infra.federation_report import report
from infra.federation_scenario import cosigned_by_all, each, introduce

ROOT = Path("var/federation")


STARTED = time.monotonic()


def say(text: str) -> None:
    """Print a line of progress, with the seconds since the launcher started."""
    print(f"[{time.monotonic() - STARTED:5.1f} s] {text}" if text else "", flush=True)


def down(root: Path) -> None:
    """Stop the nodes and the PostgreSQL server of ``root``, keeping their data."""
    nodes = saved(root)
    if nodes:
        # At once: a node ends its partners' long polls (up to 25 s) before it exits.
        with ThreadPoolExecutor(max_workers=len(nodes)) as pool:
            for node, stopped in zip(nodes, pool.map(stop, nodes), strict=True):
                say(f"{node.code}: {'stopped' if stopped else 'was not running'}")
    server = federation_postgres.recorded(root)
    if server is not None:
        server.stop()
        say(f"PostgreSQL stopped; its data is kept in {server.root}")


def launch(root: Path, codes: list[str], postgres: bool) -> list[Node]:
    """Start clean: the nodes of ``codes`` under ``root``, ready and introduced."""
    down(root)
    federation_postgres.remove(root)
    shutil.rmtree(root, ignore_errors=True)
    root.mkdir(parents=True, mode=0o700)
    server = federation_postgres.start(root) if postgres else None
    if server is None:
        say(
            "all nodes on SQLite" + ("" if not postgres else " (no PostgreSQL binaries found here)")
        )
    nodes = plan(
        root,
        codes,
        [free_port() for _ in codes],
        server.create_database if server else None,
    )
    save(root, nodes)
    for node in nodes:
        say(f"{node.code}: {node.url}  origin {node.origin}  {node.backend}  data {node.directory}")
    each(nodes, prepare)
    processes = {node.code: start(node) for node in nodes}
    each(nodes, lambda node: wait_ready(node, processes[node.code]))
    say("all nodes ready; introducing them to each other (B8 events in each one's own log)")
    introduce(nodes)
    return nodes


def up(root: Path, codes: list[str], postgres: bool) -> list[Node]:
    """`launch`, play the scenario, wait until every checkpoint is cosigned by all
    others, and print what every node shows; the nodes."""
    nodes = launch(root, codes, postgres)
    say(
        f"{nodes[0].code} establishes a joint social-accounting group; each node takes its position"
    )
    group = play(nodes)
    say("the joint decision is shown, verified, on every node")
    say("waiting until every node's checkpoint is cosigned by the others")
    cosigned_by_all(nodes)
    print("\n" + report(nodes, group), flush=True)
    print(flush=True)
    say(f"the nodes keep running; stop them with `make federation-down` (data kept in {root})")
    return nodes


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m infra.federation", description=__doc__.split("\n")[0]
    )
    parser.add_argument("command", choices=["up", "down"])
    parser.add_argument("--root", type=Path, default=ROOT, help="where the nodes keep their data")
    parser.add_argument(
        "--sqlite-only", action="store_true", help=f"run {', '.join(ON_POSTGRES)} on SQLite too"
    )
    args = parser.parse_args(argv)
    try:
        if args.command == "down":
            down(args.root)
        else:
            up(args.root, list(PARTNERSHIPS), postgres=not args.sqlite_only)
    except FederationError as error:
        print(f"error: {error}", file=sys.stderr)
        if args.command == "up":
            print("what started keeps running: `make federation-down` stops it", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
