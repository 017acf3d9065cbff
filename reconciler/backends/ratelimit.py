"""Keeping under Datadog's advertised rate limit, from the X-RateLimit-* headers it sends."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Mapping

_POLL = 0.005
# Pacing waits this long or longer are worth a line at normal verbosity.
_NOTEWORTHY = 1.0
log = logging.getLogger(__name__)


class RateWaitTooLong(Exception):
    """The advertised window is spent and resets later than the caller will wait."""

    def __init__(self, seconds: float, headers: Mapping[str, str]) -> None:
        super().__init__(f"rate limit window resets in {seconds:.0f} s")
        self.seconds = seconds
        self.headers = headers


class RateGate:
    """Holds requests back so the advertised window is never overrun.

    At the start of each window one request goes out alone; its answer says what remains
    and when the window resets. Every request sent then spends one from that remainder,
    less the requests still in flight, and a spent window waits for its reset.
    """

    def __init__(self, clock: Callable[[], float] = time.monotonic, max_wait: float = float("inf")) -> None:
        self._clock = clock
        self._max_wait = max_wait
        self._last_headers: Mapping[str, str] = {}
        self._answered = False
        self._limited = False
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
                    if delay > self._max_wait:
                        raise RateWaitTooLong(delay, self._last_headers)
                    if delay >= _NOTEWORTHY:
                        log.info("rate limit: this window's requests are spent; waiting %.1f s for the next", delay)
                self.waited += delay
                await asyncio.sleep(delay)
            self._in_flight += 1

    def _roll_window(self, now: float) -> None:
        if now < self._reset_at:
            return
        # A new window: probe it with one request rather than assume its budget. Reset headers
        # count whole seconds, so a window guessed from them would straddle the server's own.
        self._answered = self._limited = False

    def observe(self, headers: Mapping[str, str]) -> None:
        """Called with every answer's headers (and `{}` when a request got no answer)."""
        self._in_flight = max(self._in_flight - 1, 0)
        if headers:
            self._last_headers = headers
        try:
            remaining = int(headers["x-ratelimit-remaining"])
            reset_at = self._clock() + float(headers["x-ratelimit-reset"])
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
