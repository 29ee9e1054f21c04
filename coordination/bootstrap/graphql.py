"""The GraphQL endpoint's services, built from the node's parts and handed to it."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING

from coordination.bootstrap.partner_status import partner_sync_reader
from coordination.bootstrap.peer_audit import peer_entries
from coordination.bootstrap.tokens import token_verifier
from coordination.graphql.context import GraphQLConfig, NoWait, Services
from coordination.graphql.event_log import EventReader
from coordination.graphql.event_tail import EventTail
from coordination.graphql.mutations.placement import CommandPlacement
from coordination.graphql.result_cache import ResultCache, committed_position
from coordination.projections.metrics import projection_status

if TYPE_CHECKING:
    from coordination.audit.log import AuditLog
    from coordination.auth.tokens import TokenKeys, TokenVerifier
    from coordination.bootstrap import System
    from coordination.graphql.router import GraphQLApi
    from coordination.observability import Metrics
    from coordination.persistence.readdb import ReadDatabase
    from coordination.projections import ProjectionRunner
    from coordination.projections.joint_view import JointView


async def start_graphql(
    api: GraphQLApi,
    system: System,
    *,
    db: ReadDatabase,
    runner: ProjectionRunner | None = None,
    keys: TokenKeys | None = None,
    verifier: TokenVerifier | None = None,
    audit_log: AuditLog | None = None,
    joint_view: JointView | None = None,
) -> None:
    """Make the endpoint serve: called in the lifespan once the read side is open.

    Args:
        api: The endpoint.
        system: The write side.
        db: The read database (the views and the log).
        runner: The projector, for read-your-writes (`wait_until`), view updates
            (`subscribe`) and the result cache's position; None: a node without a
            projector in this process, whose mutations do not wait.
        keys: The token keys; the verifier's when one is given, else loaded from (or
            created in) the endpoint's data directory.
        verifier: The process's token verifier, shared with the feed so that one cache of
            verified tokens and one revocation list serve both; built over `keys` and the
            data directory's revocation list when None.
        audit_log: The node's signed log (``start_audit(system).log``), for the audit
            trail's log fields, ``inclusionProof`` and ``checkpoint``; without it those
            answer that the signed log is not running on this node.
        joint_view: The joint groups merged from the node's verified logs, for
            ``jointGroups``; without it that answers that the signed log is not running.
    """
    if verifier is None:
        verifier = await token_verifier(api.settings, keys)
    if api.metrics is not None and runner is not None:
        api.metrics.views = projection_status(db, system.app)
    api.start(
        graphql_services(
            system,
            api.config,
            db=db,
            runner=runner,
            verifier=verifier,
            metrics=api.metrics,
            audit_log=audit_log,
            joint_view=joint_view,
        )
    )


def graphql_services(
    system: System,
    config: GraphQLConfig,
    *,
    db: ReadDatabase,
    runner: ProjectionRunner | None,
    verifier: TokenVerifier,
    metrics: Metrics | None,
    audit_log: AuditLog | None,
    joint_view: JointView | None = None,
) -> Services:
    """The services resolvers use, over the node's parts (see `start_graphql`)."""
    results = None
    if runner is not None and config.result_cache_size:
        results = ResultCache(
            lambda: int(runner.position),
            config.result_cache_size,
            confirm=committed_position(runner, db),
        )
    return Services(
        app=system.app,
        origin=system.settings.origin,
        availability=system.availability,
        db=db,
        keys=verifier.keys,
        verifier=verifier,
        waiter=runner if runner is not None else NoWait(),
        tail=EventTail(EventReader(db, system.app), wakers=runner),
        updates=runner,
        results=results,
        metrics=metrics,
        config=config,
        audit_log=audit_log,
        partner_sync=None if audit_log is None else partner_sync_reader(audit_log),
        joint_view=joint_view,
        peer_entries=None if audit_log is None else peer_entries(audit_log),
        integrity=system.integrity,
        command_threads=ThreadPoolExecutor(config.command_threads, thread_name_prefix="command"),
        placement=CommandPlacement(db, enabled=config.commands_on_loop),
    )
