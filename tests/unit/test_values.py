"""Text as people write it: what the domain refuses and why."""

from __future__ import annotations

import pytest

from coordination.domain.errors import InvalidInput
from coordination.domain.values import optional_text, text


def test_text_is_stripped_and_bounded() -> None:
    assert text("  Social clauses\n", "title") == "Social clauses"
    assert optional_text("   ", "note") is None
    with pytest.raises(InvalidInput, match="title must not be empty"):
        text(" ", "title")
    with pytest.raises(InvalidInput, match="the limit is 5"):
        text("procurement", "title", max_length=5)


def test_tabs_and_line_breaks_are_kept() -> None:
    assert text("first\tsecond\r\nthird", "note") == "first\tsecond\r\nthird"


@pytest.mark.parametrize(
    ("written", "said"),
    [
        (
            "before\x00after",
            "must not contain the NUL character",
        ),  # PostgreSQL's text cannot hold it
        ("before\ud800after", "not valid Unicode text"),  # a lone surrogate has no UTF-8
    ],
)
def test_text_that_cannot_be_stored_is_refused(written: str, said: str) -> None:
    with pytest.raises(InvalidInput, match=said):
        text(written, "note")
    with pytest.raises(InvalidInput, match=said):
        optional_text(written, "note")
