"""What ``verify`` found: failures, each at an entry's index or about the whole log."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Failure:
    """One thing found wrong: at an entry's index, or about the log as a whole."""

    index: int | None
    message: str

    def __str__(self) -> str:
        return self.message if self.index is None else f"entry {self.index}: {self.message}"


@dataclass
class VerifyReport:
    """What ``verify_log`` checked and found."""

    source: str
    origin: str = ""
    size: int = 0
    root: bytes = b""
    entries_checked: int = 0
    hidden: int = 0
    proofs_checked: int = 0
    carried: int = 0
    earlier_size: int | None = None
    key_from_source: bool = False
    seconds: float = 0.0
    failures: list[Failure] = field(default_factory=list)
    #: The leaf hash of every entry checked, 32 bytes each, in index order.
    leaves: bytearray = field(default_factory=bytearray, repr=False)

    @property
    def ok(self) -> bool:
        """Whether nothing was found wrong."""
        return not self.failures

    @property
    def first_bad_index(self) -> int | None:
        """The lowest index named by a failure, if any."""
        indexes = [f.index for f in self.failures if f.index is not None]
        return min(indexes) if indexes else None
