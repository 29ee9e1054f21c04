"""The GraphQL schema: queries over the views and the log, a mutation per command,
subscriptions, and the limits every request is held to.

The limits are `DocumentChecks` (decision 21, which replaced strawberry's depth and
alias limits of decision 5): the schema keeps one, which every way of running an
operation asks. So is what each root field of `Query` declares of its answer's
cacheability (`cacheability`): read once from the schema, refused when one declares
none, and asked by both ways of running an operation.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

import strawberry
from graphql import GraphQLError
from strawberry.extensions import MaxTokensLimiter, SchemaExtension
from strawberry.tools import merge_types
from strawberry.types import ExecutionContext

from coordination.graphql.cacheability import query_cacheability
from coordination.graphql.context import GraphQLConfig
from coordination.graphql.document_checks import DocumentChecks, QuietExecutor
from coordination.graphql.extensions import (
    Authentication,
    CachedResults,
    CheckedDocuments,
    FreshReads,
    MaskUnexpectedErrors,
    OperationMetrics,
    SubscriptionsOverWebSocket,
)
from coordination.graphql.mutations.accounting_audit import AccountingAuditMutations
from coordination.graphql.mutations.accounting_scoping import AccountingScopingMutations
from coordination.graphql.mutations.actions import ActionMutations
from coordination.graphql.mutations.cohorts import CohortMutations
from coordination.graphql.mutations.cooperation import CooperationMutations
from coordination.graphql.mutations.data_subjects import DataSubjectMutations
from coordination.graphql.mutations.dissemination import DisseminationMutations
from coordination.graphql.mutations.joint_groups import JointGroupMutations
from coordination.graphql.mutations.meetings import MeetingMutations
from coordination.graphql.mutations.outcomes import OutcomeMutations
from coordination.graphql.mutations.partnership import PartnershipMutations
from coordination.graphql.mutations.programmes import ProgrammeMutations
from coordination.graphql.mutations.proposals import ProposalMutations
from coordination.graphql.mutations.survey import SurveyMutations
from coordination.graphql.mutations.working_groups import WorkingGroupMutations
from coordination.graphql.mutations.workshops import WorkshopMutations
from coordination.graphql.pipeline import log_unexpected
from coordination.graphql.queries.actions import ActionQueries
from coordination.graphql.queries.audit import AuditQueries
from coordination.graphql.queries.data_subjects import DataSubjectQueries
from coordination.graphql.queries.decisions import DecisionQueries
from coordination.graphql.queries.documents import DocumentQueries
from coordination.graphql.queries.forums import ForumQueries
from coordination.graphql.queries.integrity import IntegrityQueries
from coordination.graphql.queries.joint_groups import JointGroupQueries
from coordination.graphql.queries.partners import PartnerQueries
from coordination.graphql.queries.programmes import ProgrammeQueries
from coordination.graphql.queries.registry import RegistryQueries
from coordination.graphql.queries.reporting import ReportingQueries
from coordination.graphql.queries.signed_log import SignedLogQueries
from coordination.graphql.queries.workshops import WorkshopQueries
from coordination.graphql.subscriptions import Subscription
from coordination.graphql.subscriptions_reporting import ReportingSubscriptions
from coordination.graphql.types.partnership import Partnership
from coordination.graphql.types.working_group import WorkingGroup

Query = merge_types(
    "Query",
    (
        ForumQueries,
        RegistryQueries,
        DecisionQueries,
        ActionQueries,
        WorkshopQueries,
        AuditQueries,
        SignedLogQueries,
        IntegrityQueries,
        ReportingQueries,
        DocumentQueries,
        ProgrammeQueries,
        DataSubjectQueries,
        PartnerQueries,
        JointGroupQueries,
    ),
)
#: The events and view updates, and the reporting rows followed one by one.
Subscriptions = merge_types("Subscription", (Subscription, ReportingSubscriptions))
Mutation = merge_types(
    "Mutation",
    (
        PartnershipMutations,
        WorkingGroupMutations,
        ActionMutations,
        ProposalMutations,
        OutcomeMutations,
        WorkshopMutations,
        MeetingMutations,
        AccountingScopingMutations,
        AccountingAuditMutations,
        SurveyMutations,
        DisseminationMutations,
        ProgrammeMutations,
        CohortMutations,
        DataSubjectMutations,
        CooperationMutations,
        JointGroupMutations,
    ),
)


class CoordinationSchema(strawberry.Schema):
    """strawberry's schema with the checks its documents are held to (`checks`) and the
    cacheability of its root fields (`cacheability`); logs unexpected errors (with the
    request id) and nothing else (`pipeline.log_unexpected`).

    Raises:
        UnclassifiedField: when a root field of `Query` declares no cacheability.
    """

    def __init__(self, *args: Any, config: GraphQLConfig, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        #: Parses and checks every document, whichever way its operation runs.
        self.checks = DocumentChecks(self._schema, config)
        #: Each root field of `Query` with what its answer depends on.
        self.cacheability = query_cacheability(self._schema)

    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        log_unexpected(errors, execution_context.context if execution_context is not None else None)


def build_schema(config: GraphQLConfig | None = None) -> CoordinationSchema:
    """The schema with the limits of `config` (production: no introspection)."""
    config = config or GraphQLConfig()
    # Factories, not instances: strawberry makes fresh extensions for every operation.
    extensions: list[Callable[[], SchemaExtension]] = [
        Authentication,
        SubscriptionsOverWebSocket,
        FreshReads,
        CachedResults,
        OperationMetrics,
        # The token limit of a document strawberry parses itself: one that did not parse.
        partial(MaxTokensLimiter, max_token_count=config.max_tokens),
        CheckedDocuments,
        MaskUnexpectedErrors,
    ]
    return CoordinationSchema(
        query=Query,
        mutation=Mutation,
        subscription=Subscriptions,
        types=[Partnership, WorkingGroup],
        extensions=extensions,
        execution_context_class=QuietExecutor if config.production else None,
        config=config,
    )


def schema_sdl() -> str:
    """The schema in SDL, as committed in `schema.graphql` at the repository's root."""
    return build_schema().as_str() + "\n"
