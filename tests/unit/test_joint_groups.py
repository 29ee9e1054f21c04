"""B8's joint working groups in the domain: one test per rule."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import UUID, uuid4

import pytest

from coordination.domain.context import Context
from coordination.domain.errors import InvalidInput, RuleViolation
from coordination.domain.joint_group import JointGroup, JointPosition
from coordination.domain.joint_parts import (
    PositionRef,
    PositionUnverified,
    VerifiedPosition,
    joint_audience,
    joint_group_id,
    position_refs,
)

SE, IT, GR = "se.example/log", "it.example/log", "gr.example/log"
NOW = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
LEAF = "ab" * 32


def ctx(origin: str = SE) -> Context:
    return Context(actor="secretariat", origin=origin, occurred_at=NOW)


def group(partners: tuple[str, ...] = (IT, GR)) -> JointGroup:
    return JointGroup.establish(
        ctx(),
        group_name="Social accounting",
        topic="social_accounting",
        purpose="A method",
        partners=list(partners),
    )


def verified(g: JointGroup, origin: str, position: str = "agree") -> VerifiedPosition:
    return VerifiedPosition(PositionRef(origin, uuid4(), LEAF), g.id, position)


def every(g: JointGroup) -> list[VerifiedPosition]:
    return [verified(g, origin) for origin in g.member_origins]


def test_the_group_id_is_the_same_on_every_node_and_its_entries_have_its_audience() -> None:
    g = group()
    assert g.id == joint_group_id(SE, "  social ACCOUNTING ".strip())
    assert g.member_origins == (SE, IT, GR)
    assert [e.audience for e in g.collect_events()] == [joint_audience(g.id)]


def test_the_topic_is_one_of_the_three() -> None:
    with pytest.raises(InvalidInput, match="topic 'education' is not one of: social_accounting"):
        JointGroup.establish(ctx(), group_name="A", topic="education", purpose="B", partners=[IT])


@pytest.mark.parametrize(
    ("partners", "message"),
    [
        ([], "members must name at least one partner"),
        ([IT, IT], r"members\[1\] names it.example/log a second time"),
        ([SE], r"members\[0\] is the lead"),
        (["https://it.example"], r"members\[0\] is a schema-less URL"),
    ],
)
def test_the_members_are_partner_origins_once_each_besides_the_lead(
    partners: list[str], message: str
) -> None:
    with pytest.raises(InvalidInput, match=message):
        JointGroup.establish(
            ctx(), group_name="A", topic="support_services", purpose="B", partners=partners
        )


def test_a_node_takes_its_one_position_in_its_own_stream_with_the_group_audience() -> None:
    g = group()
    p = JointPosition.take(
        ctx(IT), group_id=g.id, lead_origin=SE, member_origins=None, position="agree", reason=None
    )
    again = JointPosition.take(
        ctx(IT), group_id=g.id, lead_origin=SE, member_origins=None, position="abstain", reason=None
    )
    assert (
        p.id
        == again.id
        != JointPosition.take(
            ctx(GR),
            group_id=g.id,
            lead_origin=SE,
            member_origins=None,
            position="agree",
            reason=None,
        ).id
    )
    (taken,) = p.collect_events()
    assert taken.audience == joint_audience(g.id)
    assert (taken.member_origin, taken.group_id) == (IT, g.id)  # type: ignore[attr-defined]


def test_a_node_that_is_no_member_takes_no_position_on_a_group_it_knows() -> None:
    g = group(partners=(IT,))
    with pytest.raises(RuleViolation, match=r"gr.example/log is not a member"):
        JointPosition.take(
            ctx(GR),
            group_id=g.id,
            lead_origin=SE,
            member_origins=g.member_origins,
            position="agree",
            reason=None,
        )


def test_a_block_needs_a_reason() -> None:
    with pytest.raises(InvalidInput, match="reason is required to block"):
        JointPosition.take(
            ctx(IT),
            group_id=uuid4(),
            lead_origin=SE,
            member_origins=None,
            position="block",
            reason=None,
        )


def test_only_the_lead_adopts_the_joint_decision() -> None:
    g = group()
    with pytest.raises(RuleViolation, match=r"only the lead partner, se.example/log"):
        g.adopt_decision(ctx(IT), statement="Adopted", positions=every(g))


def test_the_joint_decision_is_adopted_once() -> None:
    g = group()
    g.adopt_decision(ctx(), statement="Adopted", positions=every(g))
    with pytest.raises(RuleViolation, match="adopted its joint decision already"):
        g.adopt_decision(ctx(), statement="Again", positions=every(g))


def test_the_decision_lists_every_members_position() -> None:
    g = group()
    with pytest.raises(RuleViolation, match=r"the position of gr.example/log is missing"):
        g.adopt_decision(ctx(), statement="A", positions=every(g)[:2])


def test_a_position_is_listed_once() -> None:
    g = group()
    listed = every(g)
    with pytest.raises(
        RuleViolation, match=f"the position {listed[1].ref.event_id} is listed twice"
    ):
        g.adopt_decision(ctx(), statement="A", positions=[*listed, listed[1]])


def test_one_position_per_member() -> None:
    g = group()
    with pytest.raises(RuleViolation, match=r"it.example/log has two positions listed"):
        g.adopt_decision(ctx(), statement="A", positions=[*every(g), verified(g, IT)])


def test_a_position_of_a_node_that_is_no_member_is_refused() -> None:
    g = group(partners=(IT,))
    with pytest.raises(RuleViolation, match=r"gr.example/log is not a member"):
        g.adopt_decision(ctx(), statement="A", positions=[*every(g), verified(g, GR)])


def test_a_position_about_another_group_is_refused() -> None:
    g = group()
    other = [*every(g)[:2], VerifiedPosition(PositionRef(GR, uuid4(), LEAF), uuid4(), "agree")]
    with pytest.raises(PositionUnverified, match="is about another joint group"):
        g.adopt_decision(ctx(), statement="A", positions=other)


def test_a_blocking_member_stops_the_joint_decision() -> None:
    g = group()
    with pytest.raises(RuleViolation, match=r"gr.example/log blocks the joint decision"):
        g.adopt_decision(ctx(), statement="A", positions=[*every(g)[:2], verified(g, GR, "block")])


def test_the_decision_records_each_position_as_its_log_holds_it() -> None:
    g = group()
    listed = every(g)
    g.adopt_decision(ctx(), statement="We adopt the method", positions=listed)
    adopted = g.collect_events()[-1]
    assert adopted.positions == [  # type: ignore[attr-defined]
        {
            "origin": p.ref.origin,
            "event_id": str(p.ref.event_id),
            "leaf_hash": LEAF,
            "position": "agree",
        }
        for p in listed
    ]


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ([], "positions must list the position of every member"),
        ([(IT, "not-a-uuid", LEAF)], r"positions\[0\].event_id is not a UUID"),
        ([(IT, str(uuid4()), "xyz")], r"positions\[0\].leaf_hash must be a SHA-256 leaf hash"),
        ([(IT, str(uuid4()), LEAF), ("IT", str(uuid4()), LEAF)], r"positions\[1\].origin must be"),
    ],
)
def test_listed_positions_are_origin_event_id_and_leaf_hash(
    raw: list[tuple[str, str, str]], message: str
) -> None:
    with pytest.raises(InvalidInput, match=message):
        position_refs(raw)


def test_a_listed_leaf_hash_is_read_in_lowercase() -> None:
    event_id = uuid4()
    assert position_refs([(IT, str(event_id).upper(), LEAF.upper())]) == [
        PositionRef(IT, UUID(str(event_id)), LEAF)
    ]
