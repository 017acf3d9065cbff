"""An async client for the Widgets v2 API: bounded concurrency, rate limits honoured, safe retries."""

from __future__ import annotations

import asyncio
import logging
import random
from collections import Counter
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, Self

import httpx

from reconciler import __version__
from reconciler.api.ratelimit import RateGate
from reconciler.api.sites import Site
from reconciler.vocabulary import EXPERIENCE_TYPES, WIDGET_UUID

API_ROOT = "/api/v2/widgets"
log = logging.getLogger(__name__)


class ApiError(Exception):
    """An answer the reconciler cannot use; the message never holds a key."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class OutcomeUnknown(ApiError):
    """A create was sent but its answer was lost: the widget may or may not exist."""


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 8
    base_delay: float = 0.1
    max_delay: float = 10.0
    timeout: float = 30.0


@dataclass
class CallStats:
    """What this client sent, for summaries, tests and benchmarks."""

    by_method: Counter[str] = field(default_factory=Counter)
    retries: int = 0
    rate_limited: int = 0

    @property
    def requests(self) -> int:
        return sum(self.by_method.values())


CONNECT_ATTEMPTS = 3

# Errors raised before a request could reach the server: repeating it is always safe.
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)


class WidgetsClient:
    """One connection pool per run; every request goes through `_send`'s policy."""

    def __init__(
        self,
        site: Site,
        api_key: str,
        app_key: str,
        *,
        parallelism: int = 16,
        policy: RetryPolicy | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        seed: int | None = None,
    ) -> None:
        self.policy = policy or RetryPolicy()
        self.stats = CallStats()
        self._gate = RateGate()
        self._random = random.Random(seed)
        headers = {
            "DD-API-KEY": api_key,
            "DD-APPLICATION-KEY": app_key,
            "Accept": "application/json",
            "User-Agent": f"widgets-as-code/{__version__}",
        }
        # One single-connection client per slot, handed out by a queue that also bounds what is in
        # flight: httpcore's shared pool rescans every connection on each request, which cost more
        # CPU than the request itself at a few hundred requests a second (benchmarks/bench_reconcile).
        tls = httpx.create_ssl_context()
        single = httpx.Limits(max_connections=1, max_keepalive_connections=1)
        self._clients = [
            httpx.AsyncClient(
                base_url=site.base_url,
                headers=headers,
                timeout=self.policy.timeout,
                transport=transport,
                limits=single,
                verify=tls,
            )
            for _ in range(parallelism)
        ]
        self._idle: asyncio.Queue[httpx.AsyncClient] = asyncio.Queue()
        for client in self._clients:
            self._idle.put_nowait(client)

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        for client in self._clients:
            await client.aclose()

    async def search(self, experience_type: str, params: dict[str, str | int]) -> dict[str, Any]:
        response = await self._send("GET", _collection(experience_type), params=params, idempotent=True)
        return self._json(response, "search")

    async def get(self, experience_type: str, uuid: str) -> dict[str, Any] | None:
        response = await self._send("GET", _item(experience_type, uuid), idempotent=True)
        if response.status_code == 404:
            return None
        return self._json(response, "get")

    async def create(self, experience_type: str, body: dict[str, Any]) -> dict[str, Any]:
        response = await self._send("POST", _collection(experience_type), json=body, idempotent=False)
        return self._json(response, "create")

    async def replace(self, experience_type: str, uuid: str, body: dict[str, Any]) -> dict[str, Any]:
        # A full replacement is idempotent: sending it twice leaves the same widget.
        response = await self._send("PUT", _item(experience_type, uuid), json=body, idempotent=True)
        return self._json(response, "update")

    async def delete(self, experience_type: str, uuid: str) -> bool:
        """True when deleted now, False when it was already gone (a retried delete lands here)."""
        response = await self._send("DELETE", _item(experience_type, uuid), idempotent=True)
        if response.status_code == 404:
            return False
        self._json(response, "delete")
        return True

    def _json(self, response: httpx.Response, what: str) -> dict[str, Any]:
        if response.status_code == 204:
            return {}
        if response.is_success:
            body = response.json()
            if isinstance(body, dict):
                return body
        raise ApiError(f"{what} failed: HTTP {response.status_code}: {_errors(response)}", response.status_code)

    async def _send(
        self,
        method: str,
        path: str,
        *,
        idempotent: bool,
        params: dict[str, str | int] | None = None,
        json: dict[str, Any] | None = None,
    ) -> httpx.Response:
        last_problem = "no attempt made"
        failures = refusals = 0
        # Refusals (429) are waited out and do not count as failures, within a generous bound.
        while failures < self.policy.attempts and refusals < 50 * self.policy.attempts:
            if failures or refusals:
                self.stats.retries += 1
            async with self._slot() as http:
                response, last_problem, reached = await self._attempt(http, method, path, params, json)
                if not reached and failures + 1 >= CONNECT_ATTEMPTS:
                    # Nothing listens there: a few quick tries, not the patience meant for a busy server.
                    break
                if response is None and reached and not idempotent:
                    raise OutcomeUnknown(f"{method} {path}: {last_problem}; the write may have happened")
                if response is not None:
                    if response.status_code == 429:
                        self.stats.rate_limited += 1
                        refusals += 1
                        wait = self._gate.refused(response.headers)
                        log.debug("%s %s: rate limited, waiting %.2f s", method, path, wait)
                        await asyncio.sleep(wait + self._random.uniform(0, 0.1))
                        continue
                    if response.status_code < 500:
                        return response
                    if not idempotent:
                        raise OutcomeUnknown(
                            f"{method} {path}: {last_problem}; the write may have happened", response.status_code
                        )
            failures += 1
            delay = self._backoff(failures)
            log.debug("%s %s: %s; retry %d in %.2f s", method, path, last_problem, failures, delay)
            await asyncio.sleep(delay)
        raise ApiError(f"{method} {path}: gave up after {failures + refusals} attempts: {last_problem}")

    async def _attempt(
        self,
        http: httpx.AsyncClient,
        method: str,
        path: str,
        params: dict[str, str | int] | None,
        json: dict[str, Any] | None,
    ) -> tuple[httpx.Response | None, str, bool]:
        """One request through the rate gate: the response (None when none came), what went wrong, and
        whether the request may have reached the server."""
        await self._gate.acquire()
        self.stats.by_method[method] += 1
        headers: Mapping[str, str] = {}
        try:
            # Enforced here as well as by httpx, so any transport (the in-process one too) times out.
            async with asyncio.timeout(self.policy.timeout):
                response = await http.request(method, path, params=params, json=json)
            headers = response.headers
        except _NOT_SENT as exc:
            return None, f"could not connect ({type(exc).__name__})", False
        except (httpx.TimeoutException, httpx.TransportError, TimeoutError) as exc:
            return None, f"no answer ({type(exc).__name__})", True
        finally:
            # Always, whatever happened: the gate counts requests in flight.
            self._gate.observe(headers)
        if response.status_code == 429:
            return response, "rate limited (HTTP 429)", True
        return response, f"HTTP {response.status_code}: {_errors(response)}", True

    @asynccontextmanager
    async def _slot(self) -> AsyncIterator[httpx.AsyncClient]:
        http = await self._idle.get()
        try:
            yield http
        finally:
            self._idle.put_nowait(http)

    def _backoff(self, attempt: int) -> float:
        # Full jitter: spread retries so a crowd of clients does not return in step.
        return self._random.uniform(0, min(self.policy.max_delay, self.policy.base_delay * 2**attempt))


def _collection(experience_type: str) -> str:
    """The path of an experience type, which must come from the closed set: no path from unchecked text."""
    if experience_type not in EXPERIENCE_TYPES:
        raise ApiError(f"refused to send a request for experience type {experience_type[:60]!r}")
    return f"{API_ROOT}/{experience_type}"


def _item(experience_type: str, uuid: str) -> str:
    if not WIDGET_UUID.match(uuid):
        raise ApiError(f"refused to send a request for widget id {uuid[:60]!r}: not a UUID")
    return f"{_collection(experience_type)}/{uuid}"


def _errors(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.reason_phrase or "no details"
    errors = body.get("errors") if isinstance(body, dict) else None
    if isinstance(errors, list):
        return "; ".join(str(e) for e in errors)
    return response.reason_phrase or "no details"
