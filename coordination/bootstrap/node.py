"""The serving node: what `create_app`'s lifespan starts over the write side, and stops.

Over a migrated store it starts, in order: the projector and its read database (the
views), the signed log and its integrator (a thread here, or none when `serve` runs it as
a process), the GraphQL endpoint's services over both, and the background tasks of
federation (gathering cosignatures); it stops them in reverse order. Over a store that
is not migrated it starts none of them: the node serves `/health` and `/ready` only
(which says what to do) until its next start.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING

from anyio import to_thread

from coordination.audit.auditor import Auditor
from coordination.audit.entry_encoder import EntryEncoder
from coordination.audit.integrator import Integrator
from coordination.audit.keys import earlier_verifiers, keys_dir, load_or_create_signer
from coordination.audit.last_checkpoint import node_last_checkpoint
from coordination.audit.log import open_audit_log
from coordination.audit.runtime import AuditRuntime, log_status
from coordination.audit.self_audit import SelfAudit
from coordination.auth.tokens import TokenVerifier
from coordination.bootstrap import System, store_readiness
from coordination.bootstrap.graphql import start_graphql
from coordination.bootstrap.joint_groups import wire_joint_groups
from coordination.bootstrap.peer_sync import start_sync_worker
from coordination.bootstrap.tokens import token_verifier
from coordination.federation.witness_gathering import WitnessGathering
from coordination.persistence.readdb import ReadDatabase
from coordination.projections import ProjectionRunner, Projections
from coordination.projections.schema import ensure_schema
from coordination.projections.views import ALL_VIEWS
from coordination.settings import Settings

if TYPE_CHECKING:
    from coordination.audit.note import Signer
    from coordination.audit.storage import LogStorage
    from coordination.federation.sync_worker import SyncWorker
    from coordination.graphql.router import GraphQLApi
    from coordination.observability import Metrics
    from coordination.projections.joint_view import JointView


async def start_projections(
    system: System, *, cursor_key: bytes | None = None, start: bool = True
) -> Projections:
    """Open the read database, create the views' tables if missing, start the projector.

    Args:
        system: The write side (its target, application and availability).
        cursor_key: Signs pagination cursors (default: derived from the database target).
        start: Start the projector's background task (False for tools that drive it).
    """
    db = await ReadDatabase.open(
        system.target, cursor_key=cursor_key, availability=system.availability
    )
    await ensure_schema(db, ALL_VIEWS)
    runner = ProjectionRunner(db, system.app)
    if start:
        await runner.start()
    return Projections(db, runner)


def start_audit(
    system: System, signer: Signer | None = None, *, integrate: bool = True
) -> AuditRuntime:
    """Open the log and start integrating (in a daemon thread) and watching for checkpoints.

    Every API process may call this: one of them leads the integration, the others stand
    by and take over if it dies; all of them serve the feed and wake long-polls.

    Args:
        system: The write side.
        signer: The node's key; loaded from the settings when not given (and created
            first outside production, see ``load_or_create_signer``).
        integrate: Start the integrator thread (False: serve only).

    Raises:
        SigningKeyError: No usable signing key (run ``coordination keys init``), or a
            keys directory others may enter.
    """
    signer = signer or load_or_create_signer(system.settings)
    origin = system.settings.origin
    log = open_audit_log(system.target, system.app, origin=origin, verifier=signer.verifier)
    integrator = Integrator(
        system.app,
        log.storage,
        signer,
        origin=origin,
        notifier=log.notifier,
        integrity=system.integrity,
        auditor=self_auditor(system, log.storage, signer),
        last_checkpoint=node_last_checkpoint(system.settings),
    )
    if integrate:
        integrator.start()
    log.start_watching()
    return AuditRuntime(log, integrator)


def self_audit(system: System, storage: LogStorage, signer: Signer) -> SelfAudit:
    """The checks of the node's self-audit over its log (decision 35): with the
    integrator's encoder, and the node's log key and its earlier ones.

    Raises:
        SigningKeyError: The keys directory's list of earlier log keys is malformed.
    """
    verifiers = [signer.verifier, *earlier_verifiers(keys_dir(system.settings))]
    encoder = EntryEncoder(system.app.mapper, system.settings.origin)
    return SelfAudit(storage, encoder, verifiers)


def self_auditor(system: System, storage: LogStorage, signer: Signer) -> Auditor:
    """The node's self-audit at work, raising the node's alarm; it runs beside the
    integrator while that leads.

    Raises:
        SigningKeyError: The keys directory's list of earlier log keys is malformed.
    """
    return Auditor(self_audit(system, storage, signer), system.integrity)


@dataclass
class Node:
    """The running parts of a serving node, over its write side.

    Attributes:
        verifier: The process's one token verifier: GraphQL and the feed share its cache
            of verified tokens and its revocation list.
        projections: The views' read database and projector; None when not started.
        audit: The signed log and its integrator; None when not started.
        head: The log's head when the views started, which they must once reach before
            the node is ready.
        witnessing: Gathers the partners' cosignatures of the node's checkpoints.
        joint_view: The joint groups merged from the node's verified logs; None when
            not started.
    """

    verifier: TokenVerifier
    projections: Projections | None = None
    audit: AuditRuntime | None = None
    head: int = 0
    witnessing: WitnessGathering | None = None
    sync: SyncWorker | None = None
    joint_view: JointView | None = None

    async def stop(self) -> None:
        """Stop the background tasks, the log, then the views (the endpoint stops with
        the app's router)."""
        if self.witnessing is not None:
            await self.witnessing.stop()
        if self.sync is not None:
            await self.sync.stop()
        if self.audit is not None:
            await to_thread.run_sync(self.audit.close)
        if self.projections is not None:
            await self.projections.stop()


async def start_node(
    settings: Settings,
    system: System,
    *,
    metrics: Metrics,
    graphql: GraphQLApi | None,
    verifier: TokenVerifier | None = None,
) -> Node:
    """Start the node's read side and log over `system`, and make `graphql` serve.

    Args:
        settings: The process's settings: where the integrator runs (`integrate`) and the
            data directory of the token keys.
        system: The write side.
        metrics: Told how to read the views' and the log's progress at scrape time.
        graphql: The endpoint to start; None: the caller runs a read side of its own, and
            only the verifier is made.
        verifier: The token verifier to share; loaded for `settings` when None.
    """
    node = Node(verifier if verifier is not None else await token_verifier(settings))
    if graphql is None:
        return node
    ready = await to_thread.run_sync(store_readiness, system)
    if ready["status"] != "ready":
        return node
    try:
        node.projections = await start_projections(system)
        node.head = ready["position"]
        # `auto` outside `serve` is a thread; `serve` hands over `process` when it runs
        # the integrator as its child (`settings.integration`).
        in_thread = settings.integrate in ("auto", "thread")
        node.audit = await to_thread.run_sync(partial(start_audit, system, integrate=in_thread))
        metrics.log = log_status(node.audit.log, system.app)
        node.sync = start_sync_worker(system, node.audit.log, load_or_create_signer(settings))
        node.joint_view = await to_thread.run_sync(
            wire_joint_groups, system, node.audit.log, node.projections.db
        )
        await start_graphql(
            graphql,
            system,
            db=node.projections.db,
            runner=node.projections.runner,
            verifier=node.verifier,
            audit_log=node.audit.log,
            joint_view=node.joint_view,
        )
        node.witnessing = WitnessGathering(system.app, node.audit.log, node.projections.db)
        node.witnessing.start()
    except BaseException:
        await node.stop()
        raise
    return node
