"""Use cases of B2: working groups and their actions."""

from __future__ import annotations

from coordination.application.service import Service


class WorkingGroupCommands(Service):
    """Commands of B2: working groups and their actions."""
