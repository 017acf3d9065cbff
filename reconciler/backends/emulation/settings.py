"""What an emulator instance is told at start: latency, rate limit, injected faults, and each backend's options."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

FaultKind = Literal["error", "slow", "drop", "lost_response"]
ALL_METHODS = frozenset({"GET", "POST", "PUT", "DELETE"})


@dataclass(frozen=True)
class FaultRule:
    """A fault injected into a share (`rate`) of the requests whose method is in `methods`.

    `error` answers `status` without doing the work (with `Retry-After` when `retry_after` is set);
    `slow` waits `seconds` first;
    `drop` closes the connection without an answer; `lost_response` does the work and
    commits it, then drops the connection (or answers `status` when one is set for it).
    """

    kind: FaultKind
    rate: float = 1.0
    methods: frozenset[str] = ALL_METHODS
    status: int | None = None
    seconds: float = 0.0
    retry_after: int | None = None
    # Paths spared, by how they end: an API whose reads are POSTs (`…/list`) keeps its reads out of a write fault.
    sparing: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not 0.0 <= self.rate <= 1.0:
            raise ValueError(f"fault rate must be between 0 and 1, got {self.rate}")


@dataclass(frozen=True)
class RateLimit:
    """At most `limit` requests per `period` seconds, in fixed windows as Datadog counts them."""

    limit: int
    period: float = 10.0
    name: str = "widgets"


@dataclass(frozen=True)
class EmulatorSettings:
    """Everything off by default: a plain, fast, faithful API."""

    latency: float = 0.0
    rate_limit: RateLimit | None = None
    faults: tuple[FaultRule, ...] = ()
    seed: int = 0
    # Each backend's own settings by name (`users`, `api_keys`, one per `wac emulator` option a registration
    # declares): handed to every backend's emulator, each reading the names it knows.
    options: Mapping[str, Any] = field(default_factory=dict)
