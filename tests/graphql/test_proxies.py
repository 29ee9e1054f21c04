"""A decision's proxies: granted through the API, shown on the decision, replaced by a new
grant, gone with the call."""

from __future__ import annotations

from datetime import timedelta

from tests.graphql.conftest import Gql
from tests.graphql.scenario import Scenario

GRANT = """
mutation($input: GrantProxyInput!) { grantProxy(input: $input) { __typename } }
"""
DEFER = """
mutation($input: DeferDecisionInput!) { deferDecision(input: $input) { __typename } }
"""
PROXIES = """
query($d: UUID!) {
  decision(uuid: $d) {
    proxies {
      organisationId proxyPersonId proxyOrganisationId
      organisation { uuid } proxyOrganisation { uuid }
    }
  }
}
"""


async def test_a_decision_shows_its_proxies_until_its_call_lapses(
    gql: Gql, scenario: Scenario
) -> None:
    scn = scenario
    group = scn.fresh_group(members=("A", "B", "C"))
    decision = scn.called_decision(group)
    holder, granting = scn.orgs["C"], scn.orgs["B"]
    granted = await gql.data(
        GRANT,
        {
            "input": {
                "decisionId": str(decision),
                "proxyPersonId": str(scn.reps["C"]),
                "proxyMemberId": str(holder),
            }
        },
        scn.principal("representative"),  # B's representative, for B
    )
    assert granted["grantProxy"]["__typename"] == "GrantProxyPayload"

    admin = scn.principal("admin")
    shown = await gql.data(PROXIES, {"d": str(decision)}, admin)
    assert shown["decision"]["proxies"] == [
        {
            "organisationId": str(granting),
            "proxyPersonId": str(scn.reps["C"]),
            "proxyOrganisationId": str(holder),
            "organisation": {"uuid": str(granting)},
            "proxyOrganisation": {"uuid": str(holder)},
        }
    ]

    # A new grant replaces the member's earlier one.
    regranted = await gql.data(
        GRANT,
        {
            "input": {
                "decisionId": str(decision),
                "proxyPersonId": str(scn.reps["A"]),
                "proxyMemberId": str(scn.orgs["A"]),
            }
        },
        scn.principal("representative"),
    )
    assert regranted["grantProxy"]["__typename"] == "GrantProxyPayload"
    shown = await gql.data(PROXIES, {"d": str(decision)}, admin)
    assert [
        (p["organisationId"], p["proxyOrganisationId"]) for p in shown["decision"]["proxies"]
    ] == [(str(granting), str(scn.orgs["A"]))]

    until = (scn.start + timedelta(days=40)).date().isoformat()
    deferred = await gql.data(
        DEFER,
        {"input": {"decisionId": str(decision), "until": until, "reason": "Wait for the study"}},
        admin,
    )
    assert deferred["deferDecision"]["__typename"] == "DeferDecisionPayload"
    assert (await gql.data(PROXIES, {"d": str(decision)}, admin))["decision"]["proxies"] == []
