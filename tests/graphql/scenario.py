"""A small partnership built through the application, and fresh targets for each mutation.

Setup runs through `Coordination` directly (fast), ten days back in business time, so
that mandates cover today; the commands under test run through GraphQL at wall-clock
time. Every `fresh_*` helper makes a new target, so a command can be run once per role.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from itertools import count
from uuid import UUID, uuid4

from coordination.application import Coordination
from coordination.auth.principal import ANONYMOUS, Principal, Role
from coordination.domain.context import Context

ORIGIN = "test.example/coordination/log"
HASH = "a" * 64
_serial = count(1)


def unique(label: str) -> str:
    return f"{label} {next(_serial)}"


@dataclass
class Scenario:
    """Partnership P with theme T; members A, B, C; group G (A, B; convenor A), H (C; C)."""

    app: Coordination
    start: datetime
    partnership: UUID = field(init=False)
    theme: UUID = field(init=False)
    orgs: dict[str, UUID] = field(default_factory=dict)
    reps: dict[str, UUID] = field(default_factory=dict)
    admin: UUID = field(default_factory=uuid4)
    auditor: UUID = field(default_factory=uuid4)
    group: UUID = field(init=False)
    other_group: UUID = field(init=False)

    @classmethod
    def build(cls, app: Coordination) -> Scenario:
        scn = cls(app, datetime.now(UTC) - timedelta(days=10))
        ctx = scn.secretariat()
        scn.partnership = app.establish_partnership(
            ctx,
            name="Development partnership for the social economy",
            programme="ESF",
            region="Stockholm county",
            period_start=ctx.today - timedelta(days=30),
            period_end=ctx.today + timedelta(days=900),
        ).stream_id
        scn.theme = scn.created(app.define_theme(ctx, scn.partnership, name="Support services"))
        for label, kind in (("A", "municipality"), ("B", "cooperative"), ("C", "association")):
            scn.orgs[label] = scn.created(
                app.admit_member(ctx, scn.partnership, name=f"Organisation {label}", kind=kind)
            )
            scn.reps[label] = uuid4()
            app.appoint_representative(
                ctx,
                scn.partnership,
                member_id=scn.orgs[label],
                person_id=scn.reps[label],
                starts_on=ctx.today,
            )
        # The secretariat's person also represents A, to act for it when a command needs one.
        app.appoint_representative(
            ctx, scn.partnership, member_id=scn.orgs["A"], person_id=scn.admin, starts_on=ctx.today
        )
        scn.group = scn.fresh_group()
        scn.other_group = scn.fresh_group(members=("C",), convenor="C")
        return scn

    @staticmethod
    def created(result: object) -> UUID:
        created = getattr(result, "created_id", None)
        assert isinstance(created, UUID)
        return created

    # -- contexts and principals ------------------------------------------------------

    def secretariat(self, at: datetime | None = None) -> Context:
        return Context(actor=str(self.admin), origin=ORIGIN, occurred_at=at or self.start)

    def of(self, label: str, at: datetime | None = None) -> Context:
        return Context(
            actor=str(self.reps[label]),
            origin=ORIGIN,
            acting_for=self.orgs[label],
            occurred_at=at or self.start,
        )

    def principal(self, role: str, group: UUID | None = None) -> Principal:
        """The callers of the tests: roles, and the in-scope/out-of-scope variants."""
        if role == "admin":
            return Principal(Role.ADMIN, self.admin)
        if role == "admin_for_org":
            return Principal(Role.ADMIN, self.admin, org=self.orgs["A"])
        if role == "representative":
            return Principal(Role.REPRESENTATIVE, self.reps["B"], org=self.orgs["B"])
        if role == "representative_other":
            return Principal(Role.REPRESENTATIVE, self.reps["C"], org=self.orgs["C"])
        if role == "convenor":
            groups = frozenset({group or self.group})
            return Principal(Role.CONVENOR, self.reps["A"], org=self.orgs["A"], groups=groups)
        if role == "convenor_other":
            groups = frozenset({self.other_group})
            return Principal(Role.CONVENOR, self.reps["C"], org=self.orgs["C"], groups=groups)
        if role == "auditor":
            return Principal(Role.AUDITOR, self.auditor)
        return ANONYMOUS

    # -- fresh targets ----------------------------------------------------------------

    def fresh_group(self, members: tuple[str, ...] = ("A", "B"), convenor: str = "A") -> UUID:
        group = self.created(
            self.app.convene_working_group(
                self.secretariat(),
                self.partnership,
                theme_id=self.theme,
                name=unique("Working group"),
                purpose="Public procurement and social enterprises",
                decides="Recommendations to the partnership",
                default_rule="consent",
            )
        )
        for label in members:
            self.app.join_working_group(self.of(label), group)
        if convenor in members:
            self.app.appoint_convenor(
                self.secretariat(),
                group,
                person_id=self.reps[convenor],
                member_id=self.orgs[convenor],
            )
        return group

    def fresh_action(self, group: UUID, owner: str = "B") -> UUID:
        return self.created(
            self.app.assign_action(
                self.secretariat(),
                partnership_id=self.partnership,
                group_id=group,
                owner_id=self.orgs[owner],
                description=unique("Map tender outcomes"),
                due_on=self.start.date() + timedelta(days=60),
            )
        )

    def fresh_decision(self, group: UUID, proposer: str = "A") -> UUID:
        return self.created(
            self.app.table_proposal(
                self.of(proposer),
                partnership_id=self.partnership,
                forum_kind="working_group",
                forum_id=group,
                title=unique("Social clauses"),
                text="Members recommend social clauses in calls for tenders.",
                rationale="Social enterprises cannot compete on price alone.",
            )
        )

    def called_decision(self, group: UUID, proposer: str = "A") -> UUID:
        decision = self.fresh_decision(group, proposer)
        self.app.call_decision(
            self.secretariat(),
            decision,
            rule="majority",
            quorum_percent=50,
            closes_at=self.start + timedelta(days=30),
        )
        return decision

    def closed_decision(self, group: UUID, position: str = "agree") -> UUID:
        decision = self.called_decision(group)
        reason = None if position == "agree" else "Not as drafted"
        for label in ("A", "B"):
            self.app.take_position(self.of(label), decision, position=position, reason=reason)
        self.app.close_decision(self.secretariat(), decision)
        return decision

    def adopted_decision(self, group: UUID) -> UUID:
        decision = self.closed_decision(group)
        self.app.adopt_decision(
            self.secretariat(),
            decision,
            outcome="Adopted as tabled",
            effective_on=self.start.date() + timedelta(days=1),
        )
        return decision

    def fresh_workshop(self, group: UUID, held: bool = False) -> UUID:
        starts = self.start + timedelta(days=2)
        workshop = self.created(
            self.app.plan_workshop(
                self.secretariat(),
                partnership_id=self.partnership,
                organiser_group_ids=[group],
                organiser_partners=[],
                theme_id=self.theme,
                title=unique("Municipalities meet the social economy"),
                format="in_person",
                venue="City hall",
                capacity=30,
                starts_at=starts,
                ends_at=starts + timedelta(hours=6),
                audience_description="municipal representatives and social-economy actors",
            )
        )
        if held:
            self.app.hold_workshop(self.secretariat(starts + timedelta(hours=1)), workshop)
        return workshop
