"""The partner registry through GraphQL: the mutations' typed errors, naming the input
field as the client wrote it, and the `partners` query with the key valid at a moment."""

from __future__ import annotations

from typing import Any

from coordination.audit.note import Signer
from tests.graphql.conftest import Gql
from tests.graphql.scenario import HASH, Scenario

IT = "it.example/coordination/log"
SIGN = """mutation($input: SignCooperationAgreementInput!) {
  signCooperationAgreement(input: $input) {
  __typename ... on UserError { message code } ... on InvalidInput { field }
  ... on SignCooperationAgreementPayload { partners { origin granted admitted } } } }"""
ADMIT = """mutation($input: AdmitPartnerInput!) { admitPartner(input: $input) {
  __typename ... on UserError { message } ... on InvalidInput { field } } }"""
KEY = """mutation($input: RegisterPartnerKeyInput!) { registerPartnerKey(input: $input) {
  __typename ... on UserError { message } ... on InvalidInput { field }
  ... on RegisterPartnerKeyPayload { partners { keys { keyId } } } } }"""
PARTNERS = """query($at: DateTime!) { partners { origin name baseUrl sees admittedAt
  keys { keyId vkey validFrom validUntil } keyValidAt(at: $at) { keyId } } }"""


async def run(gql: Gql, scenario: Scenario, document: str, **given: Any) -> dict[str, Any]:
    data = await gql.data(document, {"input": given}, scenario.principal("admin"))
    answer: dict[str, Any] = next(iter(data.values()))
    return answer


async def test_refusals_name_the_field_as_the_client_wrote_it(gql: Gql, scenario: Scenario) -> None:
    party = {"origin": IT, "sees": ["public", "partnership"]}
    refused = await run(gql, scenario, SIGN, title="C", documentHash=HASH, parties=[party])
    assert refused["__typename"] == "InvalidInput"
    assert refused["field"] == "parties[0].sees[1]"
    assert "a partner never sees 'partnership'" in refused["message"]
    party = {"origin": "it.example/\x1b[2J", "sees": []}
    refused = await run(gql, scenario, SIGN, title="C", documentHash=HASH, parties=[party])
    assert (refused["__typename"], refused["field"]) == ("InvalidInput", "parties[0].origin")
    assert "\x1b" not in refused["message"]
    signed = await run(
        gql, scenario, SIGN, title="C", documentHash=HASH, parties=[{"origin": IT, "sees": []}]
    )
    assert signed["partners"] == [{"origin": IT, "granted": ["public"], "admitted": False}]
    admit = {"origin": IT, "name": "Italy", "sees": []}
    refused = await run(gql, scenario, ADMIT, baseUrl="https://it.example/\x07", **admit)
    assert (refused["__typename"], refused["field"]) == ("InvalidInput", "baseUrl")
    assert "\x07" not in refused["message"]
    assert (await run(gql, scenario, ADMIT, baseUrl="https://it.example", **admit))[
        "__typename"
    ] == "AdmitPartnerPayload"
    refused = await run(gql, scenario, KEY, origin=IT, vkey="not a key\x1b")
    assert (refused["__typename"], refused["field"]) == ("InvalidInput", "vkey")
    refused = await run(gql, scenario, KEY, origin="fi.example/log", vkey="x")
    assert (refused["__typename"], refused["message"]) == (
        "NotFound",
        "fi.example/log is not an admitted partner",
    )


async def test_partners_with_their_keys_for_signed_in_callers(gql: Gql, scenario: Scenario) -> None:
    await run(
        gql, scenario, SIGN, title="C", documentHash=HASH, parties=[{"origin": IT, "sees": []}]
    )
    await run(gql, scenario, ADMIT, origin=IT, name="Italy", baseUrl="https://it.example", sees=[])
    key = Signer.generate(IT).verifier
    registered = await run(gql, scenario, KEY, origin=IT, vkey=key.vkey)
    assert registered["partners"] == [{"keys": [{"keyId": f"{key.key_id:08x}"}]}]
    rep = scenario.principal("representative")
    seen = (await gql.data(PARTNERS, {"at": "2999-01-01T00:00:00Z"}, rep))["partners"]
    assert seen[0]["keys"][0]["vkey"] == key.vkey
    assert seen[0]["keys"][0]["validUntil"] is None
    assert seen[0]["keyValidAt"] == {"keyId": f"{key.key_id:08x}"}
    before = (await gql.data(PARTNERS, {"at": "2000-01-01T00:00:00Z"}, rep))["partners"]
    assert before[0]["keyValidAt"] is None
    anonymous = await gql.run(PARTNERS, {"at": "2999-01-01T00:00:00Z"})
    assert anonymous.errors is not None
    assert anonymous.errors[0].extensions == {"code": "UNAUTHENTICATED"}
