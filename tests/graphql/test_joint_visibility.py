"""The joint working groups with partner nodes are the partnership's business: a
representative whose mandate holds sees their events (audience `joint:<id>`), one whose
mandate ended and anonymous callers do not."""

from __future__ import annotations

from uuid import uuid4

from coordination.auth.principal import ANONYMOUS, Principal, Role
from coordination.bootstrap import System
from coordination.domain.joint_parts import joint_audience
from coordination.graphql.visibility import Visibility
from coordination.projections import Projections
from tests.graphql.conftest import caught_up
from tests.graphql.scenario import Scenario
from tests.graphql.test_read_standing import former_representative


async def test_joint_group_events_are_seen_by_the_partnerships_readers(
    scenario: Scenario, system: System, projections: Projections
) -> None:
    former = former_representative(scenario, "B")
    await caught_up(system, projections)
    db = projections.db
    audience = joint_audience(uuid4())
    representative = Visibility(scenario.principal("representative"), db)
    ended = Visibility(Principal(Role.REPRESENTATIVE, former, org=scenario.orgs["B"]), db)
    assert await representative.sees_audience(audience)
    assert not await ended.sees_audience(audience)
    assert not await Visibility(ANONYMOUS, db).sees_audience(audience)
    assert not await representative.sees_audience("joint:not-a-group")
