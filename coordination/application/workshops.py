"""Use cases of B4: workshops and meetings."""

from __future__ import annotations

from coordination.application.service import Service


class WorkshopCommands(Service):
    """Commands of B4: workshops and meetings."""
