"""Async queries over the views, for GraphQL: lists with filters and keyset pages, and
look-ups by id. Each returns plain frozen dataclasses with typed fields."""
