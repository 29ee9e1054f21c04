"""Queries over every view, on the demo partnership, as the callers who may read them."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from uuid import UUID, uuid4

import pytest
from eventsourcing.compressor import ZlibCompressor
from eventsourcing.persistence import JSONTranscoder, Mapper
from rich.console import Console

from coordination.auth.principal import ANONYMOUS, Principal, Role
from coordination.bootstrap import System
from coordination.graphql.event_log import state_needles
from coordination.graphql.event_types import INTERNAL_TOPICS
from coordination.graphql.queries import audit
from coordination.graphql.relay import global_id
from coordination.projections import Projections
from coordination_demo import START, DemoSummary, load_demo, person
from tests.graphql.conftest import Gql
from tests.graphql.scenario import Scenario


@dataclass
class Demo:
    ids: dict[str, UUID]
    partnership: UUID
    admin: Principal
    auditor: Principal
    convenor: Principal  # Stockholms stad's representative, convenor of the procurement group
    outsider: Principal  # ABF's representative: a member of the finance group only

    def id(self, key: str) -> str:
        return str(self.ids[key])


@pytest.fixture
async def demo(system: System, projections: Projections) -> Demo:
    summary: DemoSummary = load_demo(
        system.app, origin=system.settings.origin, console=Console(file=io.StringIO())
    )
    head = system.app.recorder.max_notification_id() or 0
    assert await projections.runner.wait_until(head, 30)
    ids = summary.ids
    return Demo(
        ids=ids,
        partnership=summary.partnership_id,
        admin=Principal(Role.ADMIN, person("secretariat")),
        auditor=Principal(Role.AUDITOR, uuid4()),
        convenor=Principal(
            Role.CONVENOR,
            person("representative of Stockholms stad"),
            org=ids["member:Stockholms stad"],
            groups=frozenset({ids["group:1"]}),
        ),
        outsider=Principal(
            Role.REPRESENTATIVE,
            person("representative of ABF Stockholm"),
            org=ids["member:ABF Stockholm"],
        ),
    )


def codes(result: Any) -> list[str]:
    return [error.extensions.get("code") for error in result.errors or []]


def nodes(connection: dict[str, Any]) -> list[dict[str, Any]]:
    return [edge["node"] for edge in connection["edges"]]


async def test_the_public_registry_is_read_by_anyone(gql: Gql, demo: Demo) -> None:
    data = await gql.data(
        "query($p: UUID!) { partnership(uuid: $p) { name programme memberCount"
        " organisations(first: 20) { edges { node { name kind } } }"
        " themes { edges { node { name archived } } } }"
        " organisations(kind: MUNICIPALITY) { edges { node { name } } }"
        " forums { edges { node { __typename name } } } }",
        {"p": str(demo.partnership)},
    )
    partnership = data["partnership"]
    assert partnership["programme"] == "EQUAL"
    assert partnership["memberCount"] == 11
    assert len(nodes(partnership["organisations"])) == 11
    assert [t["name"] for t in nodes(partnership["themes"])] == [
        "Education",
        "Support services",
        "Social accounting",
    ]
    assert {o["name"] for o in nodes(data["organisations"])} == {
        "Stockholms stad",
        "Huddinge kommun",
    }
    assert [f["__typename"] for f in nodes(data["forums"])] == ["Partnership"]

    for private in (
        "query { forums(kind: WORKING_GROUP) { edges { cursor } } }",
        "query($g: UUID!) { workingGroup(uuid: $g) { name } }",
        "query { participation { edges { cursor } } }",
        "query { representatives { edges { cursor } } }",
        "query { workshops { edges { cursor } } }",
        "query { actions { edges { cursor } } }",
    ):
        refused = await gql.run(private, {"g": demo.id("group:1")} if "$g" in private else None)
        assert codes(refused) == ["UNAUTHENTICATED"], private


GROUP_PAGE = """
query($g: UUID!) { workingGroup(uuid: $g) {
  __typename name purpose defaultRule status memberCount convenorPersonId
  convenorOrganisation { name } partnership { name }
  members { edges { node { name kind active organisation { admittedOn } } } }
  decisions { edges { node { title status inForce supersedes supersededBy
    tally { agree abstain disagree block electorate counted } quorumMet ruleMet electorate
    forum { __typename name }
    positions { edges { node { position reason byProxy flagged organisation { name } } } } } } }
  actions { edges { node { description status progress owner { name } } } }
  workshops { edges { node { title status } } }
} }
"""


async def test_a_working_group_page(gql: Gql, demo: Demo) -> None:
    data = await gql.data(GROUP_PAGE, {"g": demo.id("group:1")}, demo.convenor)
    group = data["workingGroup"]
    assert group["__typename"] == "WorkingGroup"
    assert group["name"] == "Business development / public procurement"
    assert group["defaultRule"] == "CONSENT"
    assert group["convenorOrganisation"]["name"] == "Stockholms stad"
    assert group["convenorPersonId"] == str(person("representative of Stockholms stad"))
    assert group["partnership"]["name"].startswith("Stockholms läns")
    assert group["memberCount"] == 5
    assert len(nodes(group["members"])) == 5
    first, second = nodes(group["decisions"])
    assert (first["status"], first["inForce"]) == ("SUPERSEDED", False)
    assert (second["status"], second["inForce"]) == ("ADOPTED", True)
    assert second["supersedes"] == demo.id("decision:1")
    assert first["supersededBy"] == demo.id("decision:2")
    assert second["tally"] == {
        "agree": 4,
        "abstain": 1,
        "disagree": 0,
        "block": 0,
        "electorate": 5,
        "counted": 5,
    }
    assert (second["quorumMet"], second["ruleMet"]) == (True, True)
    assert second["forum"] == {"__typename": "WorkingGroup", "name": group["name"]}
    positions = nodes(second["positions"])
    assert len(positions) == 5
    assert {p["position"] for p in positions} == {"AGREE", "ABSTAIN"}
    assert all(p["organisation"]["name"] for p in positions)
    assert len(nodes(group["actions"])) == 2
    assert [w["status"] for w in nodes(group["workshops"])] == ["HELD"]


async def test_decisions_by_filter(gql: Gql, demo: Demo) -> None:
    async def titles(where: dict[str, Any]) -> list[str]:
        data = await gql.data(
            "query($w: DecisionFilter) { decisions(where: $w) { edges { node { title } } } }",
            {"w": where},
            demo.admin,
        )
        return [d["title"] for d in nodes(data["decisions"])]

    later = "Recommend social clauses and reserved contracts"
    earlier = "Recommend social clauses in municipal tenders"
    assert await titles({"inForce": True}) == [later]
    assert await titles({"status": ["SUPERSEDED"]}) == [earlier]
    assert await titles({"status": ["ADOPTED", "SUPERSEDED"]}) == [earlier, later]
    assert await titles({"forumId": demo.id("group:1")}) == [earlier, later]
    assert await titles({"forumId": demo.id("group:0")}) == []
    assert await titles({"themeId": demo.id("theme:Support services")}) == [earlier, later]
    assert await titles({"themeId": demo.id("theme:Education")}) == []
    voter = demo.id("member:Vårdföretaget Omsorg i Stockholm AB")
    assert await titles({"organisationId": voter}) == [earlier, later]
    assert await titles({"organisationId": demo.id("member:ABF Stockholm")}) == []
    middle = (START + timedelta(days=200)).isoformat()
    assert await titles({"tabledFrom": middle}) == [later]
    assert await titles({"tabledBefore": middle}) == [earlier]

    one = await gql.data(
        "query($d: UUID!) { decision(uuid: $d) { id title revision contributions } }",
        {"d": demo.id("decision:2")},
        demo.admin,
    )
    assert one["decision"]["contributions"] == 1
    assert one["decision"]["id"] == global_id("Decision", demo.ids["decision:2"])


async def test_a_groups_business_is_read_by_its_members_only(gql: Gql, demo: Demo) -> None:
    refused = await gql.run(GROUP_PAGE, {"g": demo.id("group:1")}, demo.outsider)
    # Its members, decisions and actions are refused, each on its own path; the rest of
    # the group's page is shown, as it is to any signed-in caller.
    assert codes(refused) == ["FORBIDDEN"] * 3
    assert sorted(tuple(e.path or ()) for e in refused.errors or []) == [
        ("workingGroup", "actions"),
        ("workingGroup", "decisions"),
        ("workingGroup", "members"),
    ]
    assert refused.data is not None
    page = refused.data["workingGroup"]
    assert page["name"] == "Business development / public procurement"
    assert (page["members"], page["decisions"], page["actions"]) == (None, None, None)
    listed = await gql.data("query { decisions { edges { node { title } } } }", None, demo.outsider)
    assert nodes(listed["decisions"]) == []
    hidden = await gql.data(
        "query($d: UUID!) { decision(uuid: $d) { title } }",
        {"d": demo.id("decision:1")},
        demo.outsider,
    )
    assert hidden["decision"] is None
    own = await gql.data(
        "query($g: UUID!) { workingGroup(uuid: $g) {"
        " actions { edges { node { description } } } } }",
        {"g": demo.id("group:2")},
        demo.outsider,
    )
    assert len(nodes(own["workingGroup"]["actions"])) == 2


async def test_the_action_tracker_by_filter(gql: Gql, demo: Demo) -> None:
    async def described(where: dict[str, Any]) -> set[str]:
        data = await gql.data(
            "query($w: ActionFilter) { actions(where: $w, first: 50) {"
            " edges { node { description overdue owner { name } } } } }",
            {"w": where},
            demo.admin,
        )
        return {a["description"] for a in nodes(data["actions"])}

    everything = await described({})
    assert len(everything) == 5
    completed = "Map the support needs of new social enterprises in three municipalities"
    assert await described({"status": "COMPLETED"}) == {completed}
    assert len(await described({"status": "OPEN"})) == 4
    assert await described({"overdue": True}) == everything - {completed}
    follow_up = "Present a guarantee-fund model for cooperatives"
    coompanion = demo.id("member:Coompanion Stockholm")
    assert follow_up in await described({"ownerId": coompanion})
    assert await described({"groupId": demo.id("group:0")}) == {completed}
    assert await described({"dueBefore": "2025-01-01"}) == set()
    assert await described({"dueFrom": "2025-01-01", "dueBefore": "2030-01-01"}) == everything

    one = await gql.data(
        "query($a: UUID!) { action(uuid: $a) { status progress lastNote owner { name } } }",
        {"a": demo.id("action:0:0")},
        demo.admin,
    )
    assert one["action"]["status"] == "COMPLETED"
    assert one["action"]["progress"] == 100


async def test_the_workshop_calendar(gql: Gql, demo: Demo) -> None:
    data = await gql.data(
        "query($o: UUID!) { held: workshops(where: {status: HELD}) { edges { node {"
        " title agenda minutesStatus minutesHash registered attended followUpActionIds"
        " registrations { edges { node { role active organisationId } } }"
        " attendance(first: 3) { edges { node { organisationId } } pageInfo { hasNextPage } }"
        " attendanceByKind { kind registered attended } } } }"
        " planned: workshops(where: {status: PLANNED}) { edges { cursor } }"
        " byOrg: workshops(where: {organisationId: $o}) { edges { cursor } } }",
        {"o": demo.id("member:Huddinge kommun")},
        demo.admin,
    )
    (held,) = nodes(data["held"])
    assert held["title"] == "Municipal representatives meet the social economy"
    assert len(held["agenda"]) == 4
    assert held["minutesStatus"] == "APPROVED"
    assert len(held["minutesHash"]) == 64
    assert (held["registered"], held["attended"]) == (6, 5)
    assert held["followUpActionIds"] == [demo.id("follow-up")]
    assert len(nodes(held["registrations"])) == 6
    assert held["attendance"]["pageInfo"]["hasNextPage"] is True
    municipalities = next(k for k in held["attendanceByKind"] if k["kind"] == "MUNICIPALITY")
    assert municipalities == {"kind": "MUNICIPALITY", "registered": 2, "attended": 2}
    assert data["planned"]["edges"] == []
    assert len(data["byOrg"]["edges"]) == 1


async def test_mandates_and_participation(gql: Gql, demo: Demo) -> None:
    data = await gql.data(
        'query($o: UUID!) { representatives(on: "2026-01-01") { edges { node {'
        " personId alternate organisation { name } } } }"
        " participation(kind: COOPERATIVE) { edges { node { name groupsJoined } } }"
        " organisation(uuid: $o) { name participation { groupsJoined positionsTaken"
        " registrations attendances actionsOwned actionsOpen } } }",
        {"o": demo.id("member:Coompanion Stockholm")},
        demo.convenor,
    )
    assert len(nodes(data["representatives"])) == 11
    assert nodes(data["participation"]) == [{"name": "Coompanion Stockholm", "groupsJoined": 3}]
    taking_part = data["organisation"]["participation"]
    assert taking_part["groupsJoined"] == 3
    assert taking_part["positionsTaken"] == 2
    assert taking_part["registrations"] == 1
    assert taking_part["actionsOwned"] >= 1


async def test_every_node_is_found_by_its_global_id(gql: Gql, demo: Demo) -> None:
    for type_name, key in [
        ("Partnership", None),
        ("WorkingGroup", "group:1"),
        ("Organisation", "member:Huddinge kommun"),
        ("Decision", "decision:1"),
        ("Action", "action:0:0"),
        ("Workshop", "workshop"),
    ]:
        uuid = demo.partnership if key is None else demo.ids[key]
        found = await gql.data(
            "query($id: ID!) { node(id: $id) { __typename id uuid } }",
            {"id": global_id(type_name, uuid)},
            demo.admin,
        )
        assert found["node"] == {
            "__typename": type_name,
            "id": global_id(type_name, uuid),
            "uuid": str(uuid),
        }
    for missing in (global_id("Decision", uuid4()), global_id("Spaceship", uuid4())):
        gone = await gql.data(
            "query($id: ID!) { node(id: $id) { id } }", {"id": missing}, demo.admin
        )
        assert gone["node"] is None
    wrong_kind = global_id("Partnership", demo.ids["group:1"])
    assert (
        await gql.data("query($id: ID!) { node(id: $id) { id } }", {"id": wrong_kind}, demo.admin)
    )["node"] is None
    garbage = await gql.run('query { node(id: "!!not an id") { id } }')
    assert codes(garbage) == ["BAD_USER_INPUT"]
    # Anonymous: told to sign in for a working group, as `workingGroup(uuid:)` and an
    # action's node say (it was null, as for a group that does not exist).
    for kind, key in [("WorkingGroup", "group:1"), ("Action", "action:0:0")]:
        anonymous = await gql.run(
            "query($id: ID!) { node(id: $id) { id } }",
            {"id": global_id(kind, demo.ids[key])},
        )
        assert codes(anonymous) == ["UNAUTHENTICATED"], (kind, anonymous)
    partnership = {"id": global_id("Partnership", demo.partnership)}
    public = await gql.data("query($id: ID!) { node(id: $id) { id } }", partnership)
    assert public["node"] is not None


AUDIT = (
    "query($w: AuditFilter, $first: Int, $after: String) {"
    " auditTrail(where: $w, first: $first, after: $after) {"
    " edges { cursor node { eventId type streamId version logPosition occurredAt recordedAt"
    " actor actingFor origin correlationId causationId audience data } }"
    " pageInfo { hasNextPage endCursor } } }"
)


async def test_the_audit_trail(gql: Gql, demo: Demo) -> None:
    async def trail(where: dict[str, Any], first: int = 100, after: str | None = None) -> Any:
        data = await gql.data(AUDIT, {"w": where, "first": first, "after": after}, demo.auditor)
        return data["auditTrail"]

    decision = await trail({"streamId": demo.id("decision:1")})
    events = nodes(decision)
    assert [e["version"] for e in events] == list(range(1, len(events) + 1))
    assert events[0]["type"] == "coordination.decision.proposal_tabled.v1"
    assert events[0]["data"]["title"] == "Recommend social clauses in municipal tenders"
    assert events[0]["actingFor"] == demo.id("member:Stockholms stad")
    assert events[0]["audience"] == f"forum:{demo.id('group:1')}"
    assert events[0]["origin"] == "test.example/coordination/log"
    assert events[-1]["type"] == "coordination.decision.decision_superseded.v1"
    positions = [e["logPosition"] for e in events]
    assert positions == sorted(positions)
    assert decision["pageInfo"]["hasNextPage"] is False

    actor = str(person("representative of Vägen ut! kooperativen"))
    by_actor = nodes(await trail({"actor": actor}))
    assert by_actor
    assert {e["actor"] for e in by_actor} == {actor}
    org = demo.id("member:Coompanion Stockholm")
    assert {e["actingFor"] for e in nodes(await trail({"organisationId": org}))} == {org}
    taken = nodes(await trail({"types": ["coordination.decision.position_taken"]}))
    assert len(taken) == 10
    # The type as the trail shows it, with its version, matched nothing at all.
    assert nodes(await trail({"types": ["coordination.decision.position_taken.v1"]})) == taken
    for unknown, words in [
        ("coordination.decision.position_take", "no event type"),
        ("position_taken", "no event type"),
        ("coordination.decision.position_taken.v7", "is at version 1"),
    ]:
        refused = await gql.run(AUDIT, {"w": {"types": [unknown]}}, demo.auditor)
        assert codes(refused) == ["BAD_USER_INPUT"], refused
        assert words in refused.errors[0].message
    assert nodes(await trail({"recordedBefore": "2000-01-01T00:00:00+00:00"})) == []

    page = await trail({"streamId": demo.id("decision:1")}, first=3)
    assert len(page["edges"]) == 3
    assert page["pageInfo"]["hasNextPage"] is True
    rest = await trail({"streamId": demo.id("decision:1")}, after=page["pageInfo"]["endCursor"])
    assert [e["version"] for e in nodes(rest)] == list(range(4, len(events) + 1))
    # An empty page (this used to fail with an unexpected error) ends where it began.
    none = await trail(
        {"streamId": demo.id("decision:1")}, first=0, after=page["pageInfo"]["endCursor"]
    )
    assert none["edges"] == []
    assert none["pageInfo"]["hasNextPage"] is True
    again = await trail({"streamId": demo.id("decision:1")}, after=none["pageInfo"]["endCursor"])
    assert nodes(again) == nodes(rest)

    assert codes(await gql.run(AUDIT, {}, demo.convenor)) == ["FORBIDDEN"]
    assert codes(await gql.run(AUDIT, {}, ANONYMOUS)) == ["UNAUTHENTICATED"]
    tampered = await gql.run(AUDIT, {"after": "bm90LWEtY3Vyc29y"}, demo.auditor)
    assert codes(tampered) == ["BAD_USER_INPUT"]


def stored_events(system: System) -> list[Any]:
    """Every stored event of the log, with its decoded event, in position order."""
    notes = system.app.recorder.select_notifications(start=1, limit=1_000_000)
    return [(note, system.app.mapper.to_domain_event(note)) for note in notes]


def listed(stored: list[Any]) -> list[Any]:
    """The events the trail lists when not asked for the internal records."""
    return [(note, event) for note, event in stored if note.topic not in INTERNAL_TOPICS]


async def audit_pages(gql: Gql, demo: Demo, where: dict[str, Any]) -> list[list[Any]]:
    """The trail for `where`, page by page, following the cursors to the end."""
    pages, after = [], None
    while True:
        data = await gql.data(AUDIT, {"w": where, "first": 100, "after": after}, demo.auditor)
        pages.append(nodes(data["auditTrail"]))
        if not data["auditTrail"]["pageInfo"]["hasNextPage"]:
            return pages
        after = data["auditTrail"]["pageInfo"]["endCursor"]


async def test_a_sparse_filter_decodes_only_the_events_that_can_match(
    gql: Gql, demo: Demo, system: System, monkeypatch: pytest.MonkeyPatch
) -> None:
    actor = str(person("representative of Vägen ut! kooperativen"))
    stored = stored_events(system)
    theirs = [note.id for note, event in listed(stored) if event.actor == actor]
    (needle,) = state_needles(system.app.mapper, actor=actor, organisation=None)
    candidates = [note.id for note, _ in stored if needle in note.state]
    assert set(theirs) <= set(candidates)
    # Decoding one event more than there are candidates (to find there is no more) would
    # not have reached the last of theirs by scanning the log from its start.
    limit = len(candidates) + 1
    assert limit < stored.index(next(s for s in stored if s[0].id == theirs[-1]))
    monkeypatch.setattr(audit, "SCAN_LIMIT", limit)
    monkeypatch.setattr(audit, "_BATCH", 3)

    (page,) = await audit_pages(gql, demo, {"actor": actor})
    assert [e["logPosition"] for e in page] == theirs
    assert {e["actor"] for e in page} == {actor}  # other events naming them are left out

    org = demo.ids["member:Coompanion Stockholm"]
    for_org = [note.id for note, event in listed(stored) if event.acting_for == org]
    (needle,) = state_needles(system.app.mapper, actor=None, organisation=org)
    monkeypatch.setattr(audit, "SCAN_LIMIT", sum(needle in note.state for note, _ in stored) + 1)
    (page,) = await audit_pages(gql, demo, {"organisationId": str(org)})
    assert [e["logPosition"] for e in page] == for_org


async def test_a_filtered_trail_looks_through_a_window_of_the_log_per_request(
    gql: Gql, demo: Demo, system: System, monkeypatch: pytest.MonkeyPatch
) -> None:
    actor = str(person("representative of Vägen ut! kooperativen"))
    theirs = [note.id for note, event in listed(stored_events(system)) if event.actor == actor]
    monkeypatch.setattr(audit, "SCAN_WINDOW", 7)
    pages = await audit_pages(gql, demo, {"actor": actor})
    assert [e["logPosition"] for page in pages for e in page] == theirs
    head = system.app.recorder.max_notification_id() or 0
    assert len(pages) >= head // 7  # one request per window, matches or not


async def test_the_needles_are_in_every_matching_event_s_stored_state(
    demo: Demo, system: System
) -> None:
    stored = stored_events(system)
    assert stored
    for note, event in stored:
        needles = state_needles(system.app.mapper, actor=event.actor, organisation=event.acting_for)
        assert len(needles) == (2 if event.acting_for else 1)
        assert all(needle in note.state for needle in needles), (note.topic, needles)


def test_a_store_in_another_form_is_not_searched_by_its_bytes() -> None:
    compressed = Mapper(JSONTranscoder(), compressor=ZlibCompressor())
    assert state_needles(compressed, actor="someone", organisation=uuid4()) == ()


STATE = (
    "query($s: UUID!, $v: Int, $at: DateTime, $basis: TimeBasis) {"
    " streamState(streamId: $s, version: $v, asOf: $at, timeBasis: $basis) {"
    " kind version recordedAt occurredAt state } }"
)


async def test_the_state_of_a_stream_in_the_past(gql: Gql, demo: Demo) -> None:
    decision = demo.id("decision:1")
    first = (await gql.data(STATE, {"s": decision, "v": 1}, demo.admin))["streamState"]
    assert (first["kind"], first["version"]) == ("decision", 1)
    assert first["state"]["status"] == "tabled"
    assert first["state"]["title"] == "Recommend social clauses in municipal tenders"
    now = (await gql.data(STATE, {"s": decision}, demo.auditor))["streamState"]
    assert now["state"]["status"] == "superseded"
    assert now["state"]["superseded_by"] == demo.id("decision:2")

    called = START + timedelta(days=150, hours=1)  # tabled and called, no position yet
    then = (
        await gql.data(
            STATE, {"s": decision, "at": called.isoformat(), "basis": "OCCURRED"}, demo.admin
        )
    )["streamState"]
    assert then["state"]["status"] == "called"
    assert then["state"]["positions"] == {}
    before = (
        await gql.data(STATE, {"s": decision, "at": "2001-01-01T00:00:00+00:00"}, demo.admin)
    )["streamState"]
    assert before is None
    recorded = (await gql.data(STATE, {"s": decision, "at": now["recordedAt"]}, demo.admin))[
        "streamState"
    ]
    assert recorded["version"] == now["version"]

    assert codes(await gql.run(STATE, {"s": decision, "v": 999}, demo.admin)) == ["BAD_USER_INPUT"]
    assert codes(await gql.run(STATE, {"s": decision}, demo.convenor)) == ["FORBIDDEN"]
    missing = await gql.data(STATE, {"s": str(uuid4())}, demo.admin)
    assert missing["streamState"] is None


async def test_an_event_the_node_cannot_decode_is_shown_as_such(gql: Gql, system: System) -> None:
    from eventsourcing.persistence import Notification

    from coordination.graphql.event_log import EventReader

    reader = EventReader(gql.api.services.db, system.app)  # type: ignore[union-attr]
    stranger = Notification(
        id=1, originator_id=uuid4(), originator_version=1, topic="elsewhere.thing", state=b"{}"
    )
    shown = reader.decode(stranger)
    assert shown.type == "elsewhere.thing.undecodable"
    assert shown.audience == "restricted"


async def test_moments_without_a_time_zone_are_refused(gql: Gql, scenario: Scenario) -> None:
    admin = scenario.principal("admin")
    for document, variables in [
        (
            "query($w: DecisionFilter) { decisions(where: $w) { edges { cursor } } }",
            {"w": {"tabledFrom": "2026-01-01T00:00:00"}},
        ),
        (
            'query($s: UUID!) { streamState(streamId: $s, asOf: "2026-01-01T00:00:00")'
            " { version } }",
            {"s": str(scenario.partnership)},
        ),
        (
            'query { auditTrail(where: {recordedBefore: "2026-01-01T00:00:00"})'
            " { edges { cursor } } }",
            None,
        ),
    ]:
        result = await gql.run(document, variables, admin)
        assert codes(result) == ["BAD_USER_INPUT"], document
        assert "time zone" in str(result.errors)


async def test_moments_outside_the_utc_calendar_are_refused(gql: Gql, scenario: Scenario) -> None:
    # These used to fail as unexpected errors where the views' filters turned them to UTC.
    admin = scenario.principal("admin")
    for where in [
        {"tabledFrom": "0001-01-01T00:00:00+01:00"},
        {"tabledBefore": "9999-12-31T23:30:00-01:00"},
    ]:
        result = await gql.run(
            "query($w: DecisionFilter) { decisions(where: $w) { edges { cursor } } }",
            {"w": where},
            admin,
        )
        assert codes(result) == ["BAD_USER_INPUT"], where
        assert "outside the years 1 to 9999 in UTC" in str(result.errors)


async def test_the_demo_s_training_programmes(gql: Gql, demo: Demo) -> None:
    seen = await gql.data(
        "{ programmes { title curriculumVersion cohorts { title partnerIds funnel {"
        " places enrolled takingPart left completed sessionsHeld attendances"
        " outcomes { outcome participants } } }"
        " feedbackTrace { accepted ledTo { version } } } }",
        principal=demo.convenor,
    )
    care, circle = seen["programmes"]
    assert (care["title"], care["curriculumVersion"]) == ("Care work in Swedish", 2)
    assert care["cohorts"][0]["funnel"] == {
        "places": 16,
        "enrolled": 6,
        "takingPart": 1,
        "left": 1,
        "completed": 4,
        "sessionsHeld": 2,
        "attendances": 9,
        "outcomes": [
            {"outcome": "EMPLOYMENT", "participants": 2},
            {"outcome": "FURTHER_STUDY", "participants": 1},
        ],
    }
    assert care["feedbackTrace"] == [{"accepted": True, "ledTo": {"version": 2}}]
    assert circle["cohorts"][0]["partnerIds"] == [
        demo.id("member:Invandrarföreningarnas samverkansråd")
    ]
    assert circle["cohorts"][0]["funnel"]["outcomes"] == [
        {"outcome": "ENTERPRISE_STARTED", "participants": 1}
    ]
    assert circle["feedbackTrace"] == [{"accepted": False, "ledTo": None}]

    names = "query($id: UUID!) { cohortParticipants(cohortId: $id) { name } }"
    # ABF's representative runs the study circle: it reads its participants' names, and
    # not the care-work course's.
    own = await gql.data(names, {"id": demo.id("cohort:circle")}, demo.outsider)
    assert [row["name"] for row in own["cohortParticipants"]] == [
        "Hypotetica Jämförsson",
        "Skisseria Utkastsdotter",
        "Attrappa Modellsson",
    ]
    other = await gql.run(names, {"id": demo.id("cohort:care")}, demo.outsider)
    assert codes(other) == ["FORBIDDEN"]
