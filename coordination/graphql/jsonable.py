"""Domain values to JSON-ready values: for event data and past aggregate states."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime
from enum import Enum
from typing import Any
from uuid import UUID

#: Aggregate attributes that are the library's bookkeeping, not the aggregate's state.
_PRIVATE_PREFIX = "_"


def jsonable(value: Any) -> Any:
    """A JSON-ready copy: ids and times as strings, sets sorted, dataclasses as objects."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, Enum):
        return jsonable(value.value)
    if isinstance(value, (UUID, date, datetime)):
        return value.isoformat() if not isinstance(value, UUID) else str(value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {str(jsonable(key)): jsonable(item) for key, item in value.items()}
    if isinstance(value, (set, frozenset)):
        return sorted((jsonable(item) for item in value), key=str)
    if isinstance(value, (list, tuple)):
        return [jsonable(item) for item in value]
    return str(value)


def public_state(aggregate: object) -> dict[str, Any]:
    """The aggregate's public attributes (not the library's underscored bookkeeping)."""
    return {
        name: jsonable(value)
        for name, value in vars(aggregate).items()
        if not name.startswith(_PRIVATE_PREFIX)
    }
