"""Use cases of B3: decisions, from proposal to outcome."""

from __future__ import annotations

from coordination.application.service import Service


class DecisionCommands(Service):
    """Commands of B3: decisions, from proposal to outcome."""
