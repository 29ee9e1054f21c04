"""RFC 8785 (JCS) canonical JSON: the exact bytes of a log entry.

The ``rfc8785`` package is the reference, but it is written in pure Python and is many
times slower than ``orjson`` (decision 8), which would cap the integrator far below its
target rate. For the values envelopes hold (text, booleans, null, integers within
I-JSON's safe range, arrays and objects whose keys stay below U+D800), ``orjson`` with
sorted keys writes exactly the JCS bytes: compact, UTF-8, escaping only ``"``, ``\\``
and control characters (with the same short forms and lowercase ``\\u00xx``), and with
keys in code point order, which is JCS's UTF-16 order below U+D800. Anything else
(floats, other key ranges, other types) goes to ``rfc8785``; a property test holds the
two to the same bytes.
"""

from __future__ import annotations

import orjson
import rfc8785

MAX_SAFE_INTEGER = 2**53 - 1
"""I-JSON's largest exactly representable integer; JCS refuses larger ones."""

_OPTIONS = orjson.OPT_SORT_KEYS | orjson.OPT_STRICT_INTEGER
_ORDERED_OPTIONS = orjson.OPT_STRICT_INTEGER


def is_plain(value: object) -> bool:
    """Whether ``value`` lies where the standard encoder writes JCS bytes exactly."""
    kind = type(value)
    if kind is str or kind is bool or value is None:
        return True
    if kind is int:
        return -MAX_SAFE_INTEGER <= value <= MAX_SAFE_INTEGER  # type: ignore[operator]
    # Loops rather than all(...): this runs for every entry the integrator writes.
    if kind is dict:
        for key, item in value.items():  # type: ignore[attr-defined]
            if type(key) is not str or not (key.isascii() or max(key) < "\ud800"):
                return False
            if not is_plain(item):
                return False
        return True
    if kind is list:
        for item in value:  # type: ignore[attr-defined]  # noqa: SIM110 - see above
            if not is_plain(item):
                return False
        return True
    return False


def dumps_plain(value: object) -> bytes:
    """The JCS bytes of a value for which ``is_plain`` holds (not checked here).

    Raises:
        ValueError: Text holds a lone surrogate.
    """
    try:
        return orjson.dumps(value, option=_OPTIONS)
    except orjson.JSONEncodeError as exc:
        raise ValueError(f"text is not valid Unicode: {exc}") from exc


def dumps_ordered(value: object) -> bytes:
    """The JCS bytes of a value for which ``is_plain`` holds and whose objects already have
    their keys in code point order (neither is checked here); sorting is a large part of
    orjson's time on an envelope (docs/performance.md).

    Raises:
        ValueError: Text holds a lone surrogate.
    """
    try:
        return orjson.dumps(value, option=_ORDERED_OPTIONS)
    except orjson.JSONEncodeError as exc:
        raise ValueError(f"text is not valid Unicode: {exc}") from exc


def canonical_json(value: object) -> bytes:
    """The RFC 8785 serialisation of a JSON value.

    Args:
        value: Built of ``dict`` (text keys), ``list``, ``str``, ``int``, ``float``,
            ``bool`` and ``None``.

    Returns:
        The canonical UTF-8 bytes.

    Raises:
        ValueError: The value cannot be canonicalised (an integer or float outside
            I-JSON, a lone surrogate, a type JSON does not have).
    """
    if is_plain(value):
        return dumps_plain(value)
    try:
        return rfc8785.dumps(value)  # type: ignore[arg-type]
    except (rfc8785.CanonicalizationError, TypeError) as exc:
        raise ValueError(f"not canonicalisable as RFC 8785 JSON: {exc}") from exc
