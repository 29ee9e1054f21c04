"""B8. The cooperation agreement with the transnational partners, and its partner registry.

The agreement names the partner partnerships (each by its node's log origin) and what
each may see of this node's log. A party is admitted as a partner with the base URL its
node is reached at; its keys are registered, rotated and revoked here, so a partner's
requests, feed and cosignatures are verified with the key valid at the time, read from
this node's own log rather than from a file edited by hand.

A node has one agreement: its stream id is fixed (`AGREEMENT_ID`), so the rules that
span every partner (an origin admitted once, a key never registered twice) are rules of
one stream. Its events are `transnational`: the partners see who is in the agreement
and which keys count.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import datetime
from uuid import NAMESPACE_URL, uuid5

from coordination.domain.base import CoordinationAggregate
from coordination.domain.context import Context
from coordination.domain.errors import InvalidInput, NotFound, RuleViolation
from coordination.domain.partners import Partner, PartnerKey, audiences, base_url, origin
from coordination.domain.values import TEXT_MAX, Audience, document_hash, in_utc, text
from coordination.domain.values import name as checked_name
from coordination.domain.verifier_key import VerifierKey, verifier_key

#: The one agreement of a node.
AGREEMENT_ID = uuid5(NAMESPACE_URL, "urn:coordination:cooperation-agreement")
#: Partner partnerships one agreement may name (the mission has four; room to grow).
PARTIES_MAX = 50
#: The partner partnerships as (origin, what it may see) pairs, in the signed order.
Parties = Sequence[tuple[str, Iterable[str]]]


class CooperationAgreement(CoordinationAggregate):
    """The node's cooperation agreement and the partners admitted under it."""

    TOPIC = "coordination.cooperation"
    KIND = "cooperation agreement"
    Created = None  # type: ignore[assignment]  # every event has an explicit topic; no generic one

    class Signed(CoordinationAggregate.Created):
        """CooperationAgreementSigned: the partner partnerships and what each may see."""

        TOPIC = "coordination.cooperation.agreement_signed"
        title: str
        document_hash: str
        version: int
        parties: dict[str, list[str]]

        def apply(self, a: CooperationAgreement) -> None:
            a.title, a.agreement_version = self.title, self.version
            a.document_hash = self.document_hash
            a.parties = {party: tuple(sees) for party, sees in self.parties.items()}

    class Amended(CoordinationAggregate.Event):
        """A new version of the agreement, naming every party again."""

        TOPIC = "coordination.cooperation.agreement_amended"
        summary: str
        document_hash: str
        version: int
        parties: dict[str, list[str]]

        def apply(self, a: CooperationAgreement) -> None:
            a.agreement_version, a.document_hash = self.version, self.document_hash
            a.parties = {party: tuple(sees) for party, sees in self.parties.items()}

    class PartnerAdmitted(CoordinationAggregate.Event):
        TOPIC = "coordination.cooperation.partner_admitted"
        partner_origin: str
        name: str
        base_url: str
        sees: list[str]

        def apply(self, a: CooperationAgreement) -> None:
            a.partners[self.partner_origin] = Partner(
                self.name, self.base_url, tuple(self.sees), self.occurred_at
            )
            a.keys[self.partner_origin] = ()

    class PartnerKeyRegistered(CoordinationAggregate.Event):
        TOPIC = "coordination.cooperation.partner_key_registered"
        partner_origin: str
        key_id: str
        vkey: str
        valid_from: datetime

        def apply(self, a: CooperationAgreement) -> None:
            key = PartnerKey(self.key_id, self.vkey, self.valid_from)
            a.keys[self.partner_origin] = (*a.keys[self.partner_origin], key)

    class PartnerKeyRotated(CoordinationAggregate.Event):
        """The partner's current key gives way to a new one at `rotated_at`."""

        TOPIC = "coordination.cooperation.partner_key_rotated"
        partner_origin: str
        old_key_id: str
        key_id: str
        vkey: str
        rotated_at: datetime

        def apply(self, a: CooperationAgreement) -> None:
            kept = tuple(
                replace(k, rotated_at=self.rotated_at) if k.key_id == self.old_key_id else k
                for k in a.keys[self.partner_origin]
            )
            a.keys[self.partner_origin] = (
                *kept,
                PartnerKey(self.key_id, self.vkey, self.rotated_at),
            )

    class PartnerKeyRevoked(CoordinationAggregate.Event):
        """The key is no longer trusted from `revoked_from` on (which may be in the past:
        a compromise found late)."""

        TOPIC = "coordination.cooperation.partner_key_revoked"
        partner_origin: str
        key_id: str
        revoked_from: datetime
        reason: str

        def apply(self, a: CooperationAgreement) -> None:
            a.keys[self.partner_origin] = tuple(
                replace(k, revoked_from=self.revoked_from) if k.key_id == self.key_id else k
                for k in a.keys[self.partner_origin]
            )

    class PartnerWitnessKeyRegistered(CoordinationAggregate.Event):
        """The key the partner's witness cosigns with (type 0x04), valid from `valid_from`."""

        TOPIC = "coordination.cooperation.partner_witness_key_registered"
        partner_origin: str
        key_id: str
        vkey: str
        valid_from: datetime

        def apply(self, a: CooperationAgreement) -> None:
            key = PartnerKey(self.key_id, self.vkey, self.valid_from)
            a.witness_keys[self.partner_origin] = (*a.witness_keys_of(self.partner_origin), key)

    class PartnerWitnessKeyRotated(CoordinationAggregate.Event):
        """The partner's witness key in force gives way to a new one at `rotated_at`."""

        TOPIC = "coordination.cooperation.partner_witness_key_rotated"
        partner_origin: str
        old_key_id: str
        key_id: str
        vkey: str
        rotated_at: datetime

        def apply(self, a: CooperationAgreement) -> None:
            kept = tuple(
                replace(k, rotated_at=self.rotated_at) if k.key_id == self.old_key_id else k
                for k in a.witness_keys_of(self.partner_origin)
            )
            key = PartnerKey(self.key_id, self.vkey, self.rotated_at)
            a.witness_keys[self.partner_origin] = (*kept, key)

    class PartnerWitnessKeyRevoked(CoordinationAggregate.Event):
        """The partner's witness key is no longer trusted from `revoked_from` on."""

        TOPIC = "coordination.cooperation.partner_witness_key_revoked"
        partner_origin: str
        key_id: str
        revoked_from: datetime
        reason: str

        def apply(self, a: CooperationAgreement) -> None:
            a.witness_keys[self.partner_origin] = tuple(
                replace(k, revoked_from=self.revoked_from) if k.key_id == self.key_id else k
                for k in a.witness_keys_of(self.partner_origin)
            )

    def __init__(self) -> None:
        self.title = ""
        self.agreement_version = 0
        self.document_hash = ""
        self.parties: dict[str, tuple[str, ...]] = {}
        self.partners: dict[str, Partner] = {}
        self.keys: dict[str, tuple[PartnerKey, ...]] = {}
        #: The partners' witness keys, kept apart from their log keys: each kind has its
        #: own succession (one key of each in force at a time).
        self.witness_keys: dict[str, tuple[PartnerKey, ...]] = {}

    def audience(self) -> str:
        return Audience.TRANSNATIONAL.value

    # -- commands ---------------------------------------------------------------

    @classmethod
    def sign(
        cls, ctx: Context, *, title: str, document_hash_hex: str, parties: Parties
    ) -> CooperationAgreement:
        """Sign the agreement (version 1) with the partner partnerships it names."""
        return cls.start(
            cls.Signed,
            ctx,
            id=AGREEMENT_ID,
            audience=Audience.TRANSNATIONAL.value,
            title=checked_name(title, "title"),
            document_hash=document_hash(document_hash_hex),
            version=1,
            parties=_parties(ctx, parties),
        )

    def amend(
        self, ctx: Context, *, summary: str, document_hash_hex: str, parties: Parties
    ) -> None:
        """A new version: every admitted partner stays a party, with no less to see."""
        digest = document_hash(document_hash_hex)
        if digest == self.document_hash:
            raise RuleViolation("the amended agreement is identical to the one in force")
        checked = _parties(ctx, parties)
        for partner_origin, partner in self.partners.items():
            granted = checked.get(partner_origin)
            if granted is None:
                raise RuleViolation(
                    f"{partner_origin} is an admitted partner: the agreement must keep it"
                )
            if not set(partner.sees) <= set(granted):
                raise RuleViolation(
                    f"{partner_origin} was admitted to see {', '.join(partner.sees)}:"
                    " the agreement must not grant it less"
                )
        self.record(
            self.Amended,
            ctx,
            summary=text(summary, "summary", max_length=TEXT_MAX),
            document_hash=digest,
            version=self.agreement_version + 1,
            parties=checked,
        )

    def admit_partner(
        self, ctx: Context, *, partner_origin: str, name: str, url: str, sees: Iterable[str]
    ) -> None:
        """Admit a party of the agreement as a partner reached at `url`."""
        party = origin(partner_origin, "origin")
        granted = self.parties.get(party)
        if granted is None:
            raise RuleViolation(f"{party} is not a party to the cooperation agreement")
        if party in self.partners:
            raise RuleViolation(f"{party} is already an admitted partner")
        seen = audiences(sees)
        beyond = sorted(set(seen) - set(granted))
        if beyond:
            raise RuleViolation(
                f"the agreement lets {party} see {', '.join(granted)} only, not {', '.join(beyond)}"
            )
        self.record(
            self.PartnerAdmitted,
            ctx,
            partner_origin=party,
            name=checked_name(name, "name"),
            base_url=base_url(url),
            sees=list(seen),
        )

    def register_partner_key(self, ctx: Context, *, partner_origin: str, vkey: str) -> str:
        """Register the partner's first key of the vkey's kind (log or witness), or its next
        after a revocation; its key id."""
        party = self.admitted(partner_origin)
        parsed = self._parsed(party, vkey)
        witness = parsed.witness
        current = self.current_key(party, witness=witness)
        if current is not None:
            kind = "witness key" if witness else "key"
            raise RuleViolation(
                f"{party} has the {kind} {current.key_id} in force: rotate it instead"
            )
        key = self._unregistered(parsed)
        self.record(
            self.PartnerWitnessKeyRegistered if witness else self.PartnerKeyRegistered,
            ctx,
            partner_origin=party,
            key_id=key.key_id,
            vkey=key.vkey,
            valid_from=ctx.occurred_at,
        )
        return key.key_id

    def rotate_partner_key(self, ctx: Context, *, partner_origin: str, vkey: str) -> str:
        """Replace the partner's key in force of the vkey's kind (log or witness) by a new
        one from now on; the new key's id."""
        party = self.admitted(partner_origin)
        parsed = self._parsed(party, vkey)
        witness = parsed.witness
        current = self.current_key(party, witness=witness)
        if current is None:
            kind = "witness key" if witness else "key"
            raise RuleViolation(f"{party} has no {kind} in force to rotate: register one")
        key = self._unregistered(parsed)
        self.record(
            self.PartnerWitnessKeyRotated if witness else self.PartnerKeyRotated,
            ctx,
            partner_origin=party,
            old_key_id=current.key_id,
            key_id=key.key_id,
            vkey=key.vkey,
            rotated_at=ctx.occurred_at,
        )
        return key.key_id

    def revoke_partner_key(
        self,
        ctx: Context,
        *,
        partner_origin: str,
        key_id: str,
        reason: str,
        revoked_from: datetime | None = None,
    ) -> None:
        """Stop trusting a key, of either kind, from `revoked_from` (now when not given) on."""
        party = self.admitted(partner_origin)
        wanted = key_id.strip().lower()
        key = next((k for k in self.keys[party] if k.key_id == wanted), None)
        witness = key is None
        if witness:
            key = next((k for k in self.witness_keys_of(party) if k.key_id == wanted), None)
        if key is None:
            raise NotFound(f"{party} has no key {key_id.strip()[:20]!r}")
        if key.revoked_from is not None:
            raise RuleViolation(f"the key {key.key_id} of {party} is already revoked")
        moment = ctx.occurred_at if revoked_from is None else in_utc(revoked_from, "revoked_from")
        if moment > ctx.occurred_at:
            raise InvalidInput("must not be in the future", field="revoked_from")
        if moment < key.valid_from:
            raise InvalidInput(
                f"must not be before the key became valid ({key.valid_from.isoformat()})",
                field="revoked_from",
            )
        self.record(
            self.PartnerWitnessKeyRevoked if witness else self.PartnerKeyRevoked,
            ctx,
            partner_origin=party,
            key_id=key.key_id,
            revoked_from=moment,
            reason=text(reason, "reason", max_length=TEXT_MAX),
        )

    # -- queries ----------------------------------------------------------------

    def admitted(self, partner_origin: str) -> str:
        """The partner's origin, refusing one that is not an admitted partner."""
        party = origin(partner_origin, "origin")
        if party not in self.partners:
            raise NotFound(f"{party} is not an admitted partner")
        return party

    def current_key(self, party: str, *, witness: bool = False) -> PartnerKey | None:
        """The partner's log key (or witness key) in force now (neither rotated out nor
        revoked), if any."""
        keys = self.witness_keys_of(party) if witness else self.keys.get(party, ())
        return next((k for k in keys if k.current), None)

    def witness_keys_of(self, party: str) -> tuple[PartnerKey, ...]:
        """The partner's witness keys, oldest first."""
        return self.witness_keys.get(party, ())

    def key_valid_at(self, party: str, moment: datetime) -> PartnerKey | None:
        """The partner's key valid at `moment`, if any."""
        return next((k for k in self.keys.get(party, ()) if k.valid_at(moment)), None)

    @staticmethod
    def _parsed(party: str, vkey: str) -> VerifierKey:
        """The key line parsed; a log key must be named by the partner's origin."""
        key = verifier_key(vkey)
        if not key.witness and key.name != party:
            raise InvalidInput(
                f"is named {key.name[:60]!r}: a partner's key is named by its origin, {party}",
                field="vkey",
            )
        return key

    def _unregistered(self, key: VerifierKey) -> PartnerKey:
        """The key to register, refused when it was registered before, to anyone."""
        for holder, keys in (*self.keys.items(), *self.witness_keys.items()):
            for known in keys:
                if known.key_id == key.key_id:
                    raise RuleViolation(f"the key {key.key_id} is already registered for {holder}")
                # One public key, one signer: a cosignature/v1 does not sign its witness's
                # name, so a key shared by two witnesses (or a log) would speak for both.
                if verifier_key(known.vkey).public_key == key.public_key:
                    raise RuleViolation(
                        f"its public key is already registered for {holder} (key {known.key_id})"
                    )
        return PartnerKey(key.key_id, key.vkey, datetime.min)


def _parties(ctx: Context, parties: Parties) -> dict[str, list[str]]:
    """The parties by origin, with what each may see; never the node itself."""
    if not parties:
        raise InvalidInput("must name at least one partner partnership", field="parties")
    if len(parties) > PARTIES_MAX:
        raise InvalidInput(f"may name at most {PARTIES_MAX} partnerships", field="parties")
    checked: dict[str, list[str]] = {}
    for index, (party, sees) in enumerate(parties):
        where = f"parties[{index}]"
        cleaned = origin(party, f"{where}.origin")
        if cleaned == ctx.origin:
            raise InvalidInput(
                "is this node's own origin: a node is no partner of itself", field=f"{where}.origin"
            )
        if cleaned in checked:
            raise InvalidInput(f"names {cleaned} a second time", field=f"{where}.origin")
        checked[cleaned] = list(audiences(sees, f"{where}.sees"))
    return checked
