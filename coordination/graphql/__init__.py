"""The GraphQL API (strawberry): types, queries, mutations, subscriptions, errors, limits.

Import the router from `coordination.graphql.router`; this package itself imports
nothing, so `coordination.http` can use its request checks without building the schema.
"""
