"""Helpers for tests that need a working group: convene one and let organisations join."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from uuid import UUID

from tests.application.conftest import NOW, Org, World, secretariat


def convene_group(
    world: World,
    members: Sequence[Org] = (),
    *,
    name: str = "Support services group",
    theme: str = "Support services",
    default_rule: str = "consent",
    at: datetime = NOW,
) -> UUID:
    """Convene a group on one of the world's themes; each of `members` then joins it."""
    group_id = world.app.convene_working_group(
        secretariat(at),
        world.partnership_id,
        theme_id=world.themes[theme],
        name=name,
        purpose="Shape the support services municipalities buy from social enterprises",
        decides="Joint recommendations on support services",
        default_rule=default_rule,
    ).created_id
    assert group_id is not None
    for org in members:
        world.app.join_working_group(org.ctx(at), group_id)
    return group_id
