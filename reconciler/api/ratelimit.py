"""Keeping under Datadog's advertised rate limit, from the X-RateLimit-* headers it sends."""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Callable, Mapping

_POLL = 0.005


class RateGate:
    """Holds requests back so the advertised window is never overrun.

    Until the first answer says what the limit is, one request at a time goes out. From
    then on every request sent spends one from the remainder the latest answer reported,
    less the requests still in flight, and a spent window waits for its reset.
    """

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._answered = False
        self._limited = False
        self._limit = 0
        self._period = 0.0
        self._remaining = 0
        self._reset_at = 0.0
        self._in_flight = 0
        self._lock = asyncio.Lock()
        self.waited = 0.0

    async def acquire(self) -> None:
        async with self._lock:
            while True:
                now = self._clock()
                if not self._answered:
                    if self._in_flight == 0:
                        break
                    delay = _POLL
                elif not self._limited:
                    break
                else:
                    self._roll_window(now)
                    if not self._limited:
                        continue
                    if self._remaining > 0:
                        self._remaining -= 1
                        break
                    delay = max(self._reset_at - now, _POLL)
                self.waited += delay
                await asyncio.sleep(delay)
            self._in_flight += 1

    def _roll_window(self, now: float) -> None:
        if now < self._reset_at:
            return
        if not self._period:
            # A new window of unknown length: probe again, one request, as at the start.
            self._answered = self._limited = False
            return
        windows = math.floor((now - self._reset_at) / self._period) + 1
        self._reset_at += windows * self._period
        self._remaining = self._limit

    def observe(self, headers: Mapping[str, str]) -> None:
        """Called with every answer's headers (and `{}` when a request got no answer)."""
        self._in_flight = max(self._in_flight - 1, 0)
        try:
            remaining = int(headers["x-ratelimit-remaining"])
            reset_at = self._clock() + float(headers["x-ratelimit-reset"])
            limit = int(headers.get("x-ratelimit-limit", remaining))
            period = float(headers.get("x-ratelimit-period", 0))
        except (KeyError, ValueError):
            self._answered = self._answered or bool(headers)
            return
        # Requests still in flight may land in this window after this answer was counted.
        available = max(remaining - self._in_flight, 0)
        if not self._limited or reset_at > self._reset_at + 0.5:
            self._remaining, self._reset_at = available, reset_at
        else:
            self._remaining = min(self._remaining, available)
        self._answered = self._limited = True
        self._limit, self._period = limit, period

    def refused(self, headers: Mapping[str, str]) -> float:
        """After a 429: seconds to wait, from X-RateLimit-Reset or Retry-After; holds everyone back."""
        seconds = 1.0
        for name in ("x-ratelimit-reset", "retry-after"):
            try:
                seconds = max(float(headers[name]), 0.0)
                break
            except (KeyError, ValueError):
                continue
        self._remaining, self._reset_at = 0, max(self._reset_at, self._clock() + seconds)
        self._answered = self._limited = True
        return seconds
