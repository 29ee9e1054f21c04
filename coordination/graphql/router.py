"""The GraphQL endpoint on FastAPI: HTTP (GraphiQL in development) and WebSocket.

The lead wires it in `create_app`:

    api = GraphQLApi(settings, metrics=metrics)        # when building the app
    app.include_router(api.router)
    ...                                                # in the lifespan, once the views run:
    await api.start(system, db=projections.db, runner=projections.runner,
                    audit_log=app.state.audit.log)

The router (`EndpointRouter`) carries a lifespan of its own that stops the API (its event
tail) when the app shuts down; `await api.stop()` does the same by hand.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from typing import Any

from anyio import to_thread
from fastapi import APIRouter, HTTPException
from fastapi.routing import APIRoute
from starlette.requests import HTTPConnection, Request
from starlette.responses import Response
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL

from coordination.audit.log import AuditLog
from coordination.auth.principal import ANONYMOUS, Principal
from coordination.auth.revocation import RevocationList
from coordination.auth.tokens import TokenKeys, TokenVerifier
from coordination.bootstrap import System
from coordination.graphql import request_json
from coordination.graphql.context import (
    GraphQLConfig,
    GraphQLContext,
    NoWait,
    ProjectionWaiter,
    Services,
    ViewUpdateSource,
)
from coordination.graphql.direct import DirectExecution
from coordination.graphql.endpoint_router import EndpointRouter
from coordination.graphql.event_log import EventReader
from coordination.graphql.event_tail import EventTail
from coordination.graphql.mutations.placement import CommandPlacement
from coordination.graphql.result_cache import ResultCache, committed_position
from coordination.graphql.schema import build_schema
from coordination.ide.page import GraphiQLFiles, assets_dir
from coordination.observability import Metrics, correlation_id_var, new_request_id
from coordination.persistence.readdb import ReadDatabase
from coordination.projections.metrics import projection_status
from coordination.settings import Settings

PATH = "/graphql"


def config_for(settings: Settings, **overrides: Any) -> GraphQLConfig:
    """The API's behaviour for a node's settings (production hides introspection and the
    names errors would suggest).

    `overrides` (any `GraphQLConfig` field) win over what the settings say.
    """
    chosen: dict[str, Any] = {
        "production": settings.env == "production",
        "allow_anonymous": settings.allow_anonymous,
        "commands_on_loop": settings.commands_on_loop,
        "max_cost": settings.max_query_cost,
    }
    return GraphQLConfig(**(chosen | overrides))


class GraphQLApi:
    """The GraphQL endpoint and the services behind it.

    Args:
        settings: The node's settings (origin, data directory, environment).
        metrics: Where operations and commands are counted.
        config: Limits and behaviour; derived from `settings` when not given.
    """

    def __init__(
        self,
        settings: Settings,
        *,
        metrics: Metrics | None = None,
        config: GraphQLConfig | None = None,
    ) -> None:
        self.settings = settings
        self.metrics = metrics
        self.config = config or config_for(settings)
        self.services: Services | None = None
        self.schema = build_schema(self.config)
        #: Executes ordinary POST operations past strawberry's machinery (decision 19).
        self.direct = DirectExecution(self.schema)
        #: GraphiQL's page and files, served by the node (outside production).
        self.ide = None if self.config.production else GraphiQLFiles(assets_dir(settings))
        #: Where the endpoint answers (HTTP and WebSocket).
        self.path = PATH
        self.router: APIRouter = self._build_router()

    async def start(
        self,
        system: System,
        *,
        db: ReadDatabase,
        runner: ProjectionWaiter | None = None,
        updates: ViewUpdateSource | None = None,
        keys: TokenKeys | None = None,
        verifier: TokenVerifier | None = None,
        audit_log: AuditLog | None = None,
    ) -> None:
        """Make the endpoint serve: called in the lifespan once the read side is open.

        Args:
            system: The wired write side.
            db: The read database (the views and the log).
            runner: The projector, for read-your-writes (`wait_until`) and, unless
                `updates` is given, for view updates (`subscribe`).
            updates: The broadcast of view updates, when not the runner's.
            keys: The token keys; the verifier's when one is given, else loaded from (or
                created in) the data directory.
            verifier: The process's token verifier, shared with the feed so that one
                cache of verified tokens and one revocation list serve both; built over
                `keys` and the data directory's revocation list when None.
            audit_log: The node's signed log (``start_audit(system).log``), for the
                audit trail's log fields, ``inclusionProof`` and ``checkpoint``; without
                it those answer that the signed log is not running on this node.
        """
        if verifier is None:
            if keys is None:
                keys = await to_thread.run_sync(
                    TokenKeys.load_or_create, self.settings.data_dir, self.settings.origin
                )
            verifier = TokenVerifier(keys, revocations=RevocationList(self.settings.data_dir))
        keys = verifier.keys
        if updates is None and runner is not None and hasattr(runner, "subscribe"):
            updates = runner  # type: ignore[assignment]
        results = None
        if runner is not None and hasattr(runner, "position") and self.config.result_cache_size:
            results = ResultCache(
                lambda: int(runner.position),
                self.config.result_cache_size,
                confirm=committed_position(runner, db),
            )
        if self.metrics is not None and runner is not None:
            self.metrics.views = projection_status(db, system.app)
        self.services = Services(
            system=system,
            db=db,
            keys=keys,
            verifier=verifier,
            waiter=runner if runner is not None else NoWait(),
            tail=EventTail(EventReader(db, system.app), wakers=updates),
            updates=updates,
            results=results,
            metrics=self.metrics,
            config=self.config,
            audit_log=audit_log,
            command_threads=ThreadPoolExecutor(
                self.config.command_threads, thread_name_prefix="command"
            ),
            placement=CommandPlacement(db, enabled=self.config.commands_on_loop),
        )

    async def stop(self) -> None:
        """Stop following the log (at shutdown), once the running commands are done."""
        if self.services is not None:
            await self.services.tail.stop()
            if self.services.command_threads is not None:
                await to_thread.run_sync(self.services.command_threads.shutdown)
            self.services = None

    @property
    def verifier(self) -> TokenVerifier | None:
        """The verifier of a started endpoint (None before `start`)."""
        return self.services.verifier if self.services is not None else None

    def principal_of(self, authorization: str) -> tuple[Principal, str | None]:
        """The principal of an `Authorization` value, or why the token is refused."""
        assert self.services is not None
        return self.services.verifier.principal_of(authorization)

    async def context(self, connection: HTTPConnection) -> GraphQLContext:
        """The per-request context: the verified caller and the request id."""
        services = self.services
        if services is None:
            raise HTTPException(503, "the GraphQL API is starting; try again shortly")
        state = connection.scope.get("state") or {}
        request_id = state.get("request_id") or new_request_id(
            connection.headers.get("x-request-id")
        )
        correlation_id_var.set(request_id)
        authorization = connection.headers.get("authorization")
        principal, error = ANONYMOUS, None
        if authorization is not None:
            principal, error = self.principal_of(authorization)
        return GraphQLContext(services, principal, request_id, auth_error=error)

    @asynccontextmanager
    async def _lifespan(self, _: Any) -> AsyncIterator[None]:
        try:
            yield
        finally:
            await self.stop()

    def _build_router(self) -> APIRouter:
        router = EndpointRouter(
            self.schema,
            lifespan=self._lifespan,
            path=PATH,
            graphql_ide=None if self.config.production else "graphiql",
            context_getter=self.context,
            subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL,),
            max_subscriptions_per_connection=self.config.max_subscriptions,
        )
        router.api = self
        # strawberry's own routes build the context through FastAPI's dependency
        # machinery, a quarter of the cost of an answer kept in the result cache, and
        # keep each request's status and headers in one attribute that concurrent
        # requests share; this route, matched first, builds the context directly, gives
        # each request its own sub-response and hands over to the same view.
        self.route = APIRoute(PATH, self.answer, methods=["GET", "POST"], include_in_schema=False)
        router.routes.insert(0, self.route)
        router.add_api_route(
            PATH,
            request_json.other_method,
            methods=request_json.OTHER_METHODS,
            include_in_schema=False,
        )
        if self.ide is not None:
            router.include_router(self.ide.router())
        return router

    async def answer(self, request: Request) -> Response:
        """Answer a GET or POST request: from the route above, or (POST) from
        `GraphQLLane` directly."""
        router = self.router
        assert isinstance(router, EndpointRouter)
        context = await self.context(request)
        # The status and headers resolvers may set; the real response computes its own
        # length, so this one carries none.
        sub_response = Response()
        del sub_response.headers["content-length"]
        request.state.graphql_sub_response = sub_response
        response: Response = await router.run(request, context, None)
        return response
