"""What one drain of an outbox did: the rows by outcome, and why it stopped early if it did."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum


@dataclass
class DeliveryReport:
    """Row ids by outcome of one drain (or the sum of several, see `add`)."""

    delivered: list[int] = field(default_factory=list)  # the outside system holds them
    retrying: list[int] = field(default_factory=list)  # wait for their next try (backoff)
    failed: list[int] = field(default_factory=list)  # refused for good; the row keeps the answer
    conflicts: list[int] = field(default_factory=list)  # the LRS holds other content under the same id
    superseded: list[int] = field(default_factory=list)  # a newer score replaced it before it went out
    posts: int = 0  # requests sent
    more: bool = False  # the drain stopped at its limit: more rows may be due right away
    stopped_by: Enum | None = None  # the outcome that ended the drain early (remote down, credentials refused)
    errors: list[str] = field(default_factory=list)

    @property
    def handled(self) -> int:
        """How many rows were worked on."""
        return (len(self.delivered) + len(self.retrying) + len(self.failed) + len(self.conflicts)
                + len(self.superseded))

    def add(self, other: DeliveryReport) -> None:
        """Count another drain's rows into this report (a worker's running total)."""
        for name in ("delivered", "retrying", "failed", "conflicts", "superseded", "errors"):
            getattr(self, name).extend(getattr(other, name))
        self.posts += other.posts
        self.more = other.more
        self.stopped_by = other.stopped_by

    def summary(self) -> str:
        """One line for a log or a terminal."""
        return (f"delivered {len(self.delivered)}, waiting to retry {len(self.retrying)}, "
                f"failed {len(self.failed)}, conflicts {len(self.conflicts)}, superseded {len(self.superseded)}")
