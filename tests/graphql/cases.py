"""One case per mutation: who may run it, and a fresh target for each run.

`KIND` is the test's own statement of the access rules (not read from the policy
module), so a change to the matrix shows up here as a failing pair.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

from coordination.audit.envelope import encode_entry
from coordination.audit.merkle import leaf_hash
from coordination.audit.note import Signer
from coordination.auth.principal import Principal
from coordination.domain.context import Context
from coordination.domain.errors import NotFound
from coordination.domain.joint_group import JointPosition
from coordination.domain.joint_parts import PositionRef
from tests.graphql.cases_reporting import INPUTS
from tests.graphql.scenario import HASH, ORIGIN, Scenario, unique

SECRETARIAT, OWN_ORG, RUNS_GROUP, OWNED_BY_ORG = "secretariat", "own_org", "runs_group", "owned"
#: Running a training programme: the organisation providing it (B in these cases).
PROVIDES = "provides"

#: Which test principals succeed and which are refused, per kind of mutation.
ALLOWED = {
    SECRETARIAT: ["admin"],
    OWN_ORG: ["admin_for_org", "representative", "convenor"],
    RUNS_GROUP: ["admin", "convenor"],
    OWNED_BY_ORG: ["admin", "representative", "convenor"],
    PROVIDES: ["admin", "representative"],
}
REFUSED = {
    SECRETARIAT: ["representative", "convenor", "auditor", "anonymous"],
    OWN_ORG: ["auditor", "anonymous"],
    RUNS_GROUP: ["representative", "convenor_other", "auditor", "anonymous"],
    OWNED_BY_ORG: ["representative_other", "convenor_other", "auditor", "anonymous"],
    PROVIDES: ["representative_other", "convenor", "auditor", "anonymous"],
}


@dataclass
class Prepared:
    input: dict[str, Any]
    group: UUID | None = None


Prepare = Callable[[Scenario, Principal], Prepared]


def _s(value: object) -> str:
    return str(value)


def _later(days: int) -> str:
    return (datetime.now(UTC) + timedelta(days=days)).isoformat()


def _today_plus(days: int) -> str:
    return (datetime.now(UTC).date() + timedelta(days=days)).isoformat()


def _own(scn: Scenario, who: Principal) -> str:
    """The label (A, B, C) of the organisation the principal acts for."""
    return next(label for label, org in scn.orgs.items() if org == who.org)


# -- B1 ---------------------------------------------------------------------------------


def establish(scn: Scenario, _: Principal) -> Prepared:
    return Prepared(
        {
            "name": unique("Partnership"),
            "programme": "ESF",
            "region": "Stockholm county",
            "periodStart": "2026-01-01",
            "periodEnd": "2028-12-31",
        }
    )


def _new_partnership(scn: Scenario) -> UUID:
    return scn.app.establish_partnership(
        scn.secretariat(),
        name=unique("Partnership"),
        programme="ESF",
        region="Stockholm",
        period_start=scn.start.date(),
        period_end=scn.start.date() + timedelta(days=700),
    ).stream_id


def adopt_agreement(scn: Scenario, _: Principal) -> Prepared:
    return Prepared(
        {"partnershipId": _s(_new_partnership(scn)), "title": "Agreement", "documentHash": HASH}
    )


def amend_agreement(scn: Scenario, _: Principal) -> Prepared:
    partnership = _new_partnership(scn)
    scn.app.adopt_agreement(scn.secretariat(), partnership, title="Agreement", document_hash=HASH)
    return Prepared(
        {"partnershipId": _s(partnership), "summary": "Article 4 amended", "documentHash": "b" * 64}
    )


def admit_member(scn: Scenario, _: Principal) -> Prepared:
    return Prepared(
        {"partnershipId": _s(scn.partnership), "name": unique("Coop"), "kind": "COOPERATIVE"}
    )


def _new_member(scn: Scenario) -> UUID:
    return scn.created(
        scn.app.admit_member(
            scn.secretariat(), scn.partnership, name=unique("Member"), kind="company"
        )
    )


def withdraw_member(scn: Scenario, _: Principal) -> Prepared:
    return Prepared(
        {
            "partnershipId": _s(scn.partnership),
            "memberId": _s(_new_member(scn)),
            "reason": "Merged",
        }
    )


def appoint_representative(scn: Scenario, _: Principal) -> Prepared:
    return Prepared(
        {
            "partnershipId": _s(scn.partnership),
            "memberId": _s(scn.orgs["B"]),
            "personId": _s(uuid4()),
            "startsOn": _today_plus(0),
        }
    )


def end_representation(scn: Scenario, _: Principal) -> Prepared:
    mandate = scn.created(
        scn.app.appoint_representative(
            scn.secretariat(),
            scn.partnership,
            member_id=scn.orgs["B"],
            person_id=uuid4(),
            starts_on=scn.start.date(),
        )
    )
    return Prepared(
        {"partnershipId": _s(scn.partnership), "mandateId": _s(mandate), "endedOn": _today_plus(0)}
    )


def define_theme(scn: Scenario, _: Principal) -> Prepared:
    return Prepared({"partnershipId": _s(scn.partnership), "name": unique("Theme")})


def archive_theme(scn: Scenario, _: Principal) -> Prepared:
    theme = scn.created(
        scn.app.define_theme(scn.secretariat(), scn.partnership, name=unique("Theme"))
    )
    return Prepared({"partnershipId": _s(scn.partnership), "themeId": _s(theme)})


# -- B2 ---------------------------------------------------------------------------------


def convene(scn: Scenario, _: Principal) -> Prepared:
    return Prepared(
        {
            "partnershipId": _s(scn.partnership),
            "themeId": _s(scn.theme),
            "name": unique("Group"),
            "purpose": "Finance",
            "decides": "Its work plan",
            "defaultRule": "CONSENT",
        }
    )


def join(scn: Scenario, _: Principal) -> Prepared:
    group = scn.fresh_group(members=(), convenor="")
    return Prepared({"groupId": _s(group)}, group)


def leave(scn: Scenario, _: Principal) -> Prepared:
    group = scn.fresh_group(members=("A", "B"), convenor="")
    return Prepared({"groupId": _s(group)}, group)


def appoint_convenor(scn: Scenario, _: Principal) -> Prepared:
    group = scn.fresh_group()
    return Prepared(
        {"groupId": _s(group), "personId": _s(scn.reps["B"]), "memberId": _s(scn.orgs["B"])}, group
    )


def revise_charter(scn: Scenario, _: Principal) -> Prepared:
    group = scn.fresh_group()
    return Prepared(
        {"groupId": _s(group), "purpose": "New", "decides": "More", "defaultRule": "MAJORITY"},
        group,
    )


def close_group(scn: Scenario, _: Principal) -> Prepared:
    group = scn.fresh_group()
    return Prepared({"groupId": _s(group), "reason": "Work done"}, group)


def assign_action(scn: Scenario, _: Principal) -> Prepared:
    group = scn.fresh_group()
    return Prepared(
        {
            "partnershipId": _s(scn.partnership),
            "groupId": _s(group),
            "ownerId": _s(scn.orgs["B"]),
            "description": "Survey lenders",
            "dueOn": _today_plus(30),
        },
        group,
    )


def _action_case(extra: dict[str, Any]) -> Prepare:
    def prepare(scn: Scenario, _: Principal) -> Prepared:
        group = scn.fresh_group()
        return Prepared({"actionId": _s(scn.fresh_action(group)), **extra}, group)

    return prepare


# -- B3 ---------------------------------------------------------------------------------


def table(scn: Scenario, _: Principal) -> Prepared:
    group = scn.fresh_group()
    return Prepared(
        {
            "partnershipId": _s(scn.partnership),
            "forumKind": "WORKING_GROUP",
            "forumId": _s(group),
            "title": "Micro-credit",
            "text": "Set up a guarantee fund.",
            "rationale": "Banks refuse loans.",
        },
        group,
    )


def contribute(scn: Scenario, _: Principal) -> Prepared:
    group = scn.fresh_group()
    return Prepared({"decisionId": _s(scn.fresh_decision(group)), "text": "We support it"}, group)


def _by_proposer(extra: dict[str, Any]) -> Prepare:
    def prepare(scn: Scenario, who: Principal) -> Prepared:
        group = scn.fresh_group()
        decision = scn.fresh_decision(group, proposer=_own(scn, who))
        return Prepared({"decisionId": _s(decision), **extra}, group)

    return prepare


def grant_proxy(scn: Scenario, _: Principal) -> Prepared:
    group = scn.fresh_group(members=("A", "B", "C"))
    return Prepared(
        {
            "decisionId": _s(scn.called_decision(group)),
            "proxyPersonId": _s(scn.reps["C"]),
            "proxyMemberId": _s(scn.orgs["C"]),
        },
        group,
    )


def take_position(scn: Scenario, _: Principal) -> Prepared:
    group = scn.fresh_group()
    return Prepared({"decisionId": _s(scn.called_decision(group)), "position": "AGREE"}, group)


def revise_position(scn: Scenario, who: Principal) -> Prepared:
    group = scn.fresh_group()
    decision = scn.called_decision(group)
    scn.app.take_position(scn.of(_own(scn, who)), decision, position="abstain")
    return Prepared({"decisionId": _s(decision), "position": "AGREE"}, group)


def call(scn: Scenario, _: Principal) -> Prepared:
    group = scn.fresh_group()
    return Prepared(
        {
            "decisionId": _s(scn.fresh_decision(group)),
            "rule": "CONSENT",
            "quorumPercent": 50,
            "closesAt": _later(7),
        },
        group,
    )


def close(scn: Scenario, _: Principal) -> Prepared:
    group = scn.fresh_group()
    decision = scn.called_decision(group)
    for label in ("A", "B"):
        scn.app.take_position(scn.of(label), decision, position="agree")
    return Prepared({"decisionId": _s(decision)}, group)


def adopt(scn: Scenario, _: Principal) -> Prepared:
    group = scn.fresh_group()
    return Prepared(
        {
            "decisionId": _s(scn.closed_decision(group)),
            "outcome": "Adopted",
            "effectiveOn": _today_plus(1),
        },
        group,
    )


def reject(scn: Scenario, _: Principal) -> Prepared:
    group = scn.fresh_group()
    decision = scn.closed_decision(group, position="disagree")
    return Prepared({"decisionId": _s(decision), "reason": "No majority"}, group)


def defer(scn: Scenario, _: Principal) -> Prepared:
    group = scn.fresh_group()
    return Prepared(
        {
            "decisionId": _s(scn.fresh_decision(group)),
            "until": _today_plus(30),
            "reason": "Wait for the study",
        },
        group,
    )


def supersede(scn: Scenario, _: Principal) -> Prepared:
    group = scn.fresh_group()
    earlier, later = scn.adopted_decision(group), scn.adopted_decision(group)
    return Prepared(
        {
            "decisionId": _s(earlier),
            "byDecisionId": _s(later),
            "scope": "PART",
            "note": "Article 2 replaced",
        },
        group,
    )


def record_from_minutes(scn: Scenario, _: Principal) -> Prepared:
    group = scn.fresh_group()
    workshop = scn.fresh_workshop(group, held=True)
    scn.app.draft_minutes(scn.secretariat(), workshop, text="We agreed to write a guide.")
    scn.app.approve_minutes(scn.secretariat(), workshop)
    return Prepared(
        {
            "partnershipId": _s(scn.partnership),
            "forumKind": "WORKING_GROUP",
            "forumId": _s(group),
            "workshopId": _s(workshop),
            "title": "A guide",
            "text": "Write a guide to social clauses.",
            "outcome": "Agreed at the meeting",
            "effectiveOn": _today_plus(0),
        },
        group,
    )


# -- B4 ---------------------------------------------------------------------------------


def plan(scn: Scenario, _: Principal) -> Prepared:
    group = scn.fresh_group()
    return Prepared(
        {
            "partnershipId": _s(scn.partnership),
            "organiserGroupIds": [_s(group)],
            "organiserPartners": [],
            "themeId": _s(scn.theme),
            "title": "Procurement day",
            "format": "ONLINE",
            "venue": None,
            "capacity": 40,
            "startsAt": _later(20),
            "endsAt": _later(21),
            "audienceDescription": "buyers and social enterprises",
        },
        group,
    )


def _workshop_case(extra: dict[str, Any], held: bool = False, minutes: str = "") -> Prepare:
    def prepare(scn: Scenario, _: Principal) -> Prepared:
        group = scn.fresh_group()
        workshop = scn.fresh_workshop(group, held=held)
        if minutes:
            scn.app.draft_minutes(scn.secretariat(), workshop, text=minutes)
        values = {k: v(scn) if callable(v) else v for k, v in extra.items()}
        return Prepared({"workshopId": _s(workshop), **values}, group)

    return prepare


def cancel_registration(scn: Scenario, _: Principal) -> Prepared:
    group = scn.fresh_group()
    workshop = scn.fresh_workshop(group)
    registration = scn.created(
        scn.app.register(
            scn.secretariat(),
            workshop,
            person_id=uuid4(),
            organisation_id=scn.orgs["B"],
            role="social_economy_actor",
        )
    )
    return Prepared({"workshopId": _s(workshop), "registrationId": _s(registration)}, group)


# -- B5 and B10 --------------------------------------------------------------------------


def launch(scn: Scenario, _: Principal) -> Prepared:
    return Prepared(
        {
            "partnershipId": _s(scn.partnership),
            "kind": "CARE_WORK_COURSE",
            "title": unique("Care work in Swedish"),
            "providerId": _s(scn.orgs["B"]),
            "targetGroup": "women of foreign origin",
            "curriculum": "Term 1: language of care",
            "durationMonths": 24,
        }
    )


def _fresh_programme(scn: Scenario) -> UUID:
    return scn.created(
        scn.app.launch_programme(
            scn.secretariat(),
            partnership_id=scn.partnership,
            kind="care_work_course",
            title=unique("Care work in Swedish"),
            provider_id=scn.orgs["B"],
            target_group="women of foreign origin",
            curriculum="Term 1: language of care",
            duration_months=24,
        )
    )


def _fresh_cohort(scn: Scenario) -> UUID:
    return scn.created(
        scn.app.open_cohort(
            scn.secretariat(),
            _fresh_programme(scn),
            title=unique("Cohort"),
            places=5,
            starts_on=datetime.now(UTC).date() - timedelta(days=30),
        )
    )


def _programme_case(extra: dict[str, Any]) -> Prepare:
    return lambda scn, _: Prepared({"programmeId": _s(_fresh_programme(scn)), **extra})


def _cohort_case(extra: dict[str, Any], *, state: str = "") -> Prepare:
    """A fresh cohort; `state` "enrolled", "completed", "session" or "feedback" adds a
    participant (and what the mutation needs of them)."""

    def prepare(scn: Scenario, _: Principal) -> Prepared:
        cohort = _fresh_cohort(scn)
        values: dict[str, Any] = {"cohortId": _s(cohort), **extra}
        if state:
            person = uuid4()
            scn.app.enrol(scn.secretariat(), cohort, participant_id=person, name="Participant")
            values["participantId"] = _s(person)
        if state == "completed":
            scn.app.record_completion(scn.secretariat(), cohort, participant_id=person)
        if state == "session":
            session = scn.app.hold_session(
                scn.secretariat(), cohort, held_on=scn.start.date(), topic="Ethics"
            )
            values["sessionId"] = _s(scn.created(session))
            values["participantIds"] = [values.pop("participantId")]
        if state == "feedback":
            feedback = scn.app.give_feedback(
                scn.secretariat(), cohort, participant_id=person, kind="request", text="More"
            )
            values["feedbackId"] = _s(scn.created(feedback))
            del values["participantId"]
        return Prepared(values)

    return prepare


def erase(scn: Scenario, _: Principal) -> Prepared:
    person = uuid4()
    scn.app.enrol(scn.secretariat(), _fresh_cohort(scn), participant_id=person, name="Someone")
    return Prepared({"subjectId": _s(person), "ground": "REQUEST"})


# -- B8 ---------------------------------------------------------------------------------


def _party() -> str:
    return f"p{uuid4().hex[:12]}.example/coordination/log"


def _key(origin: str) -> str:
    return Signer.generate(origin).verifier.vkey


def _fresh_party(scn: Scenario) -> str:
    """A new party of the node's one agreement: signed with it, or amended to name it."""
    party, both = _party(), ["public", "transnational"]
    try:
        agreement = scn.app.cooperation_agreement()
    except NotFound:
        scn.app.sign_cooperation_agreement(
            scn.secretariat(), title="Cooperation", document_hash=HASH, parties=[(party, both)]
        )
        return party
    parties = [(origin, list(sees)) for origin, sees in agreement.parties.items()]
    scn.app.amend_cooperation_agreement(
        scn.secretariat(),
        summary=unique("Another partner"),
        document_hash=uuid4().hex * 2,
        parties=[*parties, (party, both)],
    )
    return party


def _fresh_partner(scn: Scenario, *, keyed: bool = False) -> str:
    party = _fresh_party(scn)
    scn.app.admit_partner(
        scn.secretariat(), origin=party, name="Partner", base_url="https://p.example", sees=[]
    )
    if keyed:
        scn.app.register_partner_key(scn.secretariat(), origin=party, vkey=_key(party))
    return party


def sign_cooperation(_scn: Scenario, _: Principal) -> Prepared:
    parties = [{"origin": _party(), "sees": ["public", "transnational"]}]
    return Prepared({"title": "Cooperation", "documentHash": HASH, "parties": parties})


def amend_cooperation(scn: Scenario, _: Principal) -> Prepared:
    _fresh_party(scn)
    parties = [
        {"origin": origin, "sees": list(sees)}
        for origin, sees in scn.app.cooperation_agreement().parties.items()
    ]
    return Prepared({"summary": "s", "documentHash": uuid4().hex * 2, "parties": parties})


def admit_partner(scn: Scenario, _: Principal) -> Prepared:
    origin = _fresh_party(scn)
    return Prepared(
        {"origin": origin, "name": "Partner", "baseUrl": "https://p.example", "sees": ["public"]}
    )


def register_partner_key(scn: Scenario, _: Principal) -> Prepared:
    origin = _fresh_partner(scn)
    return Prepared({"origin": origin, "vkey": _key(origin)})


def rotate_partner_key(scn: Scenario, _: Principal) -> Prepared:
    origin = _fresh_partner(scn, keyed=True)
    return Prepared({"origin": origin, "vkey": _key(origin)})


def revoke_partner_key(scn: Scenario, _: Principal) -> Prepared:
    origin = _fresh_partner(scn, keyed=True)
    key = scn.app.cooperation_agreement().current_key(origin)
    assert key is not None
    return Prepared({"origin": origin, "keyId": key.key_id, "reason": "Lost"})


class _MadePositions:
    """The positions a case made itself, as entry bytes: the access matrix asks who may
    adopt a joint decision, not whether the logs hold its positions (which
    tests/federation/test_joint_groups.py asks of real logs)."""

    def __init__(self) -> None:
        self.bodies: dict[tuple[str, str], bytes] = {}

    def verified(self, ref: PositionRef) -> dict[str, Any]:
        body = self.bodies[(ref.origin, str(ref.event_id))]
        assert leaf_hash(body).hex() == ref.leaf_hash
        envelope: dict[str, Any] = json.loads(body)
        return envelope

    def position(self, group: UUID, origin: str) -> dict[str, str]:
        taken = JointPosition.take(
            Context(actor="secretariat", origin=origin),
            group_id=group,
            lead_origin=ORIGIN,
            member_origins=None,
            position="agree",
            reason=None,
        )
        (event,) = taken.collect_events()
        body = encode_entry(event, index=0, origin=origin)
        self.bodies[(origin, str(event.event_id))] = body  # type: ignore[attr-defined]
        event_id = str(event.event_id)  # type: ignore[attr-defined]
        return {"origin": origin, "eventId": event_id, "leafHash": leaf_hash(body).hex()}


def _joint_partner(scn: Scenario) -> str:
    """An admitted partner: any one will do, and the agreement's parties are limited."""
    try:
        admitted = list(scn.app.cooperation_agreement().partners)
    except NotFound:
        admitted = []
    return admitted[0] if admitted else _fresh_partner(scn)


def _joint_group(scn: Scenario) -> tuple[UUID, str]:
    partner = _joint_partner(scn)
    group = scn.app.establish_joint_group(
        scn.secretariat(),
        name=unique("Joint group"),
        topic="social_accounting",
        purpose="One method",
        members=[partner],
    ).stream_id
    return group, partner


def establish_joint_group(scn: Scenario, _: Principal) -> Prepared:
    members = [_joint_partner(scn)]
    return Prepared(
        {
            "name": unique("Joint group"),
            "topic": "SUPPORT_SERVICES",
            "purpose": "p",
            "members": members,
        }
    )


def take_joint_position(scn: Scenario, _: Principal) -> Prepared:
    group, _partner = _joint_group(scn)
    return Prepared({"groupId": _s(group), "leadOrigin": ORIGIN, "position": "AGREE"})


def adopt_joint_decision(scn: Scenario, _: Principal) -> Prepared:
    group, partner = _joint_group(scn)
    made = _MadePositions()
    scn.app.peer_positions = made
    positions = [made.position(group, ORIGIN), made.position(group, partner)]
    return Prepared({"groupId": _s(group), "statement": "Adopted", "positions": positions})


CASES: dict[str, tuple[str, Prepare]] = {
    "establishPartnership": (SECRETARIAT, establish),
    "adoptAgreement": (SECRETARIAT, adopt_agreement),
    "amendAgreement": (SECRETARIAT, amend_agreement),
    "admitMember": (SECRETARIAT, admit_member),
    "withdrawMember": (SECRETARIAT, withdraw_member),
    "appointRepresentative": (SECRETARIAT, appoint_representative),
    "endRepresentation": (SECRETARIAT, end_representation),
    "defineTheme": (SECRETARIAT, define_theme),
    "archiveTheme": (SECRETARIAT, archive_theme),
    "conveneWorkingGroup": (SECRETARIAT, convene),
    "joinWorkingGroup": (OWN_ORG, join),
    "leaveWorkingGroup": (OWN_ORG, leave),
    "appointConvenor": (RUNS_GROUP, appoint_convenor),
    "reviseCharter": (RUNS_GROUP, revise_charter),
    "closeWorkingGroup": (RUNS_GROUP, close_group),
    "assignAction": (RUNS_GROUP, assign_action),
    "reportProgress": (OWNED_BY_ORG, _action_case({"percent": 40, "note": "Half way"})),
    "completeAction": (OWNED_BY_ORG, _action_case({"outcome": "Report delivered"})),
    "dropAction": (RUNS_GROUP, _action_case({"reason": "No longer needed"})),
    "tableProposal": (OWN_ORG, table),
    "postContribution": (OWN_ORG, contribute),
    "reviseProposal": (
        OWN_ORG,
        _by_proposer({"title": "Revised", "text": "Better text", "rationale": "Feedback"}),
    ),
    "withdrawProposal": (OWN_ORG, _by_proposer({"reason": "Overtaken by events"})),
    "grantProxy": (OWN_ORG, grant_proxy),
    "takePosition": (OWN_ORG, take_position),
    "revisePosition": (OWN_ORG, revise_position),
    "callDecision": (RUNS_GROUP, call),
    "closeDecision": (RUNS_GROUP, close),
    "adoptDecision": (RUNS_GROUP, adopt),
    "rejectDecision": (RUNS_GROUP, reject),
    "deferDecision": (RUNS_GROUP, defer),
    "supersedeDecision": (RUNS_GROUP, supersede),
    "recordDecisionFromMinutes": (RUNS_GROUP, record_from_minutes),
    "planWorkshop": (RUNS_GROUP, plan),
    "setAgenda": (RUNS_GROUP, _workshop_case({"items": ["Welcome", "Tenders"]})),
    "invite": (
        RUNS_GROUP,
        _workshop_case({"inviteeKind": "ORGANISATION", "inviteeId": lambda s: _s(s.orgs["C"])}),
    ),
    "register": (
        OWNED_BY_ORG,
        _workshop_case(
            {
                "personId": lambda _: _s(uuid4()),
                "organisationId": lambda s: _s(s.orgs["B"]),
                "role": "SOCIAL_ECONOMY_ACTOR",
            }
        ),
    ),
    "cancelRegistration": (OWNED_BY_ORG, cancel_registration),
    "postponeWorkshop": (
        RUNS_GROUP,
        _workshop_case({"startsAt": _later(40), "endsAt": _later(41), "reason": "Strike"}),
    ),
    "cancelWorkshop": (RUNS_GROUP, _workshop_case({"reason": "Too few registrations"})),
    "holdWorkshop": (RUNS_GROUP, _workshop_case({})),
    "recordAttendance": (
        RUNS_GROUP,
        _workshop_case(
            {"attendees": lambda s: [{"personId": _s(uuid4()), "organisationId": _s(s.orgs["A"])}]},
            held=True,
        ),
    ),
    "draftMinutes": (RUNS_GROUP, _workshop_case({"text": "Minutes"}, held=True)),
    "amendMinutes": (
        RUNS_GROUP,
        _workshop_case(
            {"text": "Minutes, corrected", "note": "Typo"}, held=True, minutes="Minutes"
        ),
    ),
    "approveMinutes": (RUNS_GROUP, _workshop_case({}, held=True, minutes="Minutes")),
    "raiseFollowUp": (
        RUNS_GROUP,
        _workshop_case(
            {
                "description": "Write the guide",
                "ownerId": lambda s: _s(s.orgs["B"]),
                "groupId": None,
                "dueOn": _today_plus(30),
            },
            held=True,
        ),
    ),
    "launchProgramme": (SECRETARIAT, launch),
    "openCohort": (
        PROVIDES,
        _programme_case({"title": "Cohort", "places": 16, "startsOn": _today_plus(10)}),
    ),
    "reviseCurriculum": (
        PROVIDES,
        _programme_case({"curriculum": "Term 1: Swedish at work", "reason": "Requests"}),
    ),
    "enrol": (
        PROVIDES,
        _cohort_case({"participantId": _s(uuid4()), "name": "Participant", "contact": "x"}),
    ),
    "recordLeaving": (PROVIDES, _cohort_case({"reason": "Moved"}, state="enrolled")),
    "recordCompletion": (PROVIDES, _cohort_case({}, state="enrolled")),
    "holdSession": (PROVIDES, _cohort_case({"heldOn": _today_plus(0), "topic": "Ethics"})),
    "recordSessionAttendance": (PROVIDES, _cohort_case({}, state="session")),
    "giveFeedback": (
        PROVIDES,
        _cohort_case({"kind": "REQUEST", "text": "More practice"}, state="enrolled"),
    ),
    "answerFeedback": (
        PROVIDES,
        _cohort_case({"answer": "Added", "revisedCurriculum": "New"}, state="feedback"),
    ),
    "recordFollowUpOutcome": (
        PROVIDES,
        _cohort_case({"outcome": "EMPLOYMENT", "recordedOn": _today_plus(0)}, state="completed"),
    ),
    "eraseSubject": (SECRETARIAT, erase),
    "signCooperationAgreement": (SECRETARIAT, sign_cooperation),
    "amendCooperationAgreement": (SECRETARIAT, amend_cooperation),
    "admitPartner": (SECRETARIAT, admit_partner),
    "registerPartnerKey": (SECRETARIAT, register_partner_key),
    "rotatePartnerKey": (SECRETARIAT, rotate_partner_key),
    "revokePartnerKey": (SECRETARIAT, revoke_partner_key),
    "establishJointGroup": (SECRETARIAT, establish_joint_group),
    "takeJointPosition": (SECRETARIAT, take_joint_position),
    "adoptJointDecision": (SECRETARIAT, adopt_joint_decision),
}


def _reporting(mutation: str) -> Prepare:
    make = INPUTS[mutation]
    return lambda scn, who: Prepared(make(scn, who))


CASES.update(
    {
        mutation: (kind, _reporting(mutation))
        for kind, mutations in (
            (
                OWNED_BY_ORG,
                [
                    *("startCycle", "statePurpose", "stateObjective", "improveObjective"),
                    *("mapStakeholderGroup", "defineIndicator", "recordIndicatorValue"),
                    *("recordConsultation", "determineMateriality", "compileAccounts"),
                    *("answerPanelQuery", "publishAccounts", "adoptActionPlan"),
                    *("submitResponse", "correctResponse", "planDissemination"),
                    *("recordDissemination", "recordUptake", "recordPolicyInfluence"),
                ],
            ),
            (
                SECRETARIAT,
                [
                    *("conveneAuditPanel", "raisePanelQuery", "issueAuditStatement"),
                    *("designQuestionnaire", "reviseQuestionnaire", "publishQuestionnaire"),
                    *("inviteRespondent", "validateResponse", "rejectResponse", "closeSurvey"),
                    "publishFindings",
                ],
            ),
            (OWN_ORG, ["registerDocument", "linkEvidence"]),
        )
        for mutation in mutations
    }
)


def document(mutation: str) -> str:
    """A mutation document returning the payload's common fields or the error."""
    name = mutation[0].upper() + mutation[1:]
    return (
        f"mutation Run($input: {name}Input!) {{ {mutation}(input: $input) {{ __typename"
        " ... on CommandPayload { streamId version createdId projected }"
        " ... on UserError { message code } } }"
    )
