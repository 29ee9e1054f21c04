"""Forgetting a person and answering their access request through GraphQL, both backends."""

from __future__ import annotations

import json
from datetime import timedelta
from uuid import UUID, uuid4

from tests.graphql.conftest import Gql
from tests.graphql.scenario import Scenario

NAME, CONTACT = "Fatima Zahra Bergström", "fatima.bergstrom@example.org"
ERASE = (
    "mutation E($input: EraseSubjectInput!) { eraseSubject(input: $input) { __typename"
    " ... on CommandPayload { createdId } ... on UserError { message code } } }"
)
EXPORT = "query X($id: UUID!) { exportSubject(subjectId: $id) }"
ENROL = (
    "mutation N($input: EnrolInput!) { enrol(input: $input) { __typename"
    " ... on UserError { message code } } }"
)


def enrolled(scn: Scenario) -> tuple[UUID, UUID]:
    programme = scn.created(
        scn.app.launch_programme(
            scn.secretariat(),
            partnership_id=scn.partnership,
            kind="care_work_course",
            title="Care work in Swedish",
            provider_id=scn.orgs["B"],
            target_group="women of foreign origin",
            curriculum="Term 1",
            duration_months=24,
        )
    )
    cohort = scn.created(
        scn.app.open_cohort(
            scn.secretariat(),
            programme,
            title="Cohort",
            places=1,
            starts_on=scn.start.date() - timedelta(days=1),
        )
    )
    person = uuid4()
    scn.app.enrol(scn.secretariat(), cohort, participant_id=person, name=NAME, contact=CONTACT)
    return cohort, person


async def test_the_secretariat_exports_then_erases_a_person(
    scenario: Scenario, gql_without_views: Gql
) -> None:
    gql, admin = gql_without_views, scenario.principal("admin")
    cohort, person = enrolled(scenario)
    record = (await gql.data(EXPORT, {"id": str(person)}, admin))["exportSubject"]
    (enrolment,) = record["events"]
    assert (enrolment["data"]["name"], enrolment["data"]["contact"]) == (NAME, CONTACT)

    erased = await gql.data(
        ERASE, {"input": {"subjectId": str(person), "ground": "REQUEST"}}, admin
    )
    assert erased["eraseSubject"] == {"__typename": "EraseSubjectPayload", "createdId": str(person)}
    record = (await gql.data(EXPORT, {"id": str(person)}, admin))["exportSubject"]
    assert record["key"] == "erased"
    assert NAME not in json.dumps(record, ensure_ascii=False)
    assert record["events"][0]["data"]["name"] == {"erased": True}

    again = await gql.data(ERASE, {"input": {"subjectId": str(person), "ground": "REQUEST"}}, admin)
    assert again["eraseSubject"]["code"] == "RULE_VIOLATION"
    assert "has already been erased" in again["eraseSubject"]["message"]
    before = gql.events()
    refused = await gql.data(
        ENROL,
        {"input": {"cohortId": str(cohort), "participantId": str(person), "name": NAME}},
        admin,
    )
    assert refused["enrol"]["code"] == "RULE_VIOLATION"
    assert NAME not in refused["enrol"]["message"]
    assert gql.events() == before


async def test_erasing_an_unknown_person_is_a_typed_refusal(
    scenario: Scenario, gql_without_views: Gql
) -> None:
    gql, before = gql_without_views, gql_without_views.events()
    stranger = uuid4()
    data = await gql.data(
        ERASE,
        {"input": {"subjectId": str(stranger), "ground": "OBJECTION"}},
        scenario.principal("admin"),
    )
    assert data["eraseSubject"] == {
        "__typename": "NotFound",
        "message": f"the node holds no personal data about person {stranger}",
        "code": "NOT_FOUND",
    }
    assert gql.events() == before


async def test_only_the_secretariat_reads_a_person_s_data(
    scenario: Scenario, gql_without_views: Gql
) -> None:
    _, person = enrolled(scenario)
    for role, code in (
        ("auditor", "FORBIDDEN"),
        ("representative", "FORBIDDEN"),
        ("anonymous", "UNAUTHENTICATED"),
    ):
        result = await gql_without_views.run(EXPORT, {"id": str(person)}, scenario.principal(role))
        assert result.errors is not None, role
        assert result.errors[0].extensions == {"code": code}, role
        assert NAME not in str(result.errors[0])
