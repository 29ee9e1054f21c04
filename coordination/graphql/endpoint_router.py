"""`EndpointRouter`: strawberry's FastAPI router as the GraphQL endpoint answers through it.

A POST is answered from the result cache's kept bytes when a view query is asked again
while the views stand still, else directly (`DirectExecution`, decision 19), else
through strawberry; every HTTP answer is typed to the spec's media types, and an
unreachable database answers 503 UNAVAILABLE (`outage`). A WebSocket's token is checked
when it connects.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

import orjson
from cross_web import HTTPException as StrawberryHTTPException  # what strawberry's views raise
from starlette.requests import Request
from starlette.responses import Response
from strawberry.exceptions import ConnectionRejectionError
from strawberry.fastapi import GraphQLRouter
from strawberry.http import GraphQLRequestData
from strawberry.types.unset import UNSET, UnsetType

from coordination.graphql import media, outage, pipeline, request_json
from coordination.graphql.context import GraphQLContext
from coordination.graphql.result_cache import CachedResponse
from coordination.graphql.ws_protocol import CheckedTransportWS, TextFrames

if TYPE_CHECKING:
    from coordination.graphql.router import GraphQLApi


class EndpointRouter(GraphQLRouter[GraphQLContext, None]):
    """Answers repeated view queries from their kept bytes, ordinary operations directly
    (`DirectExecution`), the rest through strawberry; verifies WebSocket tokens."""

    api: GraphQLApi
    temporal_response: Response
    graphql_transport_ws_handler_class = CheckedTransportWS
    websocket_adapter_class = TextFrames

    def decode_json(self, data: str | bytes) -> object:
        # HTTP bodies and WebSocket messages alike: JSON objects only (`request_json`).
        return request_json.decode(super().decode_json, data)

    def parse_query_params(self, params: Any) -> dict[str, Any]:
        try:
            parsed: dict[str, Any] = super().parse_query_params(params)
        except StrawberryHTTPException as error:
            if error.reason != request_json.NOT_JSON:
                raise
            # strawberry's words name the body, which a GET request does not have.
            raise StrawberryHTTPException(
                400, "The variables and extensions query parameters must be JSON objects"
            ) from None
        return parsed

    async def parse_http_body(self, request: Any) -> Any:
        data = await super().parse_http_body(request)
        if isinstance(data, GraphQLRequestData) and not isinstance(data.operation_name, str | None):
            # strawberry looked for an operation named `5`, and said there was none.
            raise StrawberryHTTPException(400, "The operationName must be a string or null")
        # strawberry runs the first operation of a document when the request names none
        # (a mutation, say, where the client meant the query after it); the GraphQL spec
        # asks for an error, as graphql-core gives.
        if isinstance(data, GraphQLRequestData):
            checks = self.api.schema.checks
            refused = pipeline.unnamed_among_several(checks, data.query, data.operation_name)
            if refused is not None:
                raise StrawberryHTTPException(400, refused)
        return data

    def parse_json(self, data: str | bytes) -> Any:
        # HTTP only: each refusal a 400 of its own (`request_json`).
        return request_json.parse(self.decode_json, data)

    # strawberry overloads `run` by request type; one signature serves both here.
    async def run(self, request: Any, context: Any = UNSET, root_value: Any = UNSET) -> Any:
        if not isinstance(request, Request):
            return await self._run(request, context, root_value)
        try:  # both paths: UNAVAILABLE over HTTP while the database cannot be reached
            answer = self._run(request, context, root_value)
            response = await outage.guarded(self.api.services, context, answer)
        except StrawberryHTTPException as error:
            response = request_json.refusal(error)
        return media.typed(request, response)

    async def _run(self, request: Any, context: Any, root_value: Any) -> Any:
        if isinstance(request, Request):  # before the result cache, which keys on bodies
            request_json.refuse_unless_json(request)
        if (
            not isinstance(request, Request)
            or not isinstance(context, GraphQLContext)
            or request.method != "POST"
            or context.auth_error is not None
        ):
            return await super().run(request, context, root_value)
        cache = context.services.results
        body = await request.body()
        key = None
        if cache is not None:
            started = time.perf_counter()
            await cache.confirm_position()
            context.position_confirmed = True
            if not body.lstrip().startswith(b"{"):  # a batch may mix in a mutation: never kept
                return await super().run(request, context, root_value)
            key = cache.response_key(body, context)
            kept = cache.response(key) if key is not None else None
            if kept is not None:
                pipeline.record_operation(context, kept.operation_name, "query", started, True)
                return Response(kept.body, media_type="application/json")
        agreement = self.api.agreement  # set in test runs only (decision 31)
        direct = agreement.answer if agreement is not None else self.api.direct.answer
        response = await direct(request, body, context)
        if response is None:
            response = await super().run(request, context, root_value)
        kept_result = context.kept_result
        if (
            cache is not None
            and key is not None
            and kept_result is not None
            and kept_result[0] == key[0]
            and response.status_code == 200
            and type(response) is Response
        ):
            cache.keep_response(key, CachedResponse(bytes(response.body), kept_result[1]))
        return response

    async def strawberrys(self, request: Request, context: GraphQLContext) -> Response:
        """strawberry's answer to an HTTP request, past the kept answers and the direct path
        (what the agreement check compares the direct path's answers with)."""
        response: Response = await super().run(request, context, None)
        return response

    async def process_result(self, request: Any, result: Any) -> Any:
        processed = await super().process_result(request, result)
        if media.never_ran(result) and media.wants_graphql_response(request):
            # Refused before it ran: 400 and no data, under the spec's own media type.
            processed.pop("data", None)
            (await self.get_sub_response(request)).status_code = 400
        return processed

    async def render_graphql_ide(self, request: Request) -> Any:
        assert self.api.ide is not None  # rendered only where GraphiQL is served
        return self.api.ide.page(request)

    def encode_json(self, data: object) -> bytes:
        # orjson: the same JSON several times faster than the standard library's.
        return orjson.dumps(data)

    async def get_sub_response(self, request: Request) -> Response:
        # Our route gives each request its own sub-response (strawberry's routes share
        # one attribute, which a request that suspends first could overwrite).
        own: Response | None = getattr(request.state, "graphql_sub_response", None)
        return own if own is not None else self.temporal_response

    async def on_ws_connect(self, context: GraphQLContext) -> UnsetType | dict[str, object] | None:
        params = context.connection_params if isinstance(context.connection_params, dict) else {}
        # By the key's presence, not its truth: `false`, `0` or "" sent as the token is a
        # malformed token (HTTP refuses an empty header too), not a request to be anonymous.
        key = "Authorization" if "Authorization" in params else "authorization"
        offered = params.get(key)
        if offered is not None and not isinstance(offered, str):
            # Not a token at all: refused, as a malformed header is, not taken as anonymous.
            raise ConnectionRejectionError(
                {"message": "send the token as text: Bearer <token>", "code": "UNAUTHENTICATED"}
            )
        if isinstance(offered, str):
            principal, error = self.api.principal_of(offered)
            if error is not None:
                raise ConnectionRejectionError({"message": error, "code": "UNAUTHENTICATED"})
            context.principal, context.auth_error = principal, None
        if pipeline.caller_refusal(context) is not None:
            raise ConnectionRejectionError({"message": "a valid token is required"})
        return await super().on_ws_connect(context)
