"""The GraphQL endpoint on FastAPI: HTTP (GraphiQL in development) and WebSocket.

`create_app` wires it:

    api = GraphQLApi(settings, metrics=metrics)        # when building the app
    app.include_router(api.router)
    ...                                                # in the lifespan, once the views run:
    await start_graphql(api, system, db=projections.db, runner=projections.runner,
                        verifier=verifier, audit_log=audit.log)   # coordination.bootstrap.graphql

The router (`EndpointRouter`) carries a lifespan of its own that stops the API (its event
tail) when the app shuts down; `await api.stop()` does the same by hand.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from anyio import to_thread
from fastapi import APIRouter, HTTPException
from fastapi.routing import APIRoute
from starlette.requests import HTTPConnection, Request
from starlette.responses import Response
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL

from coordination.auth.principal import ANONYMOUS, Principal
from coordination.auth.tokens import TokenVerifier
from coordination.graphql import request_json
from coordination.graphql.agreement import AgreementCheck
from coordination.graphql.context import GraphQLConfig, GraphQLContext, Services
from coordination.graphql.direct import DirectExecution
from coordination.graphql.endpoint_router import EndpointRouter
from coordination.graphql.schema import build_schema
from coordination.ide.assets import assets_dir
from coordination.ide.page import GraphiQLFiles
from coordination.observability import Metrics, correlation_id_var, new_request_id
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
        settings: The node's settings (its environment, GraphiQL's files, and the data
            directory whose token keys `start_graphql` loads when given none).
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
        #: The test suite's check that both paths answer alike (decision 31); None,
        #: always in production.
        self.agreement: AgreementCheck | None = None
        if settings.graphql_agreement_check and not self.config.production:
            assert isinstance(self.router, EndpointRouter)
            self.agreement = AgreementCheck(self.direct, self.router.strawberrys)

    def start(self, services: Services) -> None:
        """Make the endpoint serve with `services` (`coordination.bootstrap.graphql` builds
        them once the read side is open)."""
        self.services = services

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
