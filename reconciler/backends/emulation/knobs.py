"""ASGI middleware for the test knobs every emulator shares: added latency, Datadog-style rate limiting,
injected faults, and the request counts tests and benchmarks read."""

from __future__ import annotations

import asyncio
import json
import math
import random
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, NoReturn

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from reconciler.backends.emulation.settings import EmulatorSettings, FaultRule, RateLimit

STATS_PATH = "/_emulator/stats"


class ConnectionDropped(Exception):
    """Raised to make the server close the connection without a complete answer."""


@dataclass
class RequestStats:
    """What the emulator saw, so tests and benchmarks count calls on the server side."""

    by_method: Counter[str] = field(default_factory=Counter)
    by_status: Counter[int] = field(default_factory=Counter)
    faults: Counter[str] = field(default_factory=Counter)
    # Requests admitted per rate-limit window: the proof no window went over the limit.
    max_admitted_per_window: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "requests": sum(self.by_method.values()),
            "by_method": dict(self.by_method),
            "by_status": {str(k): v for k, v in self.by_status.items()},
            "faults": dict(self.faults),
            "max_admitted_per_window": self.max_admitted_per_window,
        }


class _FixedWindow:
    def __init__(self, rule: RateLimit) -> None:
        self.rule = rule
        self.window = -1
        self.used = 0

    def admit(self, now: float) -> tuple[bool, dict[str, str]]:
        window = int(now // self.rule.period)
        if window != self.window:
            self.window, self.used = window, 0
        admitted = self.used < self.rule.limit
        if admitted:
            self.used += 1
        # Datadog sends whole seconds; sub-second windows (for fast tests) keep two decimals, rounded up.
        remaining_time = (window + 1) * self.rule.period - now
        reset = max(1, math.ceil(remaining_time)) if self.rule.period >= 1 else math.ceil(remaining_time * 100) / 100
        headers = {
            "X-RateLimit-Limit": str(self.rule.limit),
            "X-RateLimit-Period": f"{self.rule.period:g}",
            "X-RateLimit-Remaining": str(max(0, self.rule.limit - self.used)),
            "X-RateLimit-Reset": f"{reset:g}",
            "X-RateLimit-Name": self.rule.name,
        }
        return admitted, headers


async def _drop_connection(send: Send) -> NoReturn:
    # Failing after the response has started is how an ASGI app makes a server close the
    # connection mid-answer; failing before it would only produce a 500.
    await send({"type": "http.response.start", "status": 200, "headers": []})
    raise ConnectionDropped("connection dropped by fault injection")


class KnobsMiddleware:
    """Wraps an API's app: only paths under `prefixes` feel the knobs; with default settings they are only counted."""

    def __init__(
        self, app: ASGIApp, settings: EmulatorSettings, stats: RequestStats, prefixes: tuple[str, ...]
    ) -> None:
        self.app = app
        self.prefixes = prefixes
        self.settings = settings
        self.stats = stats
        self._random = random.Random(settings.seed)
        self._window = _FixedWindow(settings.rate_limit) if settings.rate_limit else None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(self.prefixes):
            await self.app(scope, receive, send)
            return
        if not self.settings.latency:
            await self._knobbed(scope, receive, send)
            return
        # Latency is the round trip a client sees: the answer is held until `latency` after the request
        # arrived, however long it took to make. A real API answers from many machines at once; this one
        # process making 16 answers in a row after 16 sleeps ended together would add its own queue to
        # every request, and benchmarks would measure the emulator rather than the client.
        loop = asyncio.get_running_loop()
        due = loop.time() + self.settings.latency
        held: list[Message] = []

        async def hold(message: Message) -> None:
            held.append(message)

        slowed: list[float] = []
        try:
            await self._knobbed(scope, receive, hold, slowed)
        finally:
            # A slow fault is on top of the latency, as it was when the latency was slept first.
            await asyncio.sleep(max(0.0, due + sum(slowed) - loop.time()))
            for message in held:
                await send(message)

    async def _knobbed(self, scope: Scope, receive: Receive, send: Send, slowed: list[float] | None = None) -> None:
        method = scope["method"]
        self.stats.by_method[method] += 1

        limit_headers: dict[str, str] = {}
        if self._window is not None:
            admitted, limit_headers = self._window.admit(time.time())
            if not admitted:
                await self._answer(send, 429, ["Too many requests"], limit_headers)
                return
            self.stats.max_admitted_per_window = max(self.stats.max_admitted_per_window, self._window.used)

        fault = self._draw_fault(method, scope["path"])
        if fault is not None:
            self.stats.faults[fault.kind] += 1
            if fault.kind == "slow":
                await asyncio.sleep(fault.seconds)
                if slowed is not None:
                    slowed.append(fault.seconds)
            elif fault.kind == "error":
                asked = {} if fault.retry_after is None else {"Retry-After": str(fault.retry_after)}
                await self._answer(send, fault.status or 503, ["Service Unavailable"], {**limit_headers, **asked})
                return
            elif fault.kind == "drop":
                await _drop_connection(send)

        lose_response = fault is not None and fault.kind == "lost_response"
        lost_status = fault.status if fault is not None else None

        async def send_with_knobs(message: Message) -> None:
            if message["type"] == "http.response.start":
                if lose_response:
                    if lost_status is None:
                        await _drop_connection(send)
                    await self._answer(send, lost_status, ["Gateway Timeout"], limit_headers)
                    return
                self.stats.by_status[message["status"]] += 1
                headers = list(message.get("headers", []))
                headers.extend((k.lower().encode(), v.encode()) for k, v in limit_headers.items())
                message = {**message, "headers": headers}
            elif lose_response:
                return
            await send(message)

        await self.app(scope, receive, send_with_knobs)

    def _draw_fault(self, method: str, path: str) -> FaultRule | None:
        for rule in self.settings.faults:
            if method not in rule.methods or path.endswith(rule.sparing):
                continue
            if self._random.random() < rule.rate:
                return rule
        return None

    async def _answer(self, send: Send, status: int, errors: list[str], headers: dict[str, str]) -> None:
        self.stats.by_status[status] += 1
        body = json.dumps({"errors": errors}).encode()
        raw = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
        raw.extend((k.lower().encode(), v.encode()) for k, v in headers.items())
        await send({"type": "http.response.start", "status": status, "headers": raw})
        await send({"type": "http.response.body", "body": body})


class StatsEndpoint:
    """Answers `GET /_emulator/stats` with the counts, and hands every other request to the app."""

    def __init__(self, app: ASGIApp, stats: RequestStats) -> None:
        self.app = app
        self.stats = stats

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] != STATS_PATH:
            await self.app(scope, receive, send)
            return
        method = scope["method"]
        if method not in ("GET", "HEAD"):
            await _json(send, 405, {"errors": ["Method Not Allowed"]}, [(b"allow", b"GET, HEAD")])
            return
        await _json(send, 200, self.stats.as_dict(), body_sent=method == "GET")


async def _json(
    send: Send, status: int, document: Any, headers: Sequence[tuple[bytes, bytes]] = (), body_sent: bool = True
) -> None:
    body = json.dumps(document).encode()
    raw = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()), *headers]
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": body if body_sent else b""})
