"""One GraphQL type per module: the read models and the audit view as GraphQL types."""
