"""Every mutation of the schema refuses a token whose organisation its holder does not
represent today: a mandate that ended, or one that never existed.

The rule is one (`coordination.auth.authorization.standing.ensure_acts_for`, run for
every command whose token names an organisation, whatever the role). `register` never
checked it, nor did the secretariat's commands, which recorded the token's organisation
as `actingFor` unchecked. The mutations are read from the schema itself, so one added
later fails here until `TABLE` says how it meets such a token.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import UUID, uuid4

import graphql

from coordination.auth.principal import Principal, Role
from coordination.graphql.schema import schema_sdl
from tests.graphql.cases import (
    CASES,
    OWN_ORG,
    OWNED_BY_ORG,
    PROVIDES,
    RUNS_GROUP,
    SECRETARIAT,
    Prepare,
    Prepared,
    document,
)
from tests.graphql.conftest import Gql
from tests.graphql.scenario import HASH, Scenario

#: Done for an organisation: the token's, recorded as the events' `actingFor`.
FOR_TOKEN_ORG = "done for the token's organisation, recorded as actingFor"
#: The secretariat's: it takes no organisation, but a token that names one records it as
#: `actingFor`, so the claim must be true (as the decision commands always required).
SECRETARIAT_CLAIM = "takes no organisation; a claimed one is recorded as actingFor"
#: Establishing a partnership: there are no mandates in a partnership that does not
#: exist yet, so a token naming an organisation is refused outright.
NO_PARTNERSHIP_YET = "in no partnership yet: nobody acts for an organisation there"
#: Forgetting a person: it is in no partnership either, so the same holds.
ABOUT_A_PERSON = "about a person, in no partnership: nobody acts for an organisation there"
#: The node's partner registry (B8): no member organisation's business, so a token that
#: names an organisation is refused outright, as for establishing a partnership.
NODE_REGISTRY = "the node's, done for no organisation: a token naming one is refused"
#: The ways that refuse a token naming an organisation whatever its mandate.
OUTRIGHT = {NO_PARTNERSHIP_YET, ABOUT_A_PERSON, NODE_REGISTRY}

#: Every mutation of the schema, and how it meets a token that names an organisation.
TABLE: dict[str, str] = {
    "establishPartnership": NO_PARTNERSHIP_YET,
    "eraseSubject": ABOUT_A_PERSON,
    **dict.fromkeys(
        [
            "adoptAgreement",
            "amendAgreement",
            "admitMember",
            "withdrawMember",
            "appointRepresentative",
            "endRepresentation",
            "defineTheme",
            "archiveTheme",
            "conveneWorkingGroup",
            *("conveneAuditPanel", "raisePanelQuery", "issueAuditStatement"),
            *("designQuestionnaire", "reviseQuestionnaire", "publishQuestionnaire"),
            *("inviteRespondent", "validateResponse", "rejectResponse", "closeSurvey"),
            "publishFindings",
            "launchProgramme",
        ],
        SECRETARIAT_CLAIM,
    ),
    **dict.fromkeys(
        [
            *("joinWorkingGroup", "leaveWorkingGroup", "appointConvenor", "reviseCharter"),
            *("closeWorkingGroup", "assignAction", "reportProgress", "completeAction"),
            *("dropAction", "tableProposal", "postContribution", "reviseProposal"),
            *("withdrawProposal", "grantProxy", "takePosition", "revisePosition"),
            *("callDecision", "closeDecision", "adoptDecision", "rejectDecision"),
            *("deferDecision", "supersedeDecision", "recordDecisionFromMinutes"),
            *("planWorkshop", "setAgenda", "invite", "register", "cancelRegistration"),
            *("postponeWorkshop", "cancelWorkshop", "holdWorkshop", "recordAttendance"),
            *("draftMinutes", "amendMinutes", "approveMinutes", "raiseFollowUp"),
            *("startCycle", "statePurpose", "stateObjective", "improveObjective"),
            *("mapStakeholderGroup", "defineIndicator", "recordIndicatorValue"),
            *("recordConsultation", "determineMateriality", "compileAccounts"),
            *("answerPanelQuery", "publishAccounts", "adoptActionPlan"),
            *("submitResponse", "correctResponse", "planDissemination"),
            *("recordDissemination", "recordUptake", "recordPolicyInfluence"),
            *("registerDocument", "linkEvidence"),
            *("openCohort", "reviseCurriculum", "enrol", "recordLeaving", "recordCompletion"),
            *("holdSession", "recordSessionAttendance", "giveFeedback", "answerFeedback"),
            "recordFollowUpOutcome",
        ],
        FOR_TOKEN_ORG,
    ),
    **dict.fromkeys(
        [
            *("signCooperationAgreement", "amendCooperationAgreement", "admitPartner"),
            *("registerPartnerKey", "rotatePartnerKey", "revokePartnerKey"),
            *("establishJointGroup", "takeJointPosition", "adoptJointDecision"),
        ],
        NODE_REGISTRY,
    ),
}

#: The roles a token naming an organisation may have that the matrix lets run each kind
#: of mutation: the refusal can then only come from the mandate.
ROLES = {
    SECRETARIAT: (Role.ADMIN,),
    OWN_ORG: (Role.ADMIN, Role.REPRESENTATIVE, Role.CONVENOR),
    RUNS_GROUP: (Role.ADMIN, Role.CONVENOR),
    OWNED_BY_ORG: (Role.ADMIN, Role.REPRESENTATIVE, Role.CONVENOR),
    PROVIDES: (Role.ADMIN, Role.REPRESENTATIVE, Role.CONVENOR),
}


def agreement(scn: Scenario, _: Principal) -> Prepared:
    """Adopting the agreement of the scenario's partnership, where B is a member (the
    access matrix adopts one in a new partnership each time)."""
    return Prepared(
        {"partnershipId": str(scn.partnership), "title": "Agreement", "documentHash": HASH}
    )


def amendment(scn: Scenario, _: Principal) -> Prepared:
    if not scn.app.partnership(scn.partnership).agreement_version:
        scn.app.adopt_agreement(
            scn.secretariat(), scn.partnership, title="Agreement", document_hash=HASH
        )
    return Prepared(
        {"partnershipId": str(scn.partnership), "summary": "Article 4", "documentHash": "b" * 64}
    )


#: Where the access matrix's case works outside the scenario's partnership.
PREPARE: dict[str, Prepare] = {"adoptAgreement": agreement, "amendAgreement": amendment}


def schema_mutations() -> set[str]:
    mutation_type = graphql.build_schema(schema_sdl()).mutation_type
    assert mutation_type is not None
    return set(mutation_type.fields)


def test_every_mutation_of_the_schema_is_classified() -> None:
    assert set(TABLE) == schema_mutations()
    assert set(TABLE) == set(CASES)


def former_representative(scn: Scenario, label: str) -> UUID:
    """A person whose mandate for the organisation ended yesterday."""
    person, app = uuid4(), scn.app
    mandate = scn.created(
        app.appoint_representative(
            scn.secretariat(),
            scn.partnership,
            member_id=scn.orgs[label],
            person_id=person,
            starts_on=scn.start.date(),
        )
    )
    now = datetime.now(UTC)
    app.end_representation(
        scn.secretariat(at=now),
        scn.partnership,
        mandate_id=mandate,
        ended_on=now.date() - timedelta(days=1),
    )
    return person


async def test_every_mutation_refuses_an_ended_and_a_never_held_mandate(
    scenario: Scenario, gql_without_views: Gql
) -> None:
    scn, gql = scenario, gql_without_views
    org = scn.orgs["B"]
    holders = {"ended": former_representative(scn, "B"), "never held": uuid4()}
    # The secretariat's person who also represents B: the same tokens, but true.
    rightful = Principal(Role.ADMIN, scn.reps["B"], org=org)
    wrong: list[tuple[str, str, str, dict[str, str]]] = []
    for mutation, how in sorted(TABLE.items()):
        kind, prepare = CASES[mutation]
        prepare = PREPARE.get(mutation, prepare)
        prepared = prepare(scn, Principal(Role.REPRESENTATIVE, scn.reps["B"], org=org))
        group = prepared.group or scn.group
        expected = "not done on behalf of an organisation" if how in OUTRIGHT else "not a current"
        for mandate, person in holders.items():
            for role in ROLES[kind]:
                groups = frozenset({group}) if role is Role.CONVENOR else frozenset()
                who = Principal(role, person, org=org, groups=groups)
                before = gql.events()
                data = await gql.data(document(mutation), {"input": prepared.input}, who)
                outcome = data[mutation]
                refused = outcome["__typename"] == "Forbidden"
                if not (refused and expected in outcome["message"]) or gql.events() != before:
                    wrong.append((mutation, mandate, role.value, outcome))
        # Nothing was recorded, so the same input still runs for a holder of the mandate.
        outcome = (await gql.data(document(mutation), {"input": prepared.input}, rightful))[
            mutation
        ]
        succeeded = outcome["__typename"].endswith("Payload")
        if succeeded is (how in OUTRIGHT):
            wrong.append((mutation, "held", "admin", outcome))
    assert wrong == []
