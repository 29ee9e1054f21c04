"""B7 findings: the validated responses of a survey aggregated into cells, none of which
describes fewer organisations than the survey's minimum.

A figure describes the organisations it counts: a number question's sum describes every
organisation of its cell that answered it; a yes/no question's count of yes describes
those that said yes, and the rest of its cell those that said no. So a cell is published
only when it holds at least the minimum of organisations answering, and a yes/no count
only when the yes group and the no group are each empty or at least the minimum: the
cell's size minus its count of yes would otherwise describe a smaller group. Findings are
refused, never silently suppressed: the survey's owner chooses a coarser grouping
(decision 0041).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum

from coordination.domain.errors import RuleViolation

#: The smallest minimum cell size a survey may set: below it a cell is nearly one organisation.
MINIMUM_CELL_FLOOR = 3
MINIMUM_CELL_CEILING = 1000


class QuestionKind(StrEnum):
    """What an answer is: a whole number (staff, members, turnover), or yes (1) or no (0)."""

    NUMBER = "number"
    YES_NO = "yes_no"


class Grouping(StrEnum):
    """How findings group the organisations: each cell is one value of these dimensions."""

    REGION_AND_KIND = "region_and_kind"
    REGION = "region"
    KIND = "kind"
    NATIONAL = "national"


@dataclass(frozen=True)
class ValidatedResponse:
    """What findings need of a validated response: where, which kind, the answers."""

    region: str
    kind: str
    answers: Mapping[str, int]


class CellBelowMinimum(RuleViolation):
    """Publishing would show a figure that describes fewer organisations than the minimum."""


def cell_label(region: str | None, kind: str | None) -> str:
    """A cell as a user reads it: "region 'Skåne', kind 'cooperative'", or "the nation"."""
    parts = [f"{name} '{value}'" for name, value in (("region", region), ("kind", kind)) if value]
    return ", ".join(parts) or "the nation"


def aggregate(
    responses: Iterable[ValidatedResponse],
    questions: Mapping[str, str],
    grouping: Grouping,
    minimum: int,
) -> list[dict[str, str | int | None]]:
    """The findings: one cell per (region, kind, question) that validated answers fill.

    Args:
        responses: The validated responses.
        questions: Every question key ever asked -> its `QuestionKind` value.
        grouping: Which dimensions the cells keep.
        minimum: The fewest organisations a figure may describe.

    Returns:
        Cells in a stable order, each with `region` and `kind` (None when not grouped
        by it), `question`, `organisations` (how many answered) and `value` (the sum of
        a number question, the count of yes of a yes/no question).

    Raises:
        CellBelowMinimum: A figure would describe fewer organisations than `minimum`;
            the message names the first such cell and question.
    """
    by_region = grouping in (Grouping.REGION_AND_KIND, Grouping.REGION)
    by_kind = grouping in (Grouping.REGION_AND_KIND, Grouping.KIND)
    cells: dict[tuple[str, str, str], list[int]] = defaultdict(list)
    for response in responses:
        region = response.region if by_region else ""
        kind = response.kind if by_kind else ""
        for question, value in response.answers.items():
            cells[(region, kind, question)].append(value)
    found: list[dict[str, str | int | None]] = []
    for (region, kind, question), values in sorted(cells.items()):
        label = f"{cell_label(region or None, kind or None)}, question '{question}'"
        if len(values) < minimum:
            raise CellBelowMinimum(
                f"the findings would publish a cell below the minimum: {label} describes"
                f" {len(values)} organisation{'s' if len(values) != 1 else ''}, fewer than"
                f" the minimum of {minimum}; choose a coarser grouping"
            )
        total = sum(values)
        if questions.get(question) == QuestionKind.YES_NO:
            for group, size in (("yes", total), ("no", len(values) - total)):
                if 0 < size < minimum:
                    raise CellBelowMinimum(
                        f"the findings would publish a cell below the minimum: in {label}"
                        f" the {group} answers describe {size} organisation"
                        f"{'s' if size != 1 else ''}, fewer than the minimum of {minimum};"
                        " choose a coarser grouping"
                    )
        found.append(
            {
                "region": region or None,
                "kind": kind or None,
                "question": question,
                "organisations": len(values),
                "value": total,
            }
        )
    return found
