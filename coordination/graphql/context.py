"""What every resolver can reach: the node's services and who is asking.

`Services` lives as long as the app; `GraphQLContext` is built per request (or per
WebSocket connection) from it and the verified principal.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any, Protocol

from strawberry.fastapi import BaseContext

from coordination.auth.principal import Principal

if TYPE_CHECKING:
    from concurrent.futures import ThreadPoolExecutor

    from coordination.application import Coordination
    from coordination.audit.integrity import IntegrityAlarm
    from coordination.audit.log import AuditLog
    from coordination.auth.tokens import TokenKeys, TokenVerifier
    from coordination.graphql.event_tail import EventTail
    from coordination.graphql.mutations.placement import CommandPlacement
    from coordination.graphql.peer_events import PeerEntries
    from coordination.graphql.result_cache import ResultCache
    from coordination.graphql.types.peer_sync import PartnerSyncReader
    from coordination.graphql.visibility import Visibility
    from coordination.observability import Metrics
    from coordination.persistence.availability import Availability
    from coordination.persistence.readdb import ReadDatabase
    from coordination.projections.joint_view import JointView


class ProjectionWaiter(Protocol):
    """Read-your-writes: waits until the views include a position of the log."""

    async def wait_until(self, position: int, timeout: float) -> bool:
        """True once every live view has processed `position`; False on timeout."""
        ...


class ViewUpdateSource(Protocol):
    """The projector's broadcast of committed view batches."""

    def subscribe(self) -> Any:
        """An async iterator (and async context manager) of `ViewUpdate`s: view,
        position, forum_ids, stream_ids, all_forums."""
        ...


class NoWait:
    """A waiter for a node without a projector in this process (and for tests)."""

    async def wait_until(self, position: int, timeout: float) -> bool:  # noqa: ARG002
        return False


@dataclass(frozen=True)
class GraphQLConfig:
    """How the API behaves; `production` hides introspection and GraphiQL.

    Attributes:
        production: Introspection and GraphiQL off.
        allow_anonymous: Serve callers without a token (public views only); when False
            they are refused with UNAUTHENTICATED.
        command_wait_seconds: How long a mutation waits for the views to include it.
        commands_on_loop: Run commands on the event loop's thread when that is safe
            (`mutations.placement`, decision 17); False: always in a command thread.
        command_threads: Commands run at once in worker threads, when they do not run
            on the loop. The event store takes one writer at a time (SQLite's write
            lock, PostgreSQL's table lock held to commit), so more threads only queue on
            it while holding a connection and fighting the event loop for the
            interpreter; the rest wait as tasks.
        max_depth: Deepest field nesting a query may have.
        max_aliases: Most aliases one document may use.
        max_tokens: Most lexical tokens one document may have.
        max_cost: Highest cost an operation may have: its fields, each counted once per
            item of every page it sits in (`document_measures`).
        max_subscriptions: Most operations one WebSocket connection may run at once.
        result_cache_size: View-query results kept per position of the views (0: none).
    """

    production: bool = False
    allow_anonymous: bool = True
    command_wait_seconds: float = 2.0
    commands_on_loop: bool = True
    command_threads: int = 2
    max_depth: int = 10
    max_aliases: int = 30
    max_tokens: int = 3000
    max_cost: int = 20_000
    max_subscriptions: int = 20
    result_cache_size: int = 256


@dataclass
class Services:
    """The app-lifetime services resolvers use (`coordination.bootstrap.graphql` builds them).

    Attributes:
        app: The application: commands, and the events the audit trail reads.
        origin: The node's origin, which the events of its commands name.
        availability: Whether the database takes connections (`outage`).
        db: The read database: the views and the signed log.
    """

    app: Coordination
    origin: str
    availability: Availability
    db: ReadDatabase
    keys: TokenKeys
    verifier: TokenVerifier
    waiter: ProjectionWaiter
    tail: EventTail
    updates: ViewUpdateSource | None = None
    results: ResultCache | None = None
    metrics: Metrics | None = None
    config: GraphQLConfig = field(default_factory=GraphQLConfig)
    #: The node's signed log (entries, checkpoints, proofs); None where it does not run.
    audit_log: AuditLog | None = None
    #: How the node syncs each partner's log; None where the signed log does not run.
    partner_sync: PartnerSyncReader | None = None
    #: The joint groups merged from the node's verified logs; None where the log does not run.
    joint_view: JointView | None = None
    #: The partners' events synced here, for the audit trail; None where the log does not run.
    peer_entries: PeerEntries | None = None
    #: The node's integrity alarm (its state file); None where no node runs (tests).
    integrity: IntegrityAlarm | None = None
    #: The threads commands run in (`GraphQLConfig.command_threads` of them); None: the
    #: event loop's default executor.
    command_threads: ThreadPoolExecutor | None = None
    #: Whether a command may run on the event loop's thread; None: never.
    placement: CommandPlacement | None = None


class GraphQLContext(BaseContext):
    """Per request: the services, the principal, the request id and per-request caches."""

    def __init__(
        self,
        services: Services,
        principal: Principal,
        request_id: str,
        auth_error: str | None = None,
    ) -> None:
        super().__init__()
        self.services = services
        self.principal = principal
        self.request_id = request_id
        #: Why the offered token was refused; the auth extension turns it into an error.
        self.auth_error = auth_error
        self.cache: dict[Any, Any] = {}
        #: Set when the answer is a view-query result the `ResultCache` keeps: the views'
        #: position and the operation's name. The HTTP layer may then keep its bytes.
        self.kept_result: tuple[int, str | None] | None = None
        #: Set once this request has confirmed the views' position (`ResultCache`).
        self.position_confirmed = False
        #: Set when an error of this request was the database being unreachable: over
        #: HTTP the answer is then 503 UNAVAILABLE (`outage`).
        self.unavailable = False
        self._visibility: Visibility | None = None

    @property
    def visibility(self) -> Visibility:
        from coordination.graphql.visibility import Visibility

        if self._visibility is None:
            self._visibility = Visibility(self.principal, self.services.db)
        return self._visibility

    @property
    def today(self) -> date:
        return datetime.now(UTC).date()
