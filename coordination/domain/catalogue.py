"""The catalogue of every event type: its stable type, schema version and fields.

`docs/event-catalogue.json` is generated from this and committed; a test fails when the
code and the committed catalogue disagree, so a field cannot change without a new
`class_version` (and an upcaster) being a visible, reviewed decision.
"""

from __future__ import annotations

import dataclasses
import typing
from typing import Any

from coordination.domain.accounting_cycle import AccountingCycle
from coordination.domain.action import Action
from coordination.domain.base import CoordinationAggregate
from coordination.domain.cohort import Cohort
from coordination.domain.command_record import CommandRecord
from coordination.domain.cooperation import CooperationAgreement
from coordination.domain.data_subject import DataSubject
from coordination.domain.decision import Decision
from coordination.domain.dissemination import Dissemination
from coordination.domain.document import Document
from coordination.domain.joint_group import JointGroup, JointPosition
from coordination.domain.mapping_survey import MappingSurvey
from coordination.domain.partnership import Partnership
from coordination.domain.peer_log import PeerLog
from coordination.domain.personal import PersonalField
from coordination.domain.programme import Programme
from coordination.domain.working_group import WorkingGroup
from coordination.domain.workshop import Workshop

AGGREGATES: tuple[type[CoordinationAggregate], ...] = (
    Partnership,
    WorkingGroup,
    Action,
    Decision,
    Workshop,
    AccountingCycle,
    MappingSurvey,
    Dissemination,
    Document,
    Programme,
    Cohort,
    DataSubject,
    CooperationAgreement,
    PeerLog,
    JointGroup,
    JointPosition,
    CommandRecord,
)

#: Fields every event has: from the library (stream, version, time) and our metadata.
LIBRARY_FIELDS = {"originator_id", "originator_version", "timestamp", "originator_topic"}
METADATA_FIELDS = [
    f.name for f in dataclasses.fields(CoordinationAggregate.Event) if f.name not in LIBRARY_FIELDS
]


def event_classes(aggregate: type[CoordinationAggregate]) -> list[type[Any]]:
    """The nested event classes of an aggregate that carry an explicit topic."""
    found = [
        value
        for name, value in vars(aggregate).items()
        if isinstance(value, type)
        and issubclass(value, CoordinationAggregate.Event)
        and name != "Event"
        and getattr(value, "TOPIC", None)
    ]
    return sorted(found, key=lambda cls: str(cls.TOPIC))


def type_name(annotation: Any) -> str:
    """A stable, readable name for a field's type (independent of module paths); a
    personal field is `Personal`, whatever form it takes in memory."""
    text = str(annotation) if not isinstance(annotation, type) else annotation.__name__
    text = text.replace(str(PersonalField), "Personal")
    for noise in ("typing.", "uuid.", "datetime."):
        text = text.replace(noise, "")
    return text


def event_catalogue() -> dict[str, Any]:
    """Every event type of the domain, keyed by its stable topic."""
    events: dict[str, Any] = {}
    for aggregate in AGGREGATES:
        for cls in event_classes(aggregate):
            hints = typing.get_type_hints(cls)
            fields = {
                f.name: type_name(hints[f.name])
                for f in dataclasses.fields(cls)
                if f.name not in LIBRARY_FIELDS and f.name not in METADATA_FIELDS
            }
            version = getattr(cls, "class_version", 1)
            events[cls.TOPIC] = {
                "stream": aggregate.TOPIC,
                "name": cls.__qualname__,
                "class_version": version,
                "type": f"{cls.TOPIC}.v{version}",
                "fields": fields,
            }
    return {"metadata": METADATA_FIELDS, "events": events}
