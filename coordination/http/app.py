"""`create_app(settings)`: the FastAPI application of one node, built once: its routes,
its middleware chain and its lifespan.

The node is built in the lifespan by the composition root (`coordination.bootstrap`), so
importing this module has no side effects and every test can build its own app on its
own database. The lifespan starts, in order: the projector (views), the integrator (the
signed log) and the GraphQL endpoint that reads both (`bootstrap.node.start_node`); it
stops them in reverse order.
"""

from __future__ import annotations

import functools
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated

from fastapi import Depends, FastAPI, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from coordination import __version__
from coordination.audit.log import AuditLog
from coordination.audit.runtime import AuditRuntime
from coordination.audit.witness_key import load_witness_key
from coordination.bootstrap import System, bootstrap, store_readiness
from coordination.bootstrap.joint_groups import joint_groups_of
from coordination.bootstrap.node import Node, start_node
from coordination.federation.access import FeedAccess
from coordination.federation.callers import may_see
from coordination.federation.rate_limits import RateLimits
from coordination.federation.router import feed_router
from coordination.federation.witness_routes import witness_router
from coordination.graphql.router import GraphQLApi
from coordination.http.lane import NodeApp
from coordination.http.metrics import metrics_router
from coordination.http.middleware import install_middleware
from coordination.http.operations_access import (
    documentation_urls,
    include_operations,
)
from coordination.http.readiness import NOT_STARTED, ViewsReadiness, integrity_pending
from coordination.observability import Metrics
from coordination.observability.integrator_status import STATUS_FILE as INTEGRATOR_STATUS_FILE
from coordination.settings import Settings


def get_system(request: Request) -> System:
    system: System = request.app.state.system
    return system


SystemDep = Annotated[System, Depends(get_system)]


def audit_log_of_app(request: Request) -> AuditLog:
    """A ``get_log`` dependency for ``feed_router``: the log in ``app.state.audit``."""
    runtime: AuditRuntime = request.app.state.audit
    return runtime.log


def create_app(
    settings: Settings,
    *,
    system: System | None = None,
    graphql: GraphQLApi | None = None,
    metrics: Metrics | None = None,
    max_body_bytes: int | None = None,
) -> FastAPI:
    """Build the node's HTTP application.

    Args:
        settings: The node's settings (`allow_anonymous` and `max_body_bytes` among them).
        system: An already wired system (tests); built from `settings` when not given,
            and then closed with the app.
        graphql: A GraphQL endpoint its caller has started over its own read side
            (tests); the lifespan then starts no projector, integrator or endpoint, and
            the feed shares the endpoint's token verifier and its config rules.
        metrics: The metrics registry to serve (with `graphql`).
        max_body_bytes: The request body limit; `settings.max_body_bytes` when None.
    """
    metrics = _node_metrics(settings, metrics)
    access = feed_access(settings)
    owns_read_side = graphql is None
    endpoint = graphql or GraphQLApi(settings, metrics=metrics)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        owned = system is None
        wired: System = (
            system
            if system is not None
            else await run_in_threadpool(bootstrap, settings, create_tables=False)
        )
        app.state.system = wired
        metrics.watch_integrity(lambda: wired.integrity.current().ok)
        app.state.views = None
        node: Node | None = None
        try:
            # Over an unmigrated store only the verifier is made: /health and /ready
            # (which says what to do) are served, the rest starts on the next start.
            node = await start_node(
                settings,
                wired,
                metrics=metrics,
                graphql=endpoint if owns_read_side else None,
                verifier=None if owns_read_side else endpoint.verifier,
            )
            app.state.token_verifier = node.verifier
            if node.projections is not None:
                app.state.views = ViewsReadiness(node.projections.runner, node.head)
            if node.audit is not None:
                app.state.audit = node.audit
            if node.joint_view is not None:
                access.joint_groups = joint_groups_of(node.joint_view)
            # The partner registry's view, where the feed finds a partner's keys.
            services = endpoint.services
            app.state.partner_db = services.db if services is not None else None
            yield
        finally:
            if node is not None:
                await node.stop()
            if owned:
                wired.close()

    app = NodeApp(
        title="coordination",
        version=__version__,
        description="Event-sourced backend of a development partnership for the social economy.",
        lifespan=lifespan,
        **documentation_urls(settings),
    )
    install_middleware(
        app,
        metrics,
        max_body_bytes=settings.max_body_bytes if max_body_bytes is None else max_body_bytes,
        graphql=endpoint,
    )
    app.include_router(endpoint.router)
    include_operations(app, metrics_router(metrics), settings)
    # Before the feed's routes: the last of those takes every other path under the feed.
    app.include_router(
        witness_router(
            audit_log_of_app,
            partners=lambda request: getattr(request.app.state, "partner_db", None),
            cosigner=functools.cache(lambda: load_witness_key(settings)),
        )
    )
    app.include_router(
        feed_router(
            audit_log_of_app,
            authorize=access,
            may_see=may_see,
            anonymous=settings.allow_anonymous,
        )
    )

    @app.get("/health", tags=["operations"])
    async def health() -> dict[str, str]:
        """Liveness: the process answers."""
        return {"status": "ok", "version": __version__, "origin": settings.origin}

    @app.get(
        "/ready",
        tags=["operations"],
        responses={503: {"description": "Not ready: the report says why and what to do"}},
    )
    async def ready(request: Request, system: SystemDep) -> JSONResponse:
        """Readiness: the event store answers and is migrated, the views have caught up
        with the log as it stood when they started, and no integrity alarm is raised
        (`coordination.http.readiness`)."""
        report = await run_in_threadpool(store_readiness, system)
        if report["status"] == "ready" and owns_read_side:
            views: ViewsReadiness | None = request.app.state.views
            pending = NOT_STARTED if views is None else views.pending()
            if pending is not None:
                report = {**report, **pending}
        alarm = integrity_pending(system.integrity)
        if alarm is not None:
            report = {**report, **alarm}
        return JSONResponse(report, status_code=200 if report["status"] == "ready" else 503)

    return app


def feed_access(settings: Settings) -> FeedAccess:
    """Who may read the feed beyond its public key and checkpoint: partners by their
    signatures, auditors and admins by their tokens, anyone (public entries only) where
    the node allows anonymous callers (FEED-PROTOCOL §5)."""
    return FeedAccess(
        tokens=lambda request: request.app.state.token_verifier,
        partners=lambda request: getattr(request.app.state, "partner_db", None),
        limits=RateLimits(settings.feed_rate, settings.feed_burst),
        public_url=settings.public_url,
        anonymous=settings.allow_anonymous,
    )


def _node_metrics(settings: Settings, given: Metrics | None) -> Metrics:
    """The app's metrics: those given, or new ones, watching the integrator process when
    `serve` runs one (its supervisor writes a status file the metrics read)."""
    metrics = given or Metrics()
    if settings.integrate == "process":
        metrics.watch_integrator_process(settings.data_dir / INTEGRATOR_STATUS_FILE)
    return metrics


def app_from_environment() -> FastAPI:
    """The app of one worker process (`coordination serve --workers N`).

    Each worker is a fresh interpreter: it reads its settings from the `COORDINATION_*`
    environment, which `serve` completes with its options before starting them.
    """
    from coordination.observability import configure_logging
    from coordination.runtime import tune_garbage_collection

    configure_logging()
    tune_garbage_collection()
    return create_app(Settings())
