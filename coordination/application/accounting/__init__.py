"""Use cases of B6: the social-accounting cycles of member organisations."""

from coordination.application.accounting.audit import CycleAuditUseCases
from coordination.application.accounting.scoping import CycleScopingUseCases
from coordination.application.accounting.steps import cycle_id

__all__ = ["CycleAuditUseCases", "CycleScopingUseCases", "cycle_id"]
