"""Text as people write it: what the domain refuses and why."""

from __future__ import annotations

import pytest

from coordination.domain.errors import InvalidInput
from coordination.domain.values import name, optional_name, optional_text, text


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
            r"must not contain the control character U\+0000 \(NUL\)",
        ),  # PostgreSQL's text cannot hold it
        ("before\ud800after", "not valid Unicode text"),  # a lone surrogate has no UTF-8
    ],
)
def test_text_that_cannot_be_stored_is_refused(written: str, said: str) -> None:
    with pytest.raises(InvalidInput, match=said):
        text(written, "note")
    with pytest.raises(InvalidInput, match=said):
        optional_text(written, "note")


@pytest.mark.parametrize(
    ("written", "said"),
    [
        ("red\x1b[31m", r"U\+001B \(ESC\) \(character 4\)"),
        ("ring\x07", r"U\+0007 \(BEL\) \(character 5\)"),
        ("back\x08space", r"U\+0008 \(BS\)"),
        ("vertical\x0btab", r"U\+000B \(character 9\)"),
        ("form\x0cfeed", r"U\+000C"),
        ("delete\x7f", r"U\+007F \(DEL\)"),
        ("c1\x9bcontrol", r"U\+009B"),  # the one-character CSI of terminals
        ("next\x85line", r"U\+0085"),
    ],
)
def test_control_characters_are_refused_in_text_and_names(written: str, said: str) -> None:
    for check in (text, name, optional_text, optional_name):
        with pytest.raises(
            InvalidInput, match=f"^minutes must not contain the control character {said}"
        ):
            check(written, "minutes")


@pytest.mark.parametrize(
    ("written", "said"),
    [
        ("Stockholm\ncity", r"character 10 is U\+000A \(LF\)"),
        ("Stockholm\r\ncity", r"character 10 is U\+000D \(CR\)"),
        ("Stockholm\tcity", r"character 10 is U\+0009 \(TAB\)"),
        ("Stockholm\u2028city", r"character 10 is U\+2028"),
    ],
)
def test_a_name_is_one_line_without_tabs(written: str, said: str) -> None:
    for check in (name, optional_name):
        with pytest.raises(
            InvalidInput, match=f"^organisation name must be one line without tabs: {said}$"
        ):
            check(written, "organisation name")
    assert text(written, "note") == written  # free text keeps its lines and tabs


def test_names_keep_what_people_write() -> None:
    assert name("  Kooperativet Äng & Co — «Ø» 🌱 ", "organisation name") == (
        "Kooperativet Äng & Co — «Ø» 🌱"
    )
    kept = "Farmers \U0001f469\u200d\U0001f33e\u200f"  # a joiner and a mark: format, not control
    assert name(f"{kept} coop", "organisation name") == f"{kept} coop"
    assert optional_name("   ", "venue") is None
