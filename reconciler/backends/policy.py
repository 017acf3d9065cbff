"""How patient every backend's client is: attempts, back-off, timeouts, the run's deadline, answers' size."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

# Requests in flight at most per backend, unless --parallelism says otherwise.
DEFAULT_PARALLELISM: Final = 16
MIB: Final = 2**20
# The largest answer read, unless --max-response-mb says otherwise: real pages are a few megabytes.
DEFAULT_MAX_RESPONSE_MB: Final = 64


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 8
    base_delay: float = 0.1
    max_delay: float = 10.0
    timeout: float = 30.0
    # No attempt starts that could end past this many seconds after the request's first one, so a
    # slow or silent server ends a command within two minutes.
    deadline: float = 110.0
    # A server that never answered anything in this run gets this many attempts, not the patience
    # meant for a busy one.
    silent_attempts: int = 2
    # The longest rate-limit wait taken; a longer one ends the run with a sentence.
    max_rate_wait: float = 60.0
    # The largest answer read, decoded, in bytes; a larger one ends the run with a sentence, and
    # decoding one answer takes at most about four times this (see HttpClient._read_body).
    max_response_bytes: int = DEFAULT_MAX_RESPONSE_MB * MIB
