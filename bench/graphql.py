"""Benchmark: the GraphQL API over real HTTP, beside baselines measured in the same run.

A working group with six member organisations, 20 called decisions with a position from
every member, and 20 actions. A uvicorn server (in a subprocess, so that clients and
server do not share one interpreter lock) serves the node's app; clients, each on its
own keep-alive connection, send at 1 and 32 concurrently:

- the working-group page query (group, members, 20 decisions with their positions,
  20 actions, with the organisations named) as the group's convenor;
- baseline 1: a plain FastAPI JSON endpoint doing the same reads through the same view
  query functions (the cost of GraphQL itself is the difference);
- baseline 2: a trivial GraphQL query (`{ __typename }`): the HTTP and GraphQL floor;
- a mutation (`reportProgress`, which waits until the views include it);
- mutation-to-visible: a mutation is sent, then the action is queried until the new
  progress note shows; the time from sending to seeing it. At 32 clients, the CPU each
  such pair costs the server and the whole machine (read from /proc), and the bounds on
  the mean latency that follow from it (`cpu_budget`).

The clients speak plain HTTP/1.1 over asyncio streams (`RawClient`): httpx costs a
client process so much CPU per request that on two cores 32 httpx clients measured
themselves, not the server (docs/performance.md).

The node runs as configured for production (result cache on: see
docs/decisions/0009-graphql-result-cache.md); the page is then measured again on a
server with the result cache off, where every request executes in full. On PostgreSQL
the whole node (`coordination serve`, audit integrator included) is measured too: with
one worker process and with two, the integrator running as a process of its own beside
them (serve's default there), and with one worker integrating in a thread of its own.

Writes bench/results/graphql.json and prints a table. PostgreSQL comes from
COORDINATION_TEST_DATABASE_URL (`make bench` starts a durable throwaway server):

    python infra/throwaway_postgres.py --durable -- python bench/graphql.py
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
# Run as a script, this file's folder comes first on the path, and this file's name would
# shadow the `graphql` package that strawberry imports: put the repository there instead.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).parent]
sys.path.insert(0, str(ROOT))

from bench.common import fresh_url, percentile, row  # noqa: E402
from coordination.audit.keys import keys_dir  # noqa: E402
from coordination.auth.principal import Role  # noqa: E402
from coordination.auth.tokens import TokenKeys, issue_token  # noqa: E402
from coordination.bootstrap import bootstrap  # noqa: E402
from coordination.domain.context import Context  # noqa: E402
from coordination.runtime import tune_garbage_collection  # noqa: E402
from coordination.settings import Settings  # noqa: E402

RESULTS = Path(__file__).parent / "results" / "graphql.json"
ORIGIN = "bench.example/coordination/log"
MEMBERS = 6
DECISIONS = 20
ACTIONS = 20
REQUESTS = {1: 200, 32: 640}
MUTATIONS = {1: 100, 32: 320}
VISIBLE = {1: 60, 32: 192}
UNCACHED = {1: 100, 32: 256}
RAW = {1: 500, 32: 1600}

PAGE = """
query GroupPage($id: UUID!) {
  workingGroup(uuid: $id) {
    name purpose decides defaultRule memberCount
    convenorOrganisation { name }
    members(first: 20) { edges { node { name kind active } } }
    decisions(first: 20) {
      edges { node {
        title status inForce
        tally { electorate counted agree abstain disagree block }
        positions(first: 20) { edges { node { position reason organisation { name } } } }
      } }
    }
    actions(first: 20) {
      edges { node { description dueOn status progress owner { name } } }
    }
  }
}
"""
TRIVIAL = "query Trivial { __typename }"
REPORT = """
mutation Report($input: ReportProgressInput!) {
  reportProgress(input: $input) {
    __typename ... on ReportProgressPayload { version projected }
    ... on UserError { message }
  }
}
"""
NOTE = "query Note($id: UUID!) { action(uuid: $id) { lastNote } }"


# -- the data -------------------------------------------------------------------------


def prepare(url: str, data_dir: Path) -> dict[str, Any]:
    """Load the working group, its decisions and actions; returns ids and tokens."""
    settings = Settings(database_url=url, data_dir=data_dir, origin=ORIGIN)
    system = bootstrap(settings)
    app = system.app
    start = datetime.now(UTC) - timedelta(days=30)
    admin = uuid.uuid4()

    def secretariat() -> Context:
        return Context(actor=str(admin), origin=ORIGIN, occurred_at=start)

    partnership = app.establish_partnership(
        secretariat(),
        name="Bench partnership",
        programme="ESF",
        region="Stockholm county",
        period_start=start.date(),
        period_end=start.date() + timedelta(days=900),
    ).stream_id
    theme = app.define_theme(secretariat(), partnership, name="Support services").created_id
    assert theme is not None
    orgs: list[tuple[uuid.UUID, uuid.UUID]] = []
    for number in range(MEMBERS):
        org = app.admit_member(
            secretariat(), partnership, name=f"Member {number}", kind="cooperative"
        ).created_id
        assert org is not None
        rep = uuid.uuid4()
        app.appoint_representative(
            secretariat(), partnership, member_id=org, person_id=rep, starts_on=start.date()
        )
        orgs.append((org, rep))

    def member(org: uuid.UUID, rep: uuid.UUID) -> Context:
        return Context(actor=str(rep), origin=ORIGIN, acting_for=org, occurred_at=start)

    group = app.convene_working_group(
        secretariat(),
        partnership,
        theme_id=theme,
        name="Business development / public procurement",
        purpose="Why social enterprises lose public tenders",
        decides="Recommendations to the partnership",
        default_rule="consent",
    ).stream_id
    for org, rep in orgs:
        app.join_working_group(member(org, rep), group)
    convenor_org, convenor = orgs[0]
    app.appoint_convenor(secretariat(), group, person_id=convenor, member_id=convenor_org)
    for number in range(DECISIONS):
        decision = app.table_proposal(
            member(*orgs[number % MEMBERS]),
            partnership_id=partnership,
            forum_kind="working_group",
            forum_id=group,
            title=f"Recommendation {number}",
            text="Members recommend social clauses in calls for tenders.",
            rationale="Findings of the tender study",
        ).stream_id
        app.call_decision(
            secretariat(),
            decision,
            rule="consent",
            quorum_percent=50,
            closes_at=datetime.now(UTC) + timedelta(days=60),
        )
        for index, (org, rep) in enumerate(orgs):
            position = "disagree" if index == number % MEMBERS else "agree"
            reason = "Not as drafted" if position == "disagree" else None
            app.take_position(member(org, rep), decision, position=position, reason=reason)
    actions = [
        app.assign_action(
            secretariat(),
            partnership_id=partnership,
            group_id=group,
            owner_id=orgs[number % MEMBERS][0],
            description=f"Action {number}",
            due_on=start.date() + timedelta(days=30 + number),
        ).created_id
        for number in range(ACTIONS + 32)
    ]
    head = app.recorder.max_notification_id() or 0
    system.close()
    keys = TokenKeys.load_or_create(keys_dir(settings), ORIGIN)
    token = issue_token(
        keys, role=Role.CONVENOR, person=convenor, org=convenor_org, groups=(group,)
    )
    return {"group": str(group), "actions": [str(a) for a in actions], "token": token, "head": head}


# -- the server (a subprocess) --------------------------------------------------------


def serve(url: str, data_dir: str, port: int, result_cache: int) -> None:
    """The node's app, as the lead wires it, plus the plain-JSON baseline endpoint."""
    import uvicorn
    from fastapi import FastAPI
    from fastapi.responses import Response

    from coordination.bootstrap.graphql import start_graphql
    from coordination.bootstrap.node import start_projections
    from coordination.graphql.context import GraphQLConfig
    from coordination.graphql.router import GraphQLApi
    from coordination.http.lane import NodeApp
    from coordination.http.metrics import metrics_router
    from coordination.http.middleware import install_middleware
    from coordination.observability import Metrics
    from coordination.projections.queries import actions, decisions, forums

    if os.environ.get("SWITCH"):
        sys.setswitchinterval(float(os.environ["SWITCH"]))
    tune_garbage_collection()  # as `coordination serve` does
    settings = Settings(database_url=url, data_dir=Path(data_dir), origin=ORIGIN, env="production")
    system = bootstrap(settings, create_tables=False)
    metrics = Metrics()
    config = GraphQLConfig(production=True, result_cache_size=result_cache)
    api = GraphQLApi(settings, metrics=metrics, config=config)
    state: dict[str, Any] = {}

    @contextlib.asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        projections = await start_projections(system)
        head = system.app.recorder.max_notification_id() or 0
        assert await projections.runner.wait_until(head, 300), "the views did not catch up"
        await start_graphql(api, system, db=projections.db, runner=projections.runner)
        state["db"] = projections.db
        yield
        await api.stop()
        await projections.stop()
        system.close()

    app = NodeApp(lifespan=lifespan)
    app.include_router(api.router)
    app.include_router(metrics_router(metrics))
    install_middleware(app, metrics, graphql=api)

    @app.get("/baseline/group/{group_id}")
    async def baseline(group_id: uuid.UUID) -> Response:
        """The page's reads through the same query functions, as plain JSON."""
        db = state["db"]
        today = datetime.now(UTC).date()
        group = await forums.get_forum(db, group_id)
        assert group is not None
        names: dict[uuid.UUID, str] = {}

        async def name(org: uuid.UUID | None) -> str | None:
            if org is None:
                return None
            if org not in names:
                found = await forums.get_organisation(db, org)
                names[org] = found.name if found else ""
            return names[org]

        members = await forums.list_forum_members(db, group_id, first=20)
        page = await decisions.list_decisions(db, forum_id=group_id, first=20)
        listed = []
        for decision in page.nodes:
            positions = await decisions.list_positions(db, decision.id, first=20)
            listed.append(
                {
                    **dataclasses.asdict(decision),
                    "positions": [
                        {**dataclasses.asdict(p), "organisation": await name(p.organisation_id)}
                        for p in positions.nodes
                    ],
                }
            )
        tasks = await actions.list_actions(db, today=today, group_id=group_id, first=20)
        body = {
            "group": {
                **dataclasses.asdict(group),
                "convenor": await name(group.convenor_organisation_id),
            },
            "members": [dataclasses.asdict(m) for m in members.nodes],
            "decisions": listed,
            "actions": [
                {**dataclasses.asdict(a), "owner": await name(a.owner_id)} for a in tasks.nodes
            ],
        }
        return Response(json.dumps(body, default=str), media_type="application/json")

    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)


# -- the clients ----------------------------------------------------------------------


class RawClient:
    """A minimal keep-alive HTTP/1.1 client: one connection, one request at a time.

    httpx costs a client process so much CPU per request that on a two-core machine the
    clients measure themselves; this client costs almost nothing, so what it measures is
    the server's capacity.
    """

    def __init__(self, base: str) -> None:
        host, port = base.removeprefix("http://").split(":")
        self.host, self.port = host, int(port)
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def __aenter__(self) -> RawClient:
        self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        return self

    async def __aexit__(self, *_: object) -> None:
        assert self.writer is not None
        self.writer.close()
        await self.writer.wait_closed()

    async def request(self, method: str, path: str, body: bytes = b"", headers: str = "") -> bytes:
        """Send one request; the response body (the status must be 200)."""
        assert self.reader is not None
        assert self.writer is not None
        self.writer.write(
            f"{method} {path} HTTP/1.1\r\nHost: {self.host}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
            f"{headers}\r\n".encode()
            + body
        )
        await self.writer.drain()
        status = await self.reader.readline()
        assert b" 200 " in status, status
        length = 0
        while (line := await self.reader.readline()) != b"\r\n":
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":")[1])
        return await self.reader.readexactly(length)

    async def graphql(self, body: bytes, headers: str = "") -> dict[str, Any]:
        """POST /graphql; the decoded response."""
        answer: dict[str, Any] = json.loads(await self.request("POST", "/graphql", body, headers))
        return answer


async def load(
    clients: int,
    total: int,
    op: Callable[[RawClient, int, int], Awaitable[float | None]],
    base: str,
) -> dict[str, float]:
    """Run `total` operations over `clients` concurrent clients; latency of each, in ms.

    An operation may return its own latency (mutation-to-visible measures from sending
    the mutation to the query that shows it); otherwise the whole call is timed.
    """
    latencies: list[float] = []
    per_client = total // clients

    async def client(number: int) -> None:
        async with RawClient(base) as http:
            for k in range(per_client):
                started = time.perf_counter()
                measured = await op(http, number, k)
                latencies.append(
                    measured if measured is not None else (time.perf_counter() - started) * 1000
                )

    started = time.perf_counter()
    await asyncio.gather(*(client(n) for n in range(clients)))
    wall = time.perf_counter() - started
    return {
        "throughput": len(latencies) / wall,
        "p50_ms": statistics.median(latencies),
        "p99_ms": percentile(latencies, 0.99),
    }


@dataclasses.dataclass(frozen=True)
class CpuSample:
    """CPU seconds so far: the machine's busy time (all cores), one process's, this one's."""

    machine: float
    server: float
    clients: float

    @classmethod
    def take(cls, pid: int) -> CpuSample | None:
        """Read from /proc (Linux); None where it cannot be read."""
        try:
            with open("/proc/stat") as stat:
                ticks = [int(t) for t in stat.readline().split()[1:]]
            with open(f"/proc/{pid}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:
            return None
        per_second = os.sysconf("SC_CLK_TCK")
        # user, nice, system, irq, softirq: not idle, I/O wait, or time the host took.
        busy = ticks[0] + ticks[1] + ticks[2] + ticks[5] + ticks[6]
        return cls(
            machine=busy / per_second,
            server=(int(fields[11]) + int(fields[12])) / per_second,
            clients=time.process_time(),
        )


async def load_metered(
    clients: int,
    total: int,
    op: Callable[[RawClient, int, int], Awaitable[float | None]],
    base: str,
    server_pid: int,
) -> dict[str, float]:
    """`load`, with the CPU milliseconds each operation cost: the server's, the clients'
    and the whole machine's (the database and everything else running included)."""
    before = CpuSample.take(server_pid)
    figures = await load(clients, total, op, base)
    after = CpuSample.take(server_pid)
    if before is not None and after is not None:
        for part in ("machine", "server", "clients"):
            spent = getattr(after, part) - getattr(before, part)
            figures[f"{part}_cpu_ms"] = spent * 1000 / total
    return figures


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


async def wait_ready(base: str, server: subprocess.Popen[bytes]) -> None:
    async with httpx.AsyncClient(base_url=base) as http:
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            if server.poll() is not None:
                raise RuntimeError("the benchmark server exited")
            with contextlib.suppress(httpx.HTTPError):
                if (await http.post("/graphql", json={"query": TRIVIAL})).status_code == 200:
                    return
            await asyncio.sleep(0.1)
    raise RuntimeError("the benchmark server did not start")


@contextlib.asynccontextmanager
async def serving(server: subprocess.Popen[bytes], base: str) -> AsyncIterator[None]:
    """Wait until `server` answers at `base`; stop it when done."""
    try:
        await wait_ready(base, server)
        yield
    finally:
        server.terminate()
        server.wait(30)


@contextlib.asynccontextmanager
async def running_server(
    url: str, data_dir: Path, result_cache: int
) -> AsyncIterator[tuple[str, int]]:
    """The benchmark server in a subprocess; yields its base URL and its process id."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    command = [sys.executable, __file__, "--serve", url, str(data_dir), str(port)]
    server = subprocess.Popen([*command, str(result_cache)])
    async with serving(server, base):
        yield base, server.pid


@contextlib.asynccontextmanager
async def running_workers(
    url: str, data_dir: Path, workers: int, *, integrate: str = "auto"
) -> AsyncIterator[str]:
    """The node's own app as `coordination serve --workers N` runs it; yields its URL.

    `integrate` is `COORDINATION_INTEGRATE`: `auto` (serve's default) runs the log's
    integrator as a process of its own beside the workers on PostgreSQL; `thread` runs it
    in a thread of each worker, as `serve` did before."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "COORDINATION_DATABASE_URL": url,
        "COORDINATION_DATA_DIR": str(data_dir),
        "COORDINATION_ORIGIN": ORIGIN,
        "COORDINATION_ENV": "production",
        "COORDINATION_WORKERS": str(workers),
        "COORDINATION_PORT": str(port),
        "COORDINATION_INTEGRATE": integrate,
        "PYTHONPATH": str(ROOT),
    }
    cli = str(Path(sys.executable).parent / "coordination")
    # The node's signing key: made by the first run, kept by the next (init refuses).
    subprocess.run([cli, "keys", "init"], env=env, check=False, capture_output=True)
    subprocess.run([cli, "keys", "show"], env=env, check=True, capture_output=True)
    server = subprocess.Popen([cli, "serve"], env=env, stderr=subprocess.DEVNULL)
    async with serving(server, base):
        yield base


async def load_mixed(
    readers: int, writes: int, ops: Operations, base: str
) -> tuple[dict[str, float], dict[str, float]]:
    """One client writes (mutation-to-visible) while `readers` clients read the page.

    Every write moves the views, so the readers' cached page is dropped and computed
    again: the write's visibility is measured under the full read load. Returns the
    writer's figures and the readers'.
    """
    done = asyncio.Event()
    read: list[float] = []

    async def reader() -> None:
        async with RawClient(base) as http:
            while not done.is_set():
                started = time.perf_counter()
                await ops.page(http, 0, 0)
                read.append((time.perf_counter() - started) * 1000)

    async def writer() -> dict[str, float]:
        try:
            return await load(1, writes, ops.visible, base)
        finally:
            done.set()

    started = time.perf_counter()
    results = await asyncio.gather(writer(), *(reader() for _ in range(readers)))
    wall = time.perf_counter() - started
    readers_figures = {
        "throughput": len(read) / wall,
        "p50_ms": statistics.median(read),
        "p99_ms": percentile(read, 0.99),
    }
    return results[0], readers_figures


class Operations:
    """The requests of the benchmark, for one prepared data set."""

    def __init__(self, ids: dict[str, Any]) -> None:
        self.ids = ids
        self.auth = f"Authorization: Bearer {ids['token']}\r\n"
        self.page_body = json.dumps({"query": PAGE, "variables": {"id": ids["group"]}}).encode()
        self.trivial_body = json.dumps({"query": TRIVIAL}).encode()

    async def until_views_are_built(self, base: str, timeout: float = 300) -> None:
        """Wait until a node started on an unprojected schema shows the working group."""
        async with RawClient(base) as http, asyncio.timeout(timeout):
            while (await http.graphql(self.page_body, self.auth))["data"]["workingGroup"] is None:
                await asyncio.sleep(0.2)

    async def page(self, http: RawClient, _: int, __: int) -> None:
        body = await http.graphql(self.page_body, self.auth)
        assert "errors" not in body, body
        assert len(body["data"]["workingGroup"]["decisions"]["edges"]) == DECISIONS

    async def rest(self, http: RawClient, _: int, __: int) -> None:
        response = await http.request("GET", f"/baseline/group/{self.ids['group']}")
        assert len(json.loads(response)["decisions"]) == DECISIONS

    async def trivial(self, http: RawClient, _: int, __: int) -> None:
        assert (await http.graphql(self.trivial_body))["data"]["__typename"] == "Query"

    def _report(self, client: int, k: int, note: str) -> bytes:
        action = self.ids["actions"][client]
        variables = {"input": {"actionId": action, "percent": k % 100, "note": note}}
        return json.dumps({"query": REPORT, "variables": variables}).encode()

    async def report(self, http: RawClient, client: int, k: int) -> None:
        response = await http.graphql(self._report(client, k, f"{client}.{k}"), self.auth)
        outcome = response["data"]["reportProgress"]
        assert outcome["__typename"] == "ReportProgressPayload", outcome

    async def visible(self, http: RawClient, client: int, k: int) -> float:
        """Milliseconds from sending a mutation to a query that shows it."""
        action = self.ids["actions"][client]
        note = f"visible {client}.{k}.{uuid.uuid4().hex[:6]}"
        query = json.dumps({"query": NOTE, "variables": {"id": action}}).encode()
        started = time.perf_counter()
        await http.graphql(self._report(client, k, note), self.auth)
        while (await http.graphql(query, self.auth))["data"]["action"]["lastNote"] != note:
            pass
        return (time.perf_counter() - started) * 1000


async def measure(backend: str, url: str, data_dir: Path) -> list[dict[str, Any]]:
    ops = Operations(prepare(url, data_dir))
    rows: list[dict[str, Any]] = []
    async with running_server(url, data_dir, 256) as (base, server_pid):
        for clients in (1, 32):
            label = f"{backend}, {clients} client{'s' if clients > 1 else ''}"
            await load(clients, clients * 3, ops.page, base)  # warm-up
            ours = await load(clients, REQUESTS[clients], ops.page, base)
            plain = await load(clients, REQUESTS[clients], ops.rest, base)
            floor = await load(clients, REQUESTS[clients], ops.trivial, base)
            mutation = await load(clients, MUTATIONS[clients], ops.report, base)
            seen = await load_metered(clients, VISIBLE[clients], ops.visible, base, server_pid)
            if clients == 1:
                alone_visible = seen["p99_ms"]
            else:
                alone_page = ours["p99_ms"]
                rows += cpu_budget(label, seen)
            rows += [
                row(
                    f"group page queries/s ({label})",
                    ours["throughput"],
                    "queries/s",
                    "plain JSON endpoint, same reads",
                    plain["throughput"],
                ),
                row(
                    f"group page p50 ({label})",
                    ours["p50_ms"],
                    "ms",
                    "plain JSON endpoint p50",
                    plain["p50_ms"],
                ),
                row(
                    f"group page p99 ({label})",
                    ours["p99_ms"],
                    "ms",
                    "plain JSON endpoint p99",
                    plain["p99_ms"],
                ),
                row(
                    f"mutation/s ({label})",
                    mutation["throughput"],
                    "mutations/s",
                    "trivial GraphQL queries/s",
                    floor["throughput"],
                ),
                row(
                    f"mutation p50 ({label})",
                    mutation["p50_ms"],
                    "ms",
                    "trivial GraphQL query p50",
                    floor["p50_ms"],
                ),
                row(
                    f"mutation p99 ({label})",
                    mutation["p99_ms"],
                    "ms",
                    "trivial GraphQL query p99",
                    floor["p99_ms"],
                ),
                row(
                    f"mutation-to-visible p99 ({label})",
                    seen["p99_ms"],
                    "ms",
                    "mutation p99",
                    mutation["p99_ms"],
                ),
            ]
            report(rows[-7:])
        written, read = await load_mixed(31, VISIBLE[1], ops, base)
        label = f"{backend}, 1 writing client among 31 reading the page"
        rows += [
            row(
                f"mutation-to-visible p99 ({label})",
                written["p99_ms"],
                "ms",
                "mutation-to-visible p99, the writer alone",
                alone_visible,
            ),
            row(
                f"group page p99 ({label})",
                read["p99_ms"],
                "ms",
                "group page p99, 32 readers, no writes",
                alone_page,
            ),
        ]
        report(rows[-2:])
    if backend == "postgres":
        rows += await measure_workers(url, data_dir, ops)
    # The same page with the result cache off: every request executes in full.
    async with running_server(url, data_dir, 0) as (base, _):
        for clients in (1, 32):
            label = f"{backend}, {clients} client{'s' if clients > 1 else ''}"
            await load(clients, clients * 2, ops.page, base)  # warm-up
            ours = await load(clients, UNCACHED[clients], ops.page, base)
            plain = await load(clients, UNCACHED[clients], ops.rest, base)
            rows += [
                row(
                    f"group page, no result cache, queries/s ({label})",
                    ours["throughput"],
                    "queries/s",
                    "plain JSON endpoint, same reads",
                    plain["throughput"],
                ),
                row(
                    f"group page, no result cache, p50 ({label})",
                    ours["p50_ms"],
                    "ms",
                    "plain JSON endpoint p50",
                    plain["p50_ms"],
                ),
                row(
                    f"group page, no result cache, p99 ({label})",
                    ours["p99_ms"],
                    "ms",
                    "plain JSON endpoint p99",
                    plain["p99_ms"],
                ),
            ]
            report(rows[-3:])
    return rows


def cpu_budget(label: str, seen: dict[str, float]) -> list[dict[str, Any]]:
    """What a mutation and its confirming query cost, and the least latency that allows.

    Closed-loop clients wait `clients / rate` on average (Little's law), and the p99 is
    above the mean. Two bounds follow from the CPU a pair costs:

    - one server process completes at most `1000 / server_cpu_ms` pairs a second on its
      one interpreter, so its 32 writers wait at least `32 * server_cpu_ms` on average;
    - for 32 writers to average 100 ms, any number of server processes must complete 320
      pairs a second, which needs `320 * machine_cpu_ms / 1000` cores busy all the time.
    """
    if "machine_cpu_ms" not in seen:
        return []
    rows = [
        row(
            f"CPU per mutation and confirming query, server ({label})",
            seen["server_cpu_ms"],
            "ms",
            "the whole machine (database and clients included)",
            seen["machine_cpu_ms"],
        ),
        row(
            f"least mean mutation-to-visible one server process allows ({label})",
            32 * seen["server_cpu_ms"],
            "ms",
            "the target for the p99",
            100.0,
        ),
        row(
            f"cores a mean of 100 ms at 32 writers needs ({label})",
            32 / 0.100 * seen["machine_cpu_ms"] / 1000,
            "cores",
            "cores this machine has",
            float(os.cpu_count() or 1),
        ),
    ]
    report(rows)
    return rows


async def measure_workers(url: str, data_dir: Path, ops: Operations) -> list[dict[str, Any]]:
    """The page and the writes on the whole node as `coordination serve` runs it (with
    its audit integrator, which the in-process server above leaves out), PostgreSQL only:
    one worker with the integrator as a process of its own (serve's default), two such
    workers, and one worker integrating in a thread of its own process."""
    figures: dict[str, dict[str, dict[str, float]]] = {}
    for name, workers, integrate in (("one", 1, "auto"), ("two", 2, "auto"), ("in", 1, "thread")):
        async with running_workers(url, data_dir, workers, integrate=integrate) as base:
            await ops.until_views_are_built(base)
            await load(32, 96, ops.page, base)  # warm-up: each worker computes the page once
            figures[name] = {"page": await load(32, REQUESTS[32], ops.page, base)}
            # Warm-up, as the in-process server's mutations are before its own: each
            # client's action loaded and cached once, the statements prepared.
            await load(32, 96, ops.report, base)
            figures[name]["visible"] = await load(32, VISIBLE[32], ops.visible, base)
            figures[name]["mixed"], _ = await load_mixed(31, VISIBLE[1], ops, base)
    rows = whole_node_rows(figures)
    report(rows)
    return rows


def whole_node_rows(figures: dict[str, dict[str, dict[str, float]]]) -> list[dict[str, Any]]:
    """The rows of `measure_workers`: the default node with one worker, then two workers
    beside it, and it beside the integrator in the worker's thread."""
    # (measure, figure, unit, load, clients)
    measures = [
        ("group page p99", "p99_ms", "ms", "page", "32 clients"),
        ("group page queries/s", "throughput", "queries/s", "page", "32 clients"),
        ("mutation-to-visible p99", "p99_ms", "ms", "visible", "32 clients"),
        ("mutation-to-visible p99", "p99_ms", "ms", "mixed", "1 writing client among 31 reading"),
    ]
    # (configuration, its label, the one it is set beside, that one's label, measures)
    compared = [
        ("two", "2 worker processes", "one", "one worker process", measures),
        (
            "one",
            "1 worker, the integrator in a process of its own (serve's default)",
            "in",
            "the integrator in a thread of the worker",
            measures[2:],
        ),
    ]
    return [
        row(
            f"{measure} (postgres, whole node, {label}, {clients})",
            figures[name][load_kind][figure],
            unit,
            baseline_label,
            figures[baseline][load_kind][figure],
        )
        for name, label, baseline, baseline_label, chosen in compared
        for measure, figure, unit, load_kind, clients in chosen
    ]


def report(rows: list[dict[str, Any]]) -> None:
    for r in rows:
        print(
            f"{r['name']:<60} {r['value']:>9.2f} {r['unit']:<11} "
            f"{r['baseline_name']}: {r['baseline_value']:.2f} (ratio {r['ratio']:.2f})",
            flush=True,
        )


def main() -> int:
    if len(sys.argv) == 6 and sys.argv[1] == "--serve":
        serve(sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5]))
        return 0
    server = os.environ.get("COORDINATION_TEST_DATABASE_URL")
    backends = ["sqlite", "postgres"] if server else ["sqlite"]
    if not server:
        print(
            "COORDINATION_TEST_DATABASE_URL unset: PostgreSQL skipped (use make bench)",
            file=sys.stderr,
        )
    results: list[dict[str, Any]] = []
    for backend in backends:
        with tempfile.TemporaryDirectory() as tmp:
            url = fresh_url(backend, server, Path(tmp), "graphql")
            results += asyncio.run(measure(backend, url, Path(tmp)))
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    print(f"wrote {RESULTS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
