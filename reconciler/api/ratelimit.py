"""Keeping under Datadog's advertised rate limit, from the X-RateLimit-* headers it sends."""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Callable, Mapping


class RateGate:
    """Holds requests back once the advertised window is used up, until it resets.

    Every answer says the limit, the window, how many requests remain and when it resets;
    each request sent spends one from the last known remainder, so concurrent requests do
    not overrun the window between two answers.
    """

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._limit: int | None = None
        self._period: float | None = None
        self._remaining: int | None = None
        self._reset_at = 0.0
        self._lock = asyncio.Lock()
        self.waited = 0.0

    async def acquire(self) -> None:
        async with self._lock:
            while True:
                now = self._clock()
                self._roll_window(now)
                if self._remaining is None:
                    return
                if self._remaining > 0:
                    self._remaining -= 1
                    return
                delay = max(self._reset_at - now, 0.01)
                self.waited += delay
                await asyncio.sleep(delay)

    def _roll_window(self, now: float) -> None:
        if self._remaining is None or now < self._reset_at:
            return
        if self._limit is None or not self._period:
            self._remaining = None
            return
        windows = math.floor((now - self._reset_at) / self._period) + 1
        self._reset_at += windows * self._period
        self._remaining = self._limit

    def observe(self, headers: Mapping[str, str]) -> None:
        try:
            remaining = int(headers["x-ratelimit-remaining"])
            reset_at = self._clock() + float(headers["x-ratelimit-reset"])
            self._limit = int(headers.get("x-ratelimit-limit", remaining))
            self._period = float(headers.get("x-ratelimit-period", 0)) or None
        except (KeyError, ValueError):
            return
        if self._remaining is None or reset_at > self._reset_at + 0.5:
            self._remaining, self._reset_at = remaining, reset_at
        else:
            self._remaining = min(self._remaining, remaining)

    def refused(self, headers: Mapping[str, str]) -> float:
        """After a 429: seconds to wait, from X-RateLimit-Reset or Retry-After; holds everyone back."""
        seconds = 1.0
        for name in ("x-ratelimit-reset", "retry-after"):
            try:
                seconds = max(float(headers[name]), 0.0)
                break
            except (KeyError, ValueError):
                continue
        self._remaining, self._reset_at = 0, self._clock() + seconds
        return seconds
