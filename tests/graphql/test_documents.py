"""B10's evidence documents over GraphQL: registered and linked, then read back by hash,
kind, retention class and the events each is evidence of, by those who read the
partnership's business."""

from __future__ import annotations

import hashlib
from typing import Any

from coordination.bootstrap import System
from coordination.projections import Projections
from tests.graphql.cases import document
from tests.graphql.conftest import Gql, caught_up
from tests.graphql.scenario import Scenario

DOCUMENTS = """query($stream: UUID, $kind: DocumentKind) {
  documents(evidenceOfStream: $stream, kind: $kind) { edges { node {
    uuid documentHash kind retention title
    evidenceOf { eventId streamId streamVersion eventType } } } } }"""
ONE = "query($id: UUID!) { document(uuid: $id) { title evidenceOf { streamVersion } } }"


async def mutate(gql: Gql, scn: Scenario, mutation: str, given: dict[str, Any]) -> dict[str, Any]:
    answer: dict[str, Any] = (
        await gql.data(document(mutation), {"input": given}, scn.principal("admin"))
    )[mutation]
    return answer


async def test_documents_show_their_hash_kind_retention_and_the_events_they_evidence(
    system: System, projections: Projections, scenario: Scenario, gql: Gql
) -> None:
    scn = scenario
    digests = [hashlib.sha256(text).hexdigest() for text in (b"minutes", b"participants")]
    registered = [
        await mutate(
            gql,
            scn,
            "registerDocument",
            {
                "partnershipId": str(scn.partnership),
                "documentHash": digest,
                "kind": kind,
                "retention": "PROGRAMME_AUDIT",
                "title": title,
            },
        )
        for digest, kind, title in (
            (digests[0], "MINUTES", "Minutes of the kick-off"),
            (digests[1], "PARTICIPANT_LIST", "Participants of the kick-off"),
        )
    ]
    minutes, participants = (answer["createdId"] for answer in registered)
    for version in (1, 2):
        linked = await mutate(
            gql,
            scn,
            "linkEvidence",
            {"documentId": minutes, "streamId": str(scn.partnership), "streamVersion": version},
        )
        assert linked["__typename"] == "LinkEvidencePayload", linked
    twice = await mutate(
        gql,
        scn,
        "linkEvidence",
        {"documentId": minutes, "streamId": str(scn.partnership), "streamVersion": 1},
    )
    assert twice["__typename"] == "RuleViolation"
    assert "is already evidence of event" in twice["message"]

    await caught_up(system, projections)
    seen = await gql.data(DOCUMENTS, {"stream": str(scn.partnership)}, scn.principal("auditor"))
    nodes = [edge["node"] for edge in seen["documents"]["edges"]]
    assert [node["uuid"] for node in nodes] == [minutes]  # the list was linked to nothing
    (node,) = nodes
    assert (node["documentHash"], node["kind"], node["retention"]) == (
        digests[0],
        "MINUTES",
        "PROGRAMME_AUDIT",
    )
    assert [(link["streamVersion"], link["streamId"]) for link in node["evidenceOf"]] == [
        (1, str(scn.partnership)),
        (2, str(scn.partnership)),
    ]
    assert node["evidenceOf"][0]["eventType"].startswith("coordination.partnership.")

    lists = await gql.data(DOCUMENTS, {"kind": "PARTICIPANT_LIST"}, scn.principal("representative"))
    assert [edge["node"]["uuid"] for edge in lists["documents"]["edges"]] == [participants]
    one = await gql.data(ONE, {"id": participants}, scn.principal("admin"))
    assert one["document"] == {"title": "Participants of the kick-off", "evidenceOf": []}


async def test_anonymous_callers_read_no_documents(scenario: Scenario, gql: Gql) -> None:
    result = await gql.run(DOCUMENTS, {})
    assert result.errors is not None
    (error,) = result.errors
    assert error.extensions is not None
    assert error.extensions["code"] == "UNAUTHENTICATED"
    assert "sign in to read evidence documents" in error.message
