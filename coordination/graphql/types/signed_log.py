"""Types of the signed log: a checkpoint and an inclusion proof (RFC 9162, C2SP tlog)."""

from __future__ import annotations

from uuid import UUID

import strawberry


@strawberry.type(
    name="LogCheckpoint",
    description="The latest signed checkpoint of the node's log (c2sp.org/tlog-checkpoint).",
)
class LogCheckpoint:
    origin: str = strawberry.field(description="The log's origin, the first line of the note.")
    tree_size: int = strawberry.field(description="How many entries the checkpoint covers.")
    root_hash: str = strawberry.field(description="The Merkle tree's root hash, base64.")
    note: str = strawberry.field(
        description="The signed note; verify it with the node's key before trusting the rest."
    )


@strawberry.type(
    description="The RFC 9162 inclusion proof of an event's log entry in a tree of the log."
)
class InclusionProof:
    event_id: UUID
    log_index: int = strawberry.field(description="The entry's index in the log.")
    tree_size: int = strawberry.field(description="The size of the tree the proof is for.")
    leaf_hash: str = strawberry.field(description="The entry's leaf hash, base64.")
    hashes: list[str] = strawberry.field(description="The proof, lowest level first, base64.")
    checkpoint: str = strawberry.field(
        description="The signed note of the checkpoint of `treeSize` when one was signed,"
        " else of the latest (the caller then checks against a root it holds for `treeSize`)."
    )
