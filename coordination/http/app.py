"""`create_app(settings)`: the FastAPI application of one node.

The system is built in the lifespan, through `bootstrap`, so importing this module has no
side effects and every test can build its own app on its own database. The lifespan
starts, in order: the projector (views), the integrator (the signed log) and the GraphQL
endpoint that reads both; it stops them in reverse order.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import partial
from typing import Annotated

from fastapi import Depends, FastAPI, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from coordination import __version__
from coordination.audit.runtime import AuditRuntime, audit_log_of_app, log_status, start_audit
from coordination.auth.revocation import RevocationList
from coordination.auth.tokens import TokenKeys, TokenVerifier
from coordination.bootstrap import System, bootstrap
from coordination.federation.router import feed_router
from coordination.graphql.router import GraphQLApi
from coordination.http.lane import NodeApp
from coordination.http.metrics import metrics_router
from coordination.http.middleware import install_middleware
from coordination.http.operations_access import (
    documentation_urls,
    include_operations,
    reader_of_everything,
)
from coordination.http.readiness import NOT_STARTED, ViewsReadiness, store_readiness
from coordination.observability import Metrics
from coordination.observability.integrator_status import STATUS_FILE as INTEGRATOR_STATUS_FILE
from coordination.projections import Projections, start_projections
from coordination.settings import Settings


def get_system(request: Request) -> System:
    system: System = request.app.state.system
    return system


SystemDep = Annotated[System, Depends(get_system)]


#: The feed is served to auditors and admins for now (partners come with federation).
feed_caller = reader_of_everything("the feed", "coordination feed")


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
    owns_read_side = graphql is None
    endpoint = graphql or GraphQLApi(settings, metrics=metrics)

    async def shared_verifier() -> TokenVerifier:
        """The process's one token verifier: the started endpoint's, or a new one."""
        if not owns_read_side and endpoint.verifier is not None:
            return endpoint.verifier
        keys = await run_in_threadpool(TokenKeys.load_or_create, settings.data_dir, settings.origin)
        return TokenVerifier(keys, revocations=RevocationList(settings.data_dir))

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        owned = system is None
        wired: System = (
            system
            if system is not None
            else await run_in_threadpool(bootstrap, settings, create_tables=False)
        )
        app.state.system = wired
        # One verifier for GraphQL and the feed: one cache of verified tokens, one
        # revocation list.
        verifier = app.state.token_verifier = await shared_verifier()
        projections: Projections | None = None
        audit: AuditRuntime | None = None
        try:
            # An unmigrated store cannot feed views or the log: serve /health and /ready
            # (which says what to do) and start the rest on the next start.
            app.state.views = None
            ready = await run_in_threadpool(store_readiness, wired)
            if owns_read_side and ready["status"] == "ready":
                projections = await start_projections(wired)
                app.state.views = ViewsReadiness(projections.runner, ready["position"])
                # `auto` outside `serve` is a thread; `serve` hands over `process` when
                # it runs the integrator as its child (`settings.integration`).
                in_thread = settings.integrate in ("auto", "thread")
                audit = await run_in_threadpool(partial(start_audit, wired, integrate=in_thread))
                app.state.audit = audit
                metrics.log = log_status(audit.log, wired)
                await endpoint.start(
                    wired,
                    db=projections.db,
                    runner=projections.runner,
                    verifier=verifier,
                    audit_log=audit.log,
                )
            yield
        finally:
            if audit is not None:
                await run_in_threadpool(audit.close)
            if projections is not None:
                await projections.stop()
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
    app.include_router(feed_router(audit_log_of_app, authorize=feed_caller))

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
        """Readiness: the event store answers and is migrated, and the views have caught up
        with the log as it stood when they started (`coordination.http.readiness`)."""
        report = await run_in_threadpool(store_readiness, system)
        if report["status"] == "ready" and owns_read_side:
            views: ViewsReadiness | None = request.app.state.views
            pending = NOT_STARTED if views is None else views.pending()
            if pending is not None:
                report = {**report, **pending}
        return JSONResponse(report, status_code=200 if report["status"] == "ready" else 503)

    return app


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
