"""The domain: aggregates with their nested events, values and domain errors.

Pure Python on `eventsourcing.domain`: no framework, no settings, no database (the
contracts in `pyproject.toml` and `tests/unit/test_domain_imports.py` check it).
"""
