"""Inputs for the mutations of B6, B7, B9 and B10's documents (`cases.CASES` lists who
may run each): a fresh target for each run, built through the application.

A target that an organisation owns is the calling principal's own organisation's (B's
for the secretariat), so each allowed role runs it on what it may touch.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import UTC, date, datetime
from itertools import count
from typing import Any
from uuid import UUID, uuid4

from coordination.auth.principal import Principal
from tests.graphql.scenario import HASH, Scenario, unique

Input = dict[str, Any]
MakeInput = Callable[[Scenario, Principal], Input]
#: Each cycle of a run gets a period of its own (one cycle per organisation and period).
_years = count(1)


def _s(value: object) -> str:
    return str(value)


def _today() -> date:
    return datetime.now(UTC).date()


def _org(scn: Scenario, who: Principal) -> UUID:
    return who.org or scn.orgs["B"]


def _digest() -> str:
    return hashlib.sha256(unique("document").encode()).hexdigest()


# -- B6 ---------------------------------------------------------------------------------

#: How far `_cycle` carries a cycle, in order.
STAGES = (
    "started",
    "purpose",
    "objective",
    "scoped",
    "consulted",
    "material",
    "compiled",
    "panel",
    "statement",
    "published",
)


def _cycle(scn: Scenario, who: Principal, upto: str) -> dict[str, UUID]:
    """A cycle of the principal's organisation carried to stage `upto`, and its parts."""
    app, ctx, reached = scn.app, scn.secretariat(), STAGES.index(upto)
    year = 2000 + next(_years)
    ids = {
        "cycle": app.start_cycle(
            ctx,
            scn.partnership,
            organisation_id=_org(scn, who),
            period_start=date(year, 1, 1),
            period_end=date(year, 12, 31),
        ).stream_id
    }
    cycle = ids["cycle"]
    steps: list[tuple[str, Callable[[], object]]] = [
        ("purpose", lambda: app.state_purpose(ctx, cycle, purpose="Our social value")),
        ("objective", lambda: app.state_objective(ctx, cycle, objective="Jobs in care")),
        (
            "group",
            lambda: app.map_stakeholder_group(ctx, cycle, name="Participants", interest="Work"),
        ),
        (
            "indicator",
            lambda: app.define_indicator(
                ctx, cycle, objective_id=ids["objective"], name="Employed", unit="people"
            ),
        ),
        (
            "consultation",
            lambda: app.record_consultation(
                ctx,
                cycle,
                stakeholder_group_ids=[ids["group"]],
                method="Focus group",
                held_on=ctx.today,
                summary="Work matters most",
            ),
        ),
        (
            "material",
            lambda: app.determine_materiality(
                ctx, cycle, material_indicator_ids=[ids["indicator"]], rationale="Said so"
            ),
        ),
        (
            "value",
            lambda: app.record_indicator_value(
                ctx, cycle, indicator_id=ids["indicator"], value="12", source="Register"
            ),
        ),
        ("compiled", lambda: app.compile_accounts(ctx, cycle, document_hash=HASH)),
        (
            "panel",
            lambda: app.convene_audit_panel(
                ctx,
                cycle,
                chair_id=uuid4(),
                chair_affiliation_id=None,
                members=[(uuid4(), ids["group"])],
            ),
        ),
        (
            "statement",
            lambda: app.issue_audit_statement(
                ctx, cycle, opinion="verified", document_hash="b" * 64
            ),
        ),
        ("published", lambda: app.publish_accounts(ctx, cycle, where="Annual report")),
    ]
    #: The stage each step completes.
    completes = {
        "purpose": "purpose",
        "group": "scoped",
        "indicator": "scoped",
        "objective": "objective",
        "consultation": "consulted",
        "material": "material",
        "value": "material",
        "compiled": "compiled",
        "panel": "panel",
        "statement": "statement",
        "published": "published",
    }
    for name, step in steps:
        if STAGES.index(completes[name]) > reached:
            break
        created = getattr(step(), "created_id", None)
        if created is not None:
            ids[name] = created
    return ids


def start_cycle(scn: Scenario, who: Principal) -> Input:
    year = 2000 + next(_years)
    return {
        "partnershipId": _s(scn.partnership),
        "organisationId": _s(_org(scn, who)),
        "periodStart": f"{year}-01-01",
        "periodEnd": f"{year}-12-31",
    }


def on_cycle(upto: str, extra: Callable[[dict[str, UUID]], Input]) -> MakeInput:
    """An input on a fresh cycle at stage `upto`, with `extra` made from its parts."""

    def make(scn: Scenario, who: Principal) -> Input:
        ids = _cycle(scn, who, upto)
        return {"cycleId": _s(ids["cycle"])} | extra(ids)

    return make


def answer_query(scn: Scenario, who: Principal) -> Input:
    ids = _cycle(scn, who, "panel")
    query = scn.created(scn.app.raise_panel_query(scn.secretariat(), ids["cycle"], query="How?"))
    return {"cycleId": _s(ids["cycle"]), "queryId": _s(query), "answer": "From the register"}


def adopt_plan(scn: Scenario, who: Principal) -> Input:
    return {"cycleId": _s(_cycle(scn, who, "published")["cycle"]), "items": ["Ask employers"]}


# -- B7 ---------------------------------------------------------------------------------

QUESTIONS = [{"key": "staff", "text": "How many people work for you?", "kind": "NUMBER"}]


def _survey(scn: Scenario, published: bool = True) -> UUID:
    survey = scn.created(
        scn.app.design_questionnaire(
            scn.secretariat(),
            scn.partnership,
            title=unique("Mapping"),
            minimum_cell_size=3,
            questions=[("staff", "How many people work for you?", "number")],
        )
    )
    if published:
        scn.app.publish_questionnaire(scn.secretariat(), survey)
    return survey


def _respondent(scn: Scenario, survey: UUID, member: UUID | None = None) -> UUID:
    kind, name = "cooperative", unique("Coop")
    if member is not None:
        found = scn.app.partnership(scn.partnership).members[member]
        kind, name = found.kind, found.name
    return scn.created(
        scn.app.invite_respondent(
            scn.secretariat(),
            survey,
            organisation_name=name,
            region="Stockholm",
            kind=kind,
            member_id=member,
        )
    )


def design(scn: Scenario, _: Principal) -> Input:
    return {
        "partnershipId": _s(scn.partnership),
        "title": unique("Mapping"),
        "minimumCellSize": 3,
        "questions": QUESTIONS,
    }


def revise(scn: Scenario, _: Principal) -> Input:
    return {
        "surveyId": _s(_survey(scn, published=False)),
        "questions": [*QUESTIONS, {"key": "members", "text": "Members?", "kind": "NUMBER"}],
    }


def publish_questionnaire(scn: Scenario, _: Principal) -> Input:
    return {"surveyId": _s(_survey(scn, published=False))}


def invite(scn: Scenario, _: Principal) -> Input:
    return {
        "surveyId": _s(_survey(scn)),
        "organisationName": unique("Coop"),
        "region": "Skåne",
        "kind": "COOPERATIVE",
    }


def submit(scn: Scenario, who: Principal) -> Input:
    survey = _survey(scn)
    respondent = _respondent(scn, survey, _org(scn, who))
    return {
        "surveyId": _s(survey),
        "respondentId": _s(respondent),
        "answers": [{"question": "staff", "value": 4}],
    }


def _submitted(scn: Scenario, member: UUID | None) -> tuple[UUID, UUID]:
    survey = _survey(scn)
    respondent = _respondent(scn, survey, member)
    scn.app.submit_response(
        scn.secretariat(), survey, respondent_id=respondent, answers=[("staff", 4)]
    )
    return survey, respondent


def correct(scn: Scenario, who: Principal) -> Input:
    survey, respondent = _submitted(scn, _org(scn, who))
    return {
        "surveyId": _s(survey),
        "respondentId": _s(respondent),
        "answers": [{"question": "staff", "value": 5}],
        "note": "Counted the board too",
    }


def on_response(extra: Input) -> MakeInput:
    def make(scn: Scenario, _: Principal) -> Input:
        survey, respondent = _submitted(scn, None)
        return {"surveyId": _s(survey), "respondentId": _s(respondent)} | extra

    return make


def close(scn: Scenario, _: Principal) -> Input:
    return {"surveyId": _s(_survey(scn))}


def publish_findings(scn: Scenario, _: Principal) -> Input:
    survey, ctx = _survey(scn), scn.secretariat()
    for _index in range(3):
        respondent = _respondent(scn, survey)
        scn.app.submit_response(ctx, survey, respondent_id=respondent, answers=[("staff", 4)])
        scn.app.validate_response(ctx, survey, respondent_id=respondent)
    scn.app.close_survey(ctx, survey)
    return {"surveyId": _s(survey), "grouping": "NATIONAL"}


# -- B9, B10 ----------------------------------------------------------------------------


def plan_dissemination(scn: Scenario, who: Principal) -> Input:
    return {
        "partnershipId": _s(scn.partnership),
        "responsibleId": _s(_org(scn, who)),
        "title": unique("Seminar"),
        "channel": "SEMINAR",
        "plannedOn": _today().isoformat(),
        "audienceDescription": "Procurement officers",
    }


def _activity(scn: Scenario, who: Principal, held: bool) -> UUID:
    ctx = scn.secretariat()
    activity = scn.created(
        scn.app.plan_dissemination(
            ctx,
            scn.partnership,
            responsible_id=_org(scn, who),
            title=unique("Seminar"),
            channel="seminar",
            planned_on=ctx.today,
            audience_description="Procurement officers",
        )
    )
    if held:
        scn.app.record_dissemination(ctx, activity, held_on=ctx.today, reach=30, evidence_hash=HASH)
    return activity


def record_dissemination(scn: Scenario, who: Principal) -> Input:
    return {
        "disseminationId": _s(_activity(scn, who, held=False)),
        "heldOn": _today().isoformat(),
        "reach": 25,
        "evidenceHash": HASH,
    }


def on_held_activity(extra: Input) -> MakeInput:
    def make(scn: Scenario, who: Principal) -> Input:
        return {
            "disseminationId": _s(_activity(scn, who, held=True)),
            "organisationId": _s(_org(scn, who)),
        } | extra

    return make


def register_document(scn: Scenario, _: Principal) -> Input:
    return {
        "partnershipId": _s(scn.partnership),
        "documentHash": _digest(),
        "kind": "MINUTES",
        "retention": "PROGRAMME_AUDIT",
        "title": unique("Minutes"),
    }


def link_evidence(scn: Scenario, _: Principal) -> Input:
    document = scn.created(
        scn.app.register_document(
            scn.secretariat(),
            scn.partnership,
            document_hash=_digest(),
            kind="participant_list",
            retention="programme_audit",
            title=unique("Participants"),
        )
    )
    return {"documentId": _s(document), "streamId": _s(scn.partnership), "streamVersion": 1}


def value_of(ids: dict[str, UUID]) -> Input:
    return {"indicatorId": _s(ids["indicator"]), "value": "12", "source": "Register"}


#: Each mutation's input maker, by name.
INPUTS: dict[str, MakeInput] = {
    "startCycle": start_cycle,
    "statePurpose": on_cycle("started", lambda _: {"purpose": "Our social value"}),
    "stateObjective": on_cycle("purpose", lambda _: {"objective": "Jobs in care"}),
    "improveObjective": on_cycle(
        "objective",
        lambda ids: {"objectiveId": _s(ids["objective"]), "objective": "Paid jobs", "reason": "x"},
    ),
    "mapStakeholderGroup": on_cycle(
        "objective", lambda _: {"name": "Employers", "interest": "Staff"}
    ),
    "defineIndicator": on_cycle(
        "scoped",
        lambda ids: {"objectiveId": _s(ids["objective"]), "name": "Hours", "unit": "hours"},
    ),
    "recordIndicatorValue": on_cycle("scoped", value_of),
    "recordConsultation": on_cycle(
        "scoped",
        lambda ids: {
            "stakeholderGroupIds": [_s(ids["group"])],
            "method": "Survey",
            "heldOn": _today().isoformat(),
            "summary": "Fine",
        },
    ),
    "determineMateriality": on_cycle(
        "consulted",
        lambda ids: {"materialIndicatorIds": [_s(ids["indicator"])], "rationale": "Said so"},
    ),
    "compileAccounts": on_cycle("material", lambda _: {"documentHash": HASH}),
    "conveneAuditPanel": on_cycle(
        "compiled",
        lambda ids: {
            "chairId": _s(uuid4()),
            "members": [{"personId": _s(uuid4()), "stakeholderGroupId": _s(ids["group"])}],
        },
    ),
    "raisePanelQuery": on_cycle("panel", lambda _: {"query": "How was it counted?"}),
    "answerPanelQuery": answer_query,
    "issueAuditStatement": on_cycle(
        "panel", lambda _: {"opinion": "VERIFIED", "documentHash": "c" * 64}
    ),
    "publishAccounts": on_cycle("statement", lambda _: {"where": "Annual report"}),
    "adoptActionPlan": adopt_plan,
    "designQuestionnaire": design,
    "reviseQuestionnaire": revise,
    "publishQuestionnaire": publish_questionnaire,
    "inviteRespondent": invite,
    "submitResponse": submit,
    "correctResponse": correct,
    "validateResponse": on_response({}),
    "rejectResponse": on_response({"reason": "Counted twice"}),
    "closeSurvey": close,
    "publishFindings": publish_findings,
    "planDissemination": plan_dissemination,
    "recordDissemination": record_dissemination,
    "recordUptake": on_held_activity(
        {"practice": unique("Reserved contracts"), "adoptedOn": _today().isoformat()}
    ),
    "recordPolicyInfluence": on_held_activity(
        {"change": "Social criteria", "decidedOn": _today().isoformat(), "evidenceHash": HASH}
    ),
    "registerDocument": register_document,
    "linkEvidence": link_evidence,
}
