"""`GET /metrics`: the node's metrics in the Prometheus text format."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response
from prometheus_client import CONTENT_TYPE_LATEST
from starlette.concurrency import run_in_threadpool

from coordination.observability import Metrics, StatusSource


def metrics_router(metrics: Metrics, views: StatusSource | None = None) -> APIRouter:
    """`GET /metrics` in the Prometheus text format.

    Args:
        metrics: The app's metrics.
        views: Reads each projection's lag and parked events at scrape time; when None,
            `metrics.views` is used (set by `bootstrap.graphql.start_graphql` once the views run).
    """
    router = APIRouter(tags=["operations"])

    @router.get("/metrics", response_class=Response)
    async def metrics_endpoint() -> Response:
        """Prometheus metrics: requests, operations, commands, projection and log lag."""
        source = views or metrics.views
        if source is not None:
            await metrics.refresh_views(source)
        if metrics.log is not None:
            await metrics.refresh_log(metrics.log)
        # In a worker thread: the partners' sync figures are read from the database.
        body = await run_in_threadpool(metrics.exposition)
        return Response(body, media_type=CONTENT_TYPE_LATEST)

    return router
