"""Joint working groups over real logs, on SQLite and PostgreSQL: the lead's own log signed
by its integrator, its partners' positions in their synced logs (as the sync stores them,
built from real domain events and their envelopes). A joint decision is adopted only when
every listed position exists in the log of its origin and verifies; the merged view shows
the group, each position with its origin, and the decision from own and synced entries.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from uuid import UUID, uuid4

import pytest

from coordination.application import Coordination
from coordination.audit.integrator import Integrator
from coordination.audit.log import AuditLog, open_audit_log
from coordination.bootstrap import System
from coordination.bootstrap.joint_groups import joint_groups_of, wire_joint_groups
from coordination.domain.context import Context
from coordination.domain.errors import NotFound, RuleViolation
from coordination.domain.joint_parts import (
    PositionNotFound,
    PositionUnverified,
    joint_audience,
    joint_group_id,
)
from coordination.federation.synced_logs import SyncedLogs
from coordination.persistence.readdb import ReadDatabase
from coordination.projections.joint_view import JointView
from coordination.projections.queries.joint_groups import joint_group, joint_groups
from tests.federation.joint_support import NOW, synced_group, synced_position
from tests.federation.support import KEY

IT, GR, NL = "it.example/log", "gr.example/log", "nl.example/log"
NAME = "Social accounting across borders"


@dataclass
class Lead:
    system: System
    log: AuditLog
    integrator: Integrator
    synced: SyncedLogs
    view: JointView

    @property
    def app(self) -> Coordination:
        return self.system.app

    @property
    def origin(self) -> str:
        return self.system.settings.origin

    def ctx(self) -> Context:
        return Context(actor="secretariat", origin=self.origin, occurred_at=NOW)


@pytest.fixture
def log(system: System) -> Iterator[AuditLog]:
    opened = open_audit_log(
        system.target, system.app, origin=system.settings.origin, verifier=KEY.verifier
    )
    yield opened
    opened.close()


@pytest.fixture
async def lead(system: System, log: AuditLog) -> AsyncIterator[Lead]:
    db = await ReadDatabase.open(system.target)
    integrator = Integrator(system.app, log.storage, KEY, origin=log.origin, notifier=log.notifier)
    view = wire_joint_groups(system, log, db)
    made = Lead(system, log, integrator, SyncedLogs(log.storage), view)
    ctx = made.ctx()
    parties = [(o, ["public", "transnational"]) for o in (IT, GR, NL)]
    made.app.sign_cooperation_agreement(ctx, title="A", document_hash="a" * 64, parties=parties)
    for origin in (IT, GR, NL):
        made.app.admit_partner(
            ctx, origin=origin, name=origin, base_url=f"https://{origin}", sees=["public"]
        )
    made.app.establish_joint_group(
        ctx, name=NAME, topic="social_accounting", purpose="One method", members=[IT, GR]
    )
    yield made
    await db.close()


def group_id(lead: Lead) -> UUID:
    return joint_group_id(lead.origin, NAME)


def own_position(lead: Lead, position: str = "agree") -> tuple[str, str, str]:
    """The lead takes its position; the integrator signs it into the lead's log."""
    lead.app.take_joint_position(
        lead.ctx(), group_id=group_id(lead), lead_origin=lead.origin, position=position
    )
    lead.integrator.run_once()
    entry = lead.log.storage.entries(0, 10_000)[-1]
    return (lead.origin, entry.event_id, entry.leaf_hash.hex())


def peer_position(
    lead: Lead, origin: str, *, tamper: bool = False, group: UUID | None = None
) -> tuple[str, str, str]:
    return synced_position(
        lead.synced, origin, group=group or group_id(lead), lead=lead.origin, tamper=tamper
    )


def adopt(lead: Lead, positions: list[tuple[str, str, str]]) -> None:
    lead.app.adopt_joint_decision(
        lead.ctx(), group_id=group_id(lead), statement="We adopt one method", positions=positions
    )


async def test_the_lead_adopts_on_verified_positions_and_every_log_shows_in_the_view(
    lead: Lead,
) -> None:
    listed = [own_position(lead), peer_position(lead, IT), peer_position(lead, GR)]
    adopt(lead, listed)
    lead.integrator.run_once()

    (group,) = await joint_groups(lead.view)
    assert (group.id, group.name, group.topic) == (group_id(lead), NAME, "social_accounting")
    assert group.members == (lead.origin, IT, GR)
    assert [
        (p.entry.origin, p.entry.event_id, p.entry.leaf_hash) for p in group.positions
    ] == listed
    assert group.decision is not None
    assert group.decision.entry.origin == lead.origin
    assert group.decision.statement == "We adopt one method"
    assert [(p.origin, p.event_id, p.leaf_hash, p.shown) for p in group.decision.positions] == [
        (*ref, True) for ref in listed
    ]
    assert await joint_group(lead.view, group.id) == group
    assert await joint_group(lead.view, uuid4()) is None
    # The feed lets the members, and only them, see the group's entries.
    audiences = joint_groups_of(lead.view)
    assert await audiences(IT) == {joint_audience(group.id)}
    assert await audiences(NL) == frozenset()


async def test_a_position_that_is_not_in_the_synced_log_is_refused(lead: Lead) -> None:
    listed = [own_position(lead), peer_position(lead, IT), (GR, str(uuid4()), "ab" * 32)]
    with pytest.raises(PositionNotFound, match=f"is not in the synced log of {GR}"):
        adopt(lead, listed)
    lead.integrator.run_once()
    (group,) = await joint_groups(lead.view)
    assert group.decision is None  # nothing recorded


async def test_a_position_whose_leaf_hash_does_not_verify_is_refused(lead: Lead) -> None:
    it = peer_position(lead, IT)
    listed = [own_position(lead), (it[0], it[1], "cd" * 32), peer_position(lead, GR)]
    with pytest.raises(PositionUnverified, match=f"has the leaf hash {it[2]} in the synced log"):
        adopt(lead, listed)


async def test_a_position_whose_bytes_do_not_hash_to_its_leaf_hash_is_refused(lead: Lead) -> None:
    listed = [own_position(lead), peer_position(lead, IT), peer_position(lead, GR, tamper=True)]
    with pytest.raises(PositionUnverified, match=f"its bytes in the synced log of {GR} do not"):
        adopt(lead, listed)


async def test_a_position_of_the_lead_not_in_its_own_log_is_refused(lead: Lead) -> None:
    listed = [(lead.origin, str(uuid4()), "ab" * 32), peer_position(lead, IT)]
    with pytest.raises(PositionNotFound, match="is not in this node's log"):
        adopt(lead, [*listed, peer_position(lead, GR)])


async def test_a_position_about_another_group_is_refused(lead: Lead) -> None:
    listed = [own_position(lead), peer_position(lead, IT), peer_position(lead, GR, group=uuid4())]
    with pytest.raises(PositionUnverified, match="is about another joint group"):
        adopt(lead, listed)


async def test_a_member_takes_one_position_and_only_on_a_group_of_an_admitted_lead(
    lead: Lead,
) -> None:
    own_position(lead)
    with pytest.raises(RuleViolation, match="has taken its position on this joint group"):
        own_position(lead)
    with pytest.raises(Exception, match="is not an admitted partner"):
        lead.app.take_joint_position(
            lead.ctx(), group_id=uuid4(), lead_origin="fi.example/log", position="agree"
        )


def test_a_member_takes_its_position_once_the_lead_s_group_is_synced_here(lead: Lead) -> None:
    group = joint_group_id(IT, "Support services together")
    ctx = lead.ctx()
    events_before = len(lead.log.storage.entries(0, 10_000)) + lead.integrator.run_once()

    with pytest.raises(NotFound, match="holds no joint group"):
        lead.app.take_joint_position(ctx, group_id=group, lead_origin=IT, position="agree")
    assert lead.integrator.run_once() == 0  # nothing recorded

    synced = synced_group(lead.synced, IT, name="Support services together", members=[GR])
    assert synced == group
    with pytest.raises(RuleViolation, match="not a member"):
        lead.app.take_joint_position(ctx, group_id=group, lead_origin=IT, position="agree")

    other = synced_group(lead.synced, NL, name="Work together", members=[lead.origin])
    lead.app.take_joint_position(ctx, group_id=other, lead_origin=NL, position="agree")
    assert lead.integrator.run_once() == 1
    assert len(lead.log.storage.entries(0, 10_000)) == events_before + 1
