"""The GraphQL API (strawberry): types, queries, mutations, subscriptions, errors, limits.

Import the router from `coordination.graphql.router`; this package itself imports
nothing, so `coordination.observability` can use its limits without building the schema.
"""
