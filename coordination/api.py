"""`create_app(settings)`: the FastAPI application of one node.

The system is built in the lifespan, through `bootstrap`, so importing this module has no
side effects and every test can build its own app on its own database.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from coordination import __version__
from coordination.bootstrap import System, bootstrap
from coordination.settings import Settings


def get_system(request: Request) -> System:
    system: System = request.app.state.system
    return system


SystemDep = Annotated[System, Depends(get_system)]


def readiness(system: System) -> dict[str, Any]:
    """Check that the event store answers and is migrated (runs in a worker thread)."""
    try:
        position = system.app.recorder.max_notification_id() or 0
    except Exception as error:
        return {
            "status": "unavailable",
            "database": system.target.describe(),
            "detail": f"the event store cannot be read ({type(error).__name__}); "
            "is the database up, and has `coordination migrate` been run?",
        }
    return {"status": "ready", "database": system.target.describe(), "position": position}


def create_app(settings: Settings, *, system: System | None = None) -> FastAPI:
    """Build the node's HTTP application.

    Args:
        settings: The node's settings.
        system: An already wired system (tests, `serve` after migrating); built from
            `settings` when not given, and then closed with the app.
    """

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        owned = system is None
        app.state.system = system or await run_in_threadpool(
            bootstrap, settings, create_tables=False
        )
        try:
            yield
        finally:
            if owned:
                app.state.system.close()

    app = FastAPI(
        title="coordination",
        version=__version__,
        description="Event-sourced backend of a development partnership for the social economy.",
        lifespan=lifespan,
    )

    @app.get("/health", tags=["operations"])
    async def health() -> dict[str, str]:
        """Liveness: the process answers."""
        return {"status": "ok", "version": __version__, "origin": settings.origin}

    @app.get("/ready", tags=["operations"])
    async def ready(system: SystemDep) -> JSONResponse:
        """Readiness: the event store answers and is migrated."""
        report = await run_in_threadpool(readiness, system)
        return JSONResponse(report, status_code=200 if report["status"] == "ready" else 503)

    return app
