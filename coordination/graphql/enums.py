"""The closed vocabularies of the API as GraphQL enums (values are the domain's strings).

A test checks that each enum holds exactly the domain's (or the views') vocabulary, so
the two cannot drift apart.
"""

from __future__ import annotations

from enum import Enum

import strawberry


@strawberry.enum(description="What kind of organisation a member is; each has one equal voice.")
class MemberKind(Enum):
    MUNICIPALITY = "municipality"
    PUBLIC_AGENCY = "public_agency"
    COMPANY = "company"
    ASSOCIATION = "association"
    COOPERATIVE = "cooperative"
    SOCIAL_ENTERPRISE = "social_enterprise"
    STUDY_ASSOCIATION = "study_association"
    OTHER = "other"


@strawberry.enum(description="How a forum decides.")
class DecisionRule(Enum):
    CONSENSUS = "consensus"
    CONSENT = "consent"
    MAJORITY = "majority"
    QUALIFIED_MAJORITY = "qualified_majority"


@strawberry.enum(description="Where a decision is taken: the partnership or a working group.")
class ForumKind(Enum):
    PARTNERSHIP = "partnership"
    WORKING_GROUP = "working_group"


@strawberry.enum(description="Whether a working group still meets.")
class ForumStatus(Enum):
    OPEN = "open"
    CLOSED = "closed"


@strawberry.enum(description="An organisation's position on a called decision.")
class PositionKind(Enum):
    AGREE = "agree"
    ABSTAIN = "abstain"
    DISAGREE = "disagree"
    BLOCK = "block"


@strawberry.enum(description="Where a decision stands.")
class DecisionStatus(Enum):
    TABLED = "tabled"
    CALLED = "called"
    CLOSED = "closed"
    ADOPTED = "adopted"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"
    DEFERRED = "deferred"
    SUPERSEDED = "superseded"


@strawberry.enum(description="Whether a later decision replaces an earlier one fully or in part.")
class SupersedeScope(Enum):
    FULL = "full"
    PART = "part"


@strawberry.enum(description="Where an action was agreed.")
class ActionSource(Enum):
    GROUP = "group"
    DECISION = "decision"
    WORKSHOP = "workshop"


@strawberry.enum(description="Whether an action is still open.")
class ActionStatus(Enum):
    OPEN = "open"
    COMPLETED = "completed"
    DROPPED = "dropped"


@strawberry.enum(description="The role a person registers for at a workshop.")
class ParticipantRole(Enum):
    MUNICIPAL_REPRESENTATIVE = "municipal_representative"
    SOCIAL_ECONOMY_ACTOR = "social_economy_actor"
    FACILITATOR = "facilitator"
    SPEAKER = "speaker"


@strawberry.enum(description="Who a workshop invitation goes to.")
class InviteeKind(Enum):
    ORGANISATION = "organisation"
    PERSON = "person"


@strawberry.enum(description="How a workshop meets.")
class WorkshopFormat(Enum):
    IN_PERSON = "in_person"
    ONLINE = "online"
    HYBRID = "hybrid"


@strawberry.enum(description="Where a workshop stands.")
class WorkshopStatus(Enum):
    PLANNED = "planned"
    POSTPONED = "postponed"
    CANCELLED = "cancelled"
    HELD = "held"


@strawberry.enum(description="Where a workshop's minutes stand; approved minutes are sealed.")
class MinutesStatus(Enum):
    NONE = "none"
    DRAFTED = "drafted"
    APPROVED = "approved"
