"""RFC 8785: the fast path writes exactly what the reference package writes."""

from __future__ import annotations

import json
from typing import Any

import pytest
import rfc8785
from hypothesis import given, settings
from hypothesis import strategies as st

from coordination.audit.canonical import MAX_SAFE_INTEGER, canonical_json

scalars = (
    st.none()
    | st.booleans()
    | st.integers(-MAX_SAFE_INTEGER, MAX_SAFE_INTEGER)
    | st.text()
    | st.text(st.sampled_from('\x00\x01\x08\t\n\x0b\x0c\r\x1f\x7f"\\/\u2028\ue000\U0001f600é'))
    | st.floats(allow_nan=False, allow_infinity=False)
)
json_values = st.recursive(
    scalars,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=6), children, max_size=4)
    ),
    max_leaves=20,
)


@settings(max_examples=400, deadline=None)
@given(json_values)
def test_canonical_json_equals_the_reference_implementation(value: Any) -> None:
    assert canonical_json(value) == rfc8785.dumps(value)


@pytest.mark.parametrize(
    "value",
    [
        {"\U0001f600": 1, "\ufb33": 2},  # UTF-16 order differs from code point order here
        {"b": 1.5, "a": [1e21, -0.0, 5e-324]},
        '\x00\x1f\u2028\x7f"\\',
        {"": {"": []}},
    ],
)
def test_tricky_values_match_the_reference(value: Any) -> None:
    assert canonical_json(value) == rfc8785.dumps(value)


def test_the_output_is_compact_sorted_utf8_json() -> None:
    assert canonical_json({"b": [1, "ä"], "a": None}) == '{"a":null,"b":[1,"ä"]}'.encode()
    assert json.loads(canonical_json({"x": "\n"})) == {"x": "\n"}


@pytest.mark.parametrize(
    "value", [2**53, {"a": -(2**60)}, "\ud800", {"a": object()}, [float("nan")]]
)
def test_values_outside_i_json_are_refused(value: Any) -> None:
    with pytest.raises(ValueError, match=r"canonical|Unicode"):
        canonical_json(value)
