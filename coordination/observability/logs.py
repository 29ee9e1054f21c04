"""The node's logs: stdlib `logging` records rendered as one JSON object a line, with
the request id and correlation id of the request being served, which ride along through
context variables (set by the request-id middleware in `coordination.http`).
"""

from __future__ import annotations

import logging
import re
import uuid
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any, TextIO

import orjson

REQUEST_ID_HEADER = "x-request-id"
_VALID_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")

request_id_var: ContextVar[str | None] = ContextVar("request_id", default=None)
correlation_id_var: ContextVar[str | None] = ContextVar("correlation_id", default=None)


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time, level, logger, message, request and correlation ids.

    Extra fields given as ``extra={"fields": {...}}`` are merged in; nothing else of the
    record is, so a careless ``extra`` cannot leak into the logs.
    """

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        request_id = request_id_var.get()
        if request_id is not None:
            entry["request_id"] = request_id
        correlation = correlation_id_var.get()
        if correlation is not None:
            entry["correlation_id"] = correlation
        fields = getattr(record, "fields", None)
        if isinstance(fields, dict):
            entry.update(fields)
        if record.exc_info:
            entry["error"] = self.formatException(record.exc_info)
        # orjson: the access log formats a line per request, and the standard library's
        # encoder was a noticeable part of a cached answer's time (docs/performance.md).
        return orjson.dumps(entry, default=str, option=orjson.OPT_NON_STR_KEYS).decode()


def configure_logging(level: str = "INFO", stream: TextIO | None = None) -> logging.Handler:
    """Send every log record to `stream` (stderr) as JSON; returns the handler installed."""
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers = [handler]
    root.setLevel(level)
    return handler


def new_request_id(offered: str | None) -> str:
    """The caller's X-Request-ID when it is a short safe token, else a fresh UUID."""
    if offered and _VALID_REQUEST_ID.match(offered):
        return offered
    return str(uuid.uuid4())
