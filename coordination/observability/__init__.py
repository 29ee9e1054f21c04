"""Operations: the node's metrics (`metrics`) and its structured logs (`logs`), and
nothing else: no routes and no middleware (those are the rim's, in `coordination.http`),
so that any layer may count and log without importing the layers above it.
"""

from coordination.observability.logs import (
    JsonFormatter,
    configure_logging,
    correlation_id_var,
    new_request_id,
    request_id_var,
)
from coordination.observability.metrics import (
    LogStatus,
    LogStatusSource,
    Metrics,
    StatusSource,
    ViewStatus,
)

__all__ = [
    "JsonFormatter",
    "LogStatus",
    "LogStatusSource",
    "Metrics",
    "StatusSource",
    "ViewStatus",
    "configure_logging",
    "correlation_id_var",
    "new_request_id",
    "request_id_var",
]
