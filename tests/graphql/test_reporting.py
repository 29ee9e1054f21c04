"""B6, B7 and B9 over GraphQL: refusals as typed errors that record nothing, and the views
(cycle status per organisation, survey progress and findings, the dissemination record)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from coordination.auth.tokens import TokenKeys
from coordination.bootstrap import System
from coordination.projections import Projections
from coordination.settings import Settings
from tests.graphql.cases import document
from tests.graphql.cases_reporting import INPUTS, _cycle
from tests.graphql.conftest import Gql, caught_up, http_client
from tests.graphql.scenario import Scenario

CYCLES = """query($org: UUID!) { accountingCycles(organisationId: $org) { edges { node {
  stage objectives stakeholderGroups indicators consultations openQueries accountsVersion
  opinion publishedWhere } } } }"""
SURVEY = """query($id: UUID!) { mappingSurvey(uuid: $id) {
  status invited pending validated grouping findings { region kind question organisations value }
} }"""
RECORD = """query($org: UUID!) { disseminationRecord(organisationId: $org) {
  activities { title status reach } outcomes { kind description } } }"""


async def run(gql: Gql, scn: Scenario, mutation: str, given: dict[str, Any]) -> dict[str, Any]:
    before = gql.events()
    answer: dict[str, Any] = (
        await gql.data(document(mutation), {"input": given}, scn.principal("admin"))
    )[mutation]
    if not answer["__typename"].endswith("Payload"):
        assert gql.events() == before, answer
    return answer


async def test_a_cycle_step_out_of_order_is_refused_and_the_status_follows_the_order(
    system: System, projections: Projections, scenario: Scenario, gql: Gql
) -> None:
    scn, admin = scenario, scenario.principal("admin")
    ids = _cycle(scn, admin, "compiled")
    early = await run(
        gql,
        scn,
        "issueAuditStatement",
        {"cycleId": str(ids["cycle"]), "opinion": "VERIFIED", "documentHash": "c" * 64},
    )
    assert early["__typename"] == "RuleViolation"
    assert early["message"] == "no audit statement before an audit panel is convened"
    own = await run(
        gql,
        scn,
        "conveneAuditPanel",
        {
            "cycleId": str(ids["cycle"]),
            "chairId": str(scn.reps["B"]),
            "members": [{"personId": str(scn.admin), "stakeholderGroupId": str(ids["group"])}],
        },
    )
    assert own["__typename"] == "RuleViolation"
    assert "the chair must be independent" in own["message"]

    await caught_up(system, projections)
    seen = await gql.data(CYCLES, {"org": str(scn.orgs["B"])}, admin)
    nodes = [edge["node"] for edge in seen["accountingCycles"]["edges"]]
    assert nodes == [
        {
            "stage": "ACCOUNTS_COMPILED",
            "objectives": 1,
            "stakeholderGroups": 1,
            "indicators": 1,
            "consultations": 1,
            "openQueries": 0,
            "accountsVersion": 1,
            "opinion": None,
            "publishedWhere": None,
        }
    ]


async def test_findings_below_the_minimum_are_refused_and_the_survey_shows_its_progress(
    system: System, projections: Projections, scenario: Scenario, gql: Gql
) -> None:
    scn, admin = scenario, scenario.principal("admin")
    given = INPUTS["publishFindings"](scn, admin)  # three validated coops in Stockholm
    survey = given["surveyId"]
    app, ctx = scn.app, scn.secretariat()
    small = scn.created(
        app.design_questionnaire(
            ctx,
            scn.partnership,
            title="Small",
            minimum_cell_size=5,
            questions=[("staff", "S?", "number")],
        )
    )
    app.publish_questionnaire(ctx, small)
    for index in range(4):
        respondent = scn.created(
            app.invite_respondent(
                ctx, small, organisation_name=f"Coop {index}", region="Gotland", kind="cooperative"
            )
        )
        app.submit_response(ctx, small, respondent_id=respondent, answers=[("staff", 2)])
        app.validate_response(ctx, small, respondent_id=respondent)
    app.close_survey(ctx, small)
    refused = await run(
        gql, scn, "publishFindings", {"surveyId": str(small), "grouping": "NATIONAL"}
    )
    assert refused["__typename"] == "RuleViolation"
    assert refused["message"].startswith("the findings would publish a cell below the minimum")
    assert "describes 4 organisations, fewer than the minimum of 5" in refused["message"]

    published = await run(gql, scn, "publishFindings", {"surveyId": survey, "grouping": "NATIONAL"})
    assert published["projected"] is True
    seen = (await gql.data(SURVEY, {"id": survey}, admin))["mappingSurvey"]
    assert seen["status"] == "FINDINGS_PUBLISHED"
    assert (seen["invited"], seen["pending"], seen["validated"]) == (3, 0, 3)
    assert seen["findings"] == [
        {"region": None, "kind": None, "question": "staff", "organisations": 3, "value": 12}
    ]
    small_seen = (await gql.data(SURVEY, {"id": str(small)}, admin))["mappingSurvey"]
    assert (small_seen["status"], small_seen["findings"]) == ("CLOSED", [])


async def test_the_dissemination_record_of_a_member_lists_its_activities_and_changes(
    system: System, projections: Projections, scenario: Scenario, gql: Gql
) -> None:
    scn, rep = scenario, scenario.principal("representative")
    given = INPUTS["recordUptake"](scn, rep)
    uptake = (await gql.data(document("recordUptake"), {"input": given}, rep))["recordUptake"]
    assert uptake["__typename"] == "RecordUptakePayload"
    too_early = INPUTS["recordDissemination"](scn, rep) | {"heldOn": "2999-01-01"}
    refused = (await gql.data(document("recordDissemination"), {"input": too_early}, rep))[
        "recordDissemination"
    ]
    assert refused["__typename"] == "InvalidInput"
    assert refused["message"] == "heldOn 2999-01-01 is after today: record it once it is held"
    await caught_up(system, projections)
    record = (await gql.data(RECORD, {"org": str(scn.orgs["B"])}, rep))["disseminationRecord"]
    statuses = sorted(a["status"] for a in record["activities"])
    assert statuses == ["HELD", "PLANNED"]
    assert record["outcomes"] == [{"kind": "UPTAKE", "description": given["practice"]}]


async def test_anonymous_callers_do_not_read_the_reporting_views(
    scenario: Scenario, gql: Gql
) -> None:
    result = await gql.run(RECORD, {"org": str(scenario.orgs["B"])})
    assert result.errors is not None
    assert result.errors[0].extensions["code"] == "UNAUTHENTICATED"  # type: ignore[index]


PUBLISHED = """query($id: UUID!) { surveyFindings(surveyId: $id) {
  grouping minimumCellSize findings { region kind question organisations value } } }"""


async def test_anyone_reads_published_findings_and_nothing_before_they_are_published(
    system: System, projections: Projections, scenario: Scenario, gql: Gql
) -> None:
    scn, admin = scenario, scenario.principal("admin")
    survey = INPUTS["publishFindings"](scn, admin)["surveyId"]
    await caught_up(system, projections)
    # Closed, not yet published: nothing to read, for the secretariat as for anyone.
    for caller in (admin, scn.principal("anonymous")):
        assert (await gql.data(PUBLISHED, {"id": survey}, caller)) == {"surveyFindings": None}
    published = await run(gql, scn, "publishFindings", {"surveyId": survey, "grouping": "NATIONAL"})
    assert published["projected"] is True

    for role in ("anonymous", "representative_other", "auditor"):
        seen = (await gql.data(PUBLISHED, {"id": survey}, scn.principal(role)))["surveyFindings"]
        assert seen == {
            "grouping": "NATIONAL",
            "minimumCellSize": 3,
            "findings": [
                {"region": None, "kind": None, "question": "staff", "organisations": 3, "value": 12}
            ],
        }, role
    # The progress and the responses stay the partnership's.
    hidden = await gql.run(SURVEY, {"id": survey}, scn.principal("anonymous"))
    assert hidden.errors is not None
    assert hidden.errors[0].extensions == {"code": "UNAUTHENTICATED"}


async def test_a_node_that_serves_no_anonymous_caller_does_not_serve_them_findings(
    system: System,
    projections: Projections,
    scenario: Scenario,
    settings: Settings,
    keys: TokenKeys,
) -> None:
    closed = settings.model_copy(update={"allow_anonymous": False})
    client, api = await http_client(closed, system, projections.db, projections.runner, keys)
    try:
        survey = INPUTS["publishFindings"](scenario, scenario.principal("admin"))["surveyId"]
        scenario.app.publish_findings(scenario.secretariat(), UUID(survey), grouping="national")
        await caught_up(system, projections)
        anonymous = await client.post(PUBLISHED, {"id": survey})
        assert anonymous.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
        signed = await client.post(
            PUBLISHED, {"id": survey}, principal=scenario.principal("representative")
        )
        assert signed.json()["data"]["surveyFindings"]["findings"][0]["organisations"] == 3
    finally:
        await client.client.aclose()
        await api.stop()
