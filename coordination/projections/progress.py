"""How the active projector tells standby processes how far the views have come.

After each commit on PostgreSQL the active projector NOTIFYs a channel of its own (per
schema and projector name) with the views' positions and what changed; standbys turn
that into their own `wait_until` answers and `ViewUpdate`s. A payload too long for
NOTIFY drops the lists and says "every forum".
"""

from __future__ import annotations

import json
from uuid import UUID

from coordination.persistence.readdb import ReadDatabase
from coordination.projections.parking import PROGRESS_CHANNEL
from coordination.projections.processing import Outcome
from coordination.projections.updates import ViewUpdate

NOTIFY_PAYLOAD_MAX = 7900


def progress_channel(db: ReadDatabase, name: str) -> str:
    """The channel of projector `name` in `db`'s schema."""
    schema = getattr(getattr(db, "target", None), "schema", "") or "public"
    return f"{PROGRESS_CHANNEL}_{schema}_{name}".replace(":", "_")[:63]


def encode_progress(outcome: Outcome, positions: dict[str, int]) -> str:
    updates = [
        {
            "v": name,
            "p": positions[name],
            "f": sorted(map(str, t.forums)),
            "s": sorted(map(str, t.streams)),
        }
        for name, t in outcome.touched.items()
    ]
    payload = json.dumps({"positions": positions, "updates": updates})
    if len(payload) <= NOTIFY_PAYLOAD_MAX:
        return payload
    brief = [{"v": u["v"], "p": u["p"], "all": True} for u in updates]
    return json.dumps({"positions": positions, "updates": brief})


def decode_progress(payload: str) -> tuple[dict[str, int], list[ViewUpdate]]:
    """The positions and updates a payload announces."""
    message = json.loads(payload)
    updates = [
        ViewUpdate(
            view=item["v"],
            position=int(item["p"]),
            forum_ids=frozenset(UUID(f) for f in item.get("f", [])),
            stream_ids=frozenset(UUID(s) for s in item.get("s", [])),
            all_forums=bool(item.get("all", False)),
        )
        for item in message.get("updates", [])
    ]
    return {k: int(v) for k, v in message.get("positions", {}).items()}, updates
