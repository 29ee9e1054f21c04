"""The closed vocabularies of the API: the domain's enums (and three of the views', one of
the signed log's), exposed.

Each vocabulary is declared once, where it belongs: the domain's in `domain` (which
imports no framework), the three that only the views have (a deferred decision, a closed
forum, a dissemination's outcome) beside their views, the integrity alarm's state beside
the alarm. Here each is handed to `strawberry.enum` with its GraphQL name and
description, the API's words for it; strawberry records them on the class itself, which
is the type the API's fields and inputs take and return. The rest of `graphql` imports
the vocabularies from this module, so they are exposed before any type uses them.
"""

from __future__ import annotations

from enum import StrEnum

import strawberry

from coordination.audit.integrity import IntegrityState
from coordination.domain.accounting_parts import AuditOpinion, CycleStage
from coordination.domain.action import ActionStatus
from coordination.domain.cohort import FeedbackKind, FollowUpOutcome, ParticipantStatus
from coordination.domain.data_subject import ErasureGround
from coordination.domain.decision_rules import ForumKind, SupersedeScope
from coordination.domain.decision_rules import Position as PositionKind
from coordination.domain.dissemination import DisseminationChannel, DisseminationStatus
from coordination.domain.document import DocumentKind, RetentionClass
from coordination.domain.joint_parts import JointTopic
from coordination.domain.programme import ProgrammeKind
from coordination.domain.survey_findings import Grouping as FindingsGrouping
from coordination.domain.survey_findings import QuestionKind
from coordination.domain.survey_parts import SurveyStatus
from coordination.domain.values import ActionSource, DecisionRule, MemberKind, ParticipantRole
from coordination.domain.workshop_parts import (
    InviteeKind,
    MinutesStatus,
    WorkshopFormat,
    WorkshopStatus,
)
from coordination.projections.views.decisions import DecisionStatus
from coordination.projections.views.dissemination import OutcomeKind
from coordination.projections.views.forums import ForumStatus

__all__ = [
    "ActionSource",
    "ActionStatus",
    "AuditOpinion",
    "CycleStage",
    "DecisionRule",
    "DecisionStatus",
    "DisseminationChannel",
    "DisseminationStatus",
    "DocumentKind",
    "ErasureGround",
    "FeedbackKind",
    "FindingsGrouping",
    "FollowUpOutcome",
    "ForumKind",
    "ForumStatus",
    "IntegrityState",
    "InviteeKind",
    "JointTopic",
    "MemberKind",
    "MinutesStatus",
    "OutcomeKind",
    "ParticipantRole",
    "ParticipantStatus",
    "PositionKind",
    "ProgrammeKind",
    "QuestionKind",
    "RetentionClass",
    "SupersedeScope",
    "SurveyStatus",
    "WorkshopFormat",
    "WorkshopStatus",
]

#: Every vocabulary the API exposes: the class, its GraphQL name and its description.
EXPOSED: tuple[tuple[type[StrEnum], str, str], ...] = (
    (MemberKind, "MemberKind", "What kind of organisation a member is; each has one equal voice."),
    (DecisionRule, "DecisionRule", "How a forum decides."),
    (ForumKind, "ForumKind", "Where a decision is taken: the partnership or a working group."),
    (ForumStatus, "ForumStatus", "Whether a working group still meets."),
    (PositionKind, "PositionKind", "An organisation's position on a called decision."),
    (DecisionStatus, "DecisionStatus", "Where a decision stands."),
    (
        SupersedeScope,
        "SupersedeScope",
        "Whether a later decision replaces an earlier one fully or in part.",
    ),
    (ActionSource, "ActionSource", "Where an action was agreed."),
    (ActionStatus, "ActionStatus", "Whether an action is still open."),
    (ParticipantRole, "ParticipantRole", "The role a person registers for at a workshop."),
    (InviteeKind, "InviteeKind", "Who a workshop invitation goes to."),
    (WorkshopFormat, "WorkshopFormat", "How a workshop meets."),
    (WorkshopStatus, "WorkshopStatus", "Where a workshop stands."),
    (
        MinutesStatus,
        "MinutesStatus",
        "Where a workshop's minutes stand; approved minutes are sealed.",
    ),
    (
        IntegrityState,
        "IntegrityState",
        "Whether the node found what it stores to agree with what it signed.",
    ),
    (CycleStage, "CycleStage", "Where a social-accounting cycle stands, in its enforced order."),
    (SurveyStatus, "SurveyStatus", "Where a mapping survey stands."),
    (DisseminationStatus, "DisseminationStatus", "Whether a dissemination activity was held."),
    (OutcomeKind, "OutcomeKind", "What a dissemination activity led to in a member organisation."),
    (AuditOpinion, "AuditOpinion", "What the independent audit panel states about the accounts."),
    (
        QuestionKind,
        "QuestionKind",
        "What a survey answer is: a whole number, or yes (1) or no (0).",
    ),
    (
        FindingsGrouping,
        "FindingsGrouping",
        "How findings group organisations: each cell is one value of these dimensions.",
    ),
    (DisseminationChannel, "DisseminationChannel", "How a dissemination activity reaches people."),
    (DocumentKind, "DocumentKind", "What an evidence document is."),
    (RetentionClass, "RetentionClass", "How long an evidence document is kept."),
    (ProgrammeKind, "ProgrammeKind", "What kind of training a programme gives."),
    (FeedbackKind, "FeedbackKind", "Feedback on a course, or a request to change it."),
    (FollowUpOutcome, "FollowUpOutcome", "What became of a participant after the course."),
    (ParticipantStatus, "ParticipantStatus", "Where a participant of a cohort stands."),
    (ErasureGround, "ErasureGround", "Why a person's personal data is forgotten."),
    (JointTopic, "JointTopic", "What a joint working group of the partner nodes works on."),
)

for _vocabulary, _name, _description in EXPOSED:
    strawberry.enum(_vocabulary, name=_name, description=_description)
