"""Who may run which command: the role x command matrix and the grant by target.

The matrix is the first gate, on the token's claims; the streams stay the final word
(`standing`, which `coordination.auth.authorization` runs after these). A convenor is a
representative of a group member who also runs the groups its token names, so it holds
every representative grant plus the group ones.

Grants:
    ANY: the role may run the command on any target.
    OWN_ORG: the target must concern the caller's organisation (an action it owns, a
        registration for it).
    OWN_GROUP: the target must belong to one of the caller's working groups (the
        decision's forum, the workshop's organisers, the action's group); the holder
        must also convene it (`standing.ensure_convenes`).
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import Enum

from coordination.auth.authorization.targets import Target
from coordination.auth.principal import Principal, Role
from coordination.domain.errors import Forbidden


class Grant(Enum):
    ANY = "any"
    OWN_ORG = "own organisation"
    OWN_GROUP = "own working group"


Rule = Mapping[Role, frozenset[Grant]]

_ANY = frozenset({Grant.ANY})
_ORG = frozenset({Grant.OWN_ORG})
_GROUP = frozenset({Grant.OWN_GROUP})
_ORG_OR_GROUP = frozenset({Grant.OWN_ORG, Grant.OWN_GROUP})

#: Only the secretariat.
SECRETARIAT: Rule = {Role.ADMIN: _ANY}
#: Done on behalf of the caller's own organisation (taken from the token).
FOR_OWN_ORG: Rule = {Role.ADMIN: _ANY, Role.REPRESENTATIVE: _ANY, Role.CONVENOR: _ANY}
#: Running a working group, its decisions or its workshops.
RUNS_GROUP: Rule = {Role.ADMIN: _ANY, Role.CONVENOR: _GROUP}
#: Something an organisation owns (its action, its registration), or its group runs.
OWNED_BY_ORG: Rule = {Role.ADMIN: _ANY, Role.REPRESENTATIVE: _ORG, Role.CONVENOR: _ORG_OR_GROUP}

#: Running a training programme: the organisation that provides it (taken from the stream).
PROVIDES: Rule = {Role.ADMIN: _ANY, Role.REPRESENTATIVE: _ORG, Role.CONVENOR: _ORG}

#: Every mutation of the API (by its GraphQL name) and who may run it.
MATRIX: Mapping[str, Rule] = {
    # B1. Partnership and membership
    "establishPartnership": SECRETARIAT,
    "adoptAgreement": SECRETARIAT,
    "amendAgreement": SECRETARIAT,
    "admitMember": SECRETARIAT,
    "withdrawMember": SECRETARIAT,
    "appointRepresentative": SECRETARIAT,
    "endRepresentation": SECRETARIAT,
    "defineTheme": SECRETARIAT,
    "archiveTheme": SECRETARIAT,
    # B2. Working groups and actions
    "conveneWorkingGroup": SECRETARIAT,
    "joinWorkingGroup": FOR_OWN_ORG,
    "leaveWorkingGroup": FOR_OWN_ORG,
    "appointConvenor": RUNS_GROUP,
    "reviseCharter": RUNS_GROUP,
    "closeWorkingGroup": RUNS_GROUP,
    "assignAction": RUNS_GROUP,
    "reportProgress": OWNED_BY_ORG,
    "completeAction": OWNED_BY_ORG,
    "dropAction": RUNS_GROUP,
    # B3. Decisions
    "tableProposal": FOR_OWN_ORG,
    "postContribution": FOR_OWN_ORG,
    "reviseProposal": FOR_OWN_ORG,
    "withdrawProposal": FOR_OWN_ORG,
    "grantProxy": FOR_OWN_ORG,
    "takePosition": FOR_OWN_ORG,
    "revisePosition": FOR_OWN_ORG,
    "callDecision": RUNS_GROUP,
    "closeDecision": RUNS_GROUP,
    "adoptDecision": RUNS_GROUP,
    "rejectDecision": RUNS_GROUP,
    "deferDecision": RUNS_GROUP,
    "supersedeDecision": RUNS_GROUP,
    "recordDecisionFromMinutes": RUNS_GROUP,
    # B4. Workshops and meetings
    "planWorkshop": RUNS_GROUP,
    "setAgenda": RUNS_GROUP,
    "invite": RUNS_GROUP,
    "register": OWNED_BY_ORG,
    "cancelRegistration": OWNED_BY_ORG,
    "postponeWorkshop": RUNS_GROUP,
    "cancelWorkshop": RUNS_GROUP,
    "holdWorkshop": RUNS_GROUP,
    "recordAttendance": RUNS_GROUP,
    "draftMinutes": RUNS_GROUP,
    "amendMinutes": RUNS_GROUP,
    "approveMinutes": RUNS_GROUP,
    "raiseFollowUp": RUNS_GROUP,
    # B6. Social-accounting cycles: the organisation's own, but for what the independent
    # audit panel does, which the secretariat records for it (decision 0040)
    "startCycle": OWNED_BY_ORG,
    "statePurpose": OWNED_BY_ORG,
    "stateObjective": OWNED_BY_ORG,
    "improveObjective": OWNED_BY_ORG,
    "mapStakeholderGroup": OWNED_BY_ORG,
    "defineIndicator": OWNED_BY_ORG,
    "recordIndicatorValue": OWNED_BY_ORG,
    "recordConsultation": OWNED_BY_ORG,
    "determineMateriality": OWNED_BY_ORG,
    "compileAccounts": OWNED_BY_ORG,
    "conveneAuditPanel": SECRETARIAT,
    "raisePanelQuery": SECRETARIAT,
    "answerPanelQuery": OWNED_BY_ORG,
    "issueAuditStatement": SECRETARIAT,
    "publishAccounts": OWNED_BY_ORG,
    "adoptActionPlan": OWNED_BY_ORG,
    # B7. The mapping survey: run by the secretariat; a member responds for itself
    "designQuestionnaire": SECRETARIAT,
    "reviseQuestionnaire": SECRETARIAT,
    "publishQuestionnaire": SECRETARIAT,
    "inviteRespondent": SECRETARIAT,
    "submitResponse": OWNED_BY_ORG,
    "correctResponse": OWNED_BY_ORG,
    "validateResponse": SECRETARIAT,
    "rejectResponse": SECRETARIAT,
    "closeSurvey": SECRETARIAT,
    "publishFindings": SECRETARIAT,
    # B9. Dissemination: the responsible organisation's, and the one an outcome names
    "planDissemination": OWNED_BY_ORG,
    "recordDissemination": OWNED_BY_ORG,
    "recordUptake": OWNED_BY_ORG,
    "recordPolicyInfluence": OWNED_BY_ORG,
    # B10. Evidence documents: registered and linked by any member, for the programme
    "registerDocument": FOR_OWN_ORG,
    "linkEvidence": FOR_OWN_ORG,
    # B5. Training programmes and cohorts: the provider runs them
    "launchProgramme": SECRETARIAT,
    "openCohort": PROVIDES,
    "reviseCurriculum": PROVIDES,
    "enrol": PROVIDES,
    "recordLeaving": PROVIDES,
    "recordCompletion": PROVIDES,
    "holdSession": PROVIDES,
    "recordSessionAttendance": PROVIDES,
    "giveFeedback": PROVIDES,
    "answerFeedback": PROVIDES,
    "recordFollowUpOutcome": PROVIDES,
    # B10. Personal data
    "eraseSubject": SECRETARIAT,
    # B8. Transnational partners
    "signCooperationAgreement": SECRETARIAT,
    "amendCooperationAgreement": SECRETARIAT,
    "admitPartner": SECRETARIAT,
    "registerPartnerKey": SECRETARIAT,
    "rotatePartnerKey": SECRETARIAT,
    "revokePartnerKey": SECRETARIAT,
    # B8. Joint working groups: the node's secretariat speaks for its partnership
    "establishJointGroup": SECRETARIAT,
    "takeJointPosition": SECRETARIAT,
    "adoptJointDecision": SECRETARIAT,
}


def grants(principal: Principal, command: str) -> frozenset[Grant]:
    """The grants the principal's role holds for `command` (empty: refused outright)."""
    return MATRIX[command].get(principal.role, frozenset())


def needs_target(principal: Principal, command: str) -> bool:
    """True when the decision depends on what the command touches (no ANY grant)."""
    return Grant.ANY not in grants(principal, command)


def check_role(principal: Principal, command: str) -> None:
    """Refuse a role that holds no grant at all for `command`, before anything is loaded.

    Raises:
        Forbidden: With a message that says which role may do it instead.
    """
    if grants(principal, command):
        return
    if principal.role is Role.ANONYMOUS:
        raise Forbidden(f"sign in to {command}: anonymous callers only read public views")
    if principal.role is Role.AUDITOR:
        raise Forbidden("an auditor reads everything and changes nothing")
    allowed = sorted(role.value for role in MATRIX[command])
    raise Forbidden(f"{command} is for: {', '.join(allowed)}; not for a {principal.role.value}")


def check_grant(principal: Principal, command: str, target: Target | None = None) -> Grant:
    """Refuse `command` unless the matrix grants it to the principal for `target`.

    The grant is decided on the token's claims (its organisation, its groups); the caller
    then checks those claims against the streams where the grant rests on them (a token
    says which groups a convenor runs, the group's stream who its convenor is).

    Args:
        principal: The verified caller.
        command: The mutation's GraphQL name (a key of `MATRIX`).
        target: What the command touches; needed only when `needs_target` is True.

    Returns:
        The grant that allows it.

    Raises:
        Forbidden: The role may not run the command, or not on this target.
    """
    check_role(principal, command)
    held = grants(principal, command)
    if Grant.ANY in held:
        return Grant.ANY
    if target is None:
        raise ValueError(f"{command} needs its target to decide for a {principal.role.value}")
    if Grant.OWN_ORG in held and principal.org is not None and principal.org in target.orgs:
        return Grant.OWN_ORG
    if Grant.OWN_GROUP in held and principal.groups & target.groups:
        return Grant.OWN_GROUP
    if held == _ORG:
        raise Forbidden(f"a {principal.role.value} may {command} only for its own organisation")
    if held == _GROUP:
        raise Forbidden(f"a convenor may {command} only in the working groups it convenes")
    raise Forbidden(
        f"a convenor may {command} only for its own organisation"
        " or in the working groups it convenes"
    )
