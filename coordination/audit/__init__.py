"""The tamper-evident log: Merkle tree, stored hashes, signed notes and checkpoints."""
