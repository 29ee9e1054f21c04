"""One meaning per name: `position` is an organisation's stance on a decision, and a
place in the node's log of events is a `logPosition`; a tally says how many may take a
position (`electorate`) apart from how many it counted (`counted`).

`position` meant both (`takePosition { … position }` answered a number), `events(after:)`
took a log position where every other `after` is a page's cursor, and `tally.counted`
was the electorate's size, 2 before anyone had taken a position.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import graphql

from coordination.bootstrap import System
from coordination.graphql.schema import schema_sdl
from coordination.projections import Projections
from tests.graphql.conftest import Gql, caught_up
from tests.graphql.scenario import Scenario

SCHEMA = graphql.build_schema(schema_sdl())
TALLY = "query($d: UUID!) { decision(uuid: $d) { tally { electorate counted agree disagree } } }"
TAKE = (
    "mutation($input: TakePositionInput!) { takePosition(input: $input) { __typename"
    " ... on TakePositionPayload { logPosition } ... on UserError { message } } }"
)
TRAIL = (
    "query($d: UUID!) { auditTrail(where: {streamId: $d}) { edges { node { type logPosition } } } }"
)


def names_about_positions() -> dict[str, str]:
    """Every field and argument of the schema whose name says `position`, with its type."""
    found = {}
    for kind in SCHEMA.type_map.values():
        if kind.name.startswith("__") or not hasattr(kind, "fields"):
            continue
        for name, field in kind.fields.items():
            if "position" in name.lower():
                found[f"{kind.name}.{name}"] = str(field.type)
            for argument, definition in getattr(field, "args", {}).items():
                if "position" in argument.lower() or argument == "after":
                    found[f"{kind.name}.{name}({argument})"] = str(definition.type)
    return found


def test_position_is_the_stance_and_a_place_in_the_log_is_a_log_position() -> None:
    for name, kind in names_about_positions().items():
        field = name.split(".")[1]
        if field.endswith("(after)"):
            assert kind == "String", name  # a page's cursor, everywhere
        elif field.endswith("(afterLogPosition)"):
            assert kind == "Int", name
        elif field == "position":
            assert kind in {"PositionKind!", "PositionKind"}, name
        elif name == "RecordedEvent.logPosition":
            assert kind == "Int", name  # null for a partner's event (decision 49)
        elif field == "logPosition":
            assert kind == "Int!", name
        else:
            assert field in {
                "positions",
                "positionsTaken",
                "takePosition",
                "revisePosition",
                "takeJointPosition",
            }, name
    payload = SCHEMA.get_type("CommandPayload")
    assert isinstance(payload, graphql.GraphQLInterfaceType)
    assert "logPosition" in payload.fields
    assert "position" not in payload.fields


async def test_a_payloads_log_position_is_where_its_event_is_and_a_tally_counts_apart(
    scenario: Scenario, gql: Gql, system: System, projections: Projections
) -> None:
    scn = scenario
    decision = scn.called_decision(scn.group)  # its electorate: A and B
    await caught_up(system, projections)

    async def tally() -> dict[str, Any]:
        data = await gql.data(TALLY, {"d": str(decision)}, scn.principal("admin"))
        counts: dict[str, Any] = data["decision"]["tally"]
        return counts

    assert await tally() == {"electorate": 2, "counted": 0, "agree": 0, "disagree": 0}

    took = await gql.data(
        TAKE,
        {"input": {"decisionId": str(decision), "position": "AGREE"}},
        scn.principal("representative"),
    )
    at = took["takePosition"]["logPosition"]
    trail = await gql.data(TRAIL, {"d": str(decision)}, scn.principal("admin"))
    last = trail["auditTrail"]["edges"][-1]["node"]
    assert last == {"type": "coordination.decision.position_taken.v1", "logPosition": at}
    assert await tally() == {"electorate": 2, "counted": 1, "agree": 1, "disagree": 0}

    # B took its position and then withdrew: at closing, only A is still entitled to a
    # voice, and only A's position is counted.
    scn.app.take_position(scn.of("A"), decision, position="disagree", reason="Not yet")
    now = datetime.now(UTC)
    scn.app.withdraw_member(
        scn.secretariat(at=now), scn.partnership, member_id=scn.orgs["B"], reason="Left"
    )
    scn.app.close_decision(scn.secretariat(at=now + timedelta(seconds=1)), decision)
    await caught_up(system, projections)
    assert await tally() == {"electorate": 1, "counted": 1, "agree": 0, "disagree": 1}
