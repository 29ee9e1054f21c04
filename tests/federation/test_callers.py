"""What each caller of the feed sees of an entry (FEED-PROTOCOL §5), joint groups included
through their seam."""

from __future__ import annotations

from coordination.audit.storage import LogEntry
from coordination.auth.principal import Principal, Role
from coordination.federation.callers import PartnerCaller, ReaderCaller, may_see, rate_key


def entry(audience: str) -> LogEntry:
    return LogEntry(0, 1, "e", "s", 1, "t", audience, b"\0" * 32, b"{}")


AUDIENCES = ["public", "transnational", "partnership", "restricted", "forum:1", "joint:7"]


def test_each_caller_sees_its_audiences_only() -> None:
    partner = PartnerCaller("it.example/log", "0a0b0c0d", frozenset({"public", "transnational"}))
    joint = PartnerCaller(
        "it.example/log", "0a0b0c0d", frozenset({"public"}), frozenset({"joint:7"})
    )
    auditor = ReaderCaller(Principal(Role.AUDITOR))
    seen = {
        "anonymous": [a for a in AUDIENCES if may_see(None, entry(a))],
        "partner": [a for a in AUDIENCES if may_see(partner, entry(a))],
        "joint": [a for a in AUDIENCES if may_see(joint, entry(a))],
        "auditor": [a for a in AUDIENCES if may_see(auditor, entry(a))],
    }
    assert seen == {
        "anonymous": ["public"],
        "partner": ["public", "transnational"],
        "joint": ["public", "joint:7"],
        "auditor": AUDIENCES,
    }
    assert rate_key(partner, "10.0.0.1") == "partner it.example/log"
    assert rate_key(None, "10.0.0.1") == "address 10.0.0.1"
