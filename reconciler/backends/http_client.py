"""The HTTP edge every backend's client shares: bounded concurrency, rate limits honoured, safe retries.

A backend's client subclasses `HttpClient`, adds its API's verbs and says how its error bodies read;
every request goes through `send`'s policy (attempts, back-off, deadline, pacing, lost writes).
"""

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
from reconciler.backends.policy import DEFAULT_PARALLELISM, RetryPolicy
from reconciler.backends.ratelimit import RateGate, RateWaitTooLong
from reconciler.core.backend import BackendError, OutcomeUnknown

log = logging.getLogger(__name__)


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


class HttpClient:
    """One connection pool per run; every request goes through `send`'s policy."""

    def __init__(
        self,
        base_url: str,
        headers: Mapping[str, str],
        host: str,
        *,
        parallelism: int = DEFAULT_PARALLELISM,
        policy: RetryPolicy | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        seed: int | None = None,
    ) -> None:
        self.policy = policy or RetryPolicy()
        self.stats = CallStats()
        self.host = host
        self._gate = RateGate(max_wait=self.policy.max_rate_wait)
        self._ever_answered = False
        # Set once a request found the server down or silent: the rest fail at once with the same
        # sentence, so a dead host ends a run in minutes, not one timeout per change.
        self._unreachable: str | None = None
        self._random = random.Random(seed)
        sent = {**headers, "Accept": "application/json", "User-Agent": f"widgets-as-code/{__version__}"}
        # One single-connection client per slot, handed out by a queue that also bounds what is in
        # flight: httpcore's shared pool rescans every connection on each request, which cost more
        # CPU than the request itself at a few hundred requests a second (benchmarks/bench_reconcile).
        tls = httpx.create_ssl_context()
        single = httpx.Limits(max_connections=1, max_keepalive_connections=1)
        self._clients = [
            httpx.AsyncClient(
                base_url=base_url,
                headers=sent,
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

    def shown_path(self, path: str) -> str:
        """The path as errors and log lines show it; a client whose paths hold secrets masks them."""
        return path

    def error_text(self, response: httpx.Response) -> str:
        """What an error answer says, in the API's own error shape; overridden by each client."""
        return response.reason_phrase or "no details"

    def json_of(self, response: httpx.Response, what: str) -> dict[str, Any]:
        if response.status_code == 204:
            return {}
        if response.is_success:
            try:
                body = response.json()
            except (ValueError, RecursionError):
                kind = response.headers.get("content-type", "no content type")
                raise BackendError(
                    f"{what}: {self.host} answered HTTP {response.status_code} with a body that is not JSON ({kind});"
                    " is the site right?",
                    response.status_code,
                ) from None
            if isinstance(body, dict):
                return body
            raise BackendError(f"{what}: {self.host} answered with JSON that is not an object", response.status_code)
        raise BackendError(
            f"{what} failed: HTTP {response.status_code}: {self.error_text(response)}", response.status_code
        )

    async def send(
        self,
        method: str,
        path: str,
        *,
        idempotent: bool,
        params: dict[str, str | int] | None = None,
        json: dict[str, Any] | None = None,
    ) -> httpx.Response:
        shown = self.shown_path(path)
        if self._unreachable is not None:
            raise BackendError(f"{method} {shown}: not sent, {self._unreachable}")
        last_problem = "no attempt made"
        failures = refusals = answered = 0
        loop = asyncio.get_running_loop()
        started = loop.time()
        # Refusals (429) are waited out and do not count as failures, within a generous bound.
        while failures < self.policy.attempts and refusals < 50 * self.policy.attempts:
            if failures or refusals:
                self.stats.retries += 1
            async with self._slot() as http:
                try:
                    response, last_problem, reached, timed_out = await self._attempt(http, method, path, params, json)
                except RateWaitTooLong as exc:
                    raise BackendError(self._too_long(exc.seconds, exc.headers)) from None
                if response is not None:
                    self._ever_answered = True
                    answered += 1
                if not reached and failures + 1 >= CONNECT_ATTEMPTS:
                    # Nothing listens there: a few quick tries, not the patience meant for a busy server.
                    break
                if response is None and reached and not idempotent:
                    raise OutcomeUnknown(f"{method} {shown}: {last_problem}; the write may have happened")
                if response is not None:
                    if response.status_code == 429:
                        self.stats.rate_limited += 1
                        refusals += 1
                        wait = self._gate.refused(response.headers)
                        if wait > self.policy.max_rate_wait:
                            raise BackendError(self._too_long(wait, response.headers))
                        log.info("rate limited by %s (HTTP 429): waiting %.1f s", self.host, wait)
                        await asyncio.sleep(wait + self._random.uniform(0, 0.1))
                        continue
                    if response.status_code < 500:
                        return response
                    if not idempotent:
                        raise OutcomeUnknown(
                            f"{method} {shown}: {last_problem}; the write may have happened", response.status_code
                        )
            failures += 1
            if timed_out and not self._ever_answered and failures >= self.policy.silent_attempts:
                break  # the server has not answered once: it is down or silent, not busy
            delay = self._backoff(failures)
            if loop.time() + delay + self.policy.timeout - started > self.policy.deadline:
                break
            log.info(
                "%s %s: %s; retry %d of %d in %.1f s",
                method,
                shown,
                last_problem,
                failures,
                self.policy.attempts - 1,
                delay,
            )
            await asyncio.sleep(delay)
        spent = loop.time() - started
        reason = f"gave up on {self.host} after {failures + refusals} attempt(s) in {spent:.0f} s: {last_problem}"
        if not answered:
            self._unreachable = reason
        raise BackendError(f"{method} {shown}: {reason}")

    def _too_long(self, seconds: float, headers: Mapping[str, str]) -> str:
        limit = headers.get("x-ratelimit-limit")
        period = headers.get("x-ratelimit-period")
        advertised = f" (limit {limit} requests per {period or '?'} s)" if limit else ""
        return (
            f"{self.host} is rate limiting this key{advertised} and asks for a wait of {seconds:.0f} s, more than"
            f" the {self.policy.max_rate_wait:.0f} s allowed; nothing more was sent. Try again later, or raise"
            " --max-rate-wait"
        )

    async def _attempt(
        self,
        http: httpx.AsyncClient,
        method: str,
        path: str,
        params: dict[str, str | int] | None,
        json: dict[str, Any] | None,
    ) -> tuple[httpx.Response | None, str, bool, bool]:
        """One request through the rate gate: the response (None when none came), what went wrong,
        whether the request may have reached the server, and whether it timed out waiting."""
        await self._gate.acquire()
        self.stats.by_method[method] += 1
        headers: Mapping[str, str] = {}
        try:
            # Enforced here as well as by httpx, so any transport (the in-process one too) times out.
            async with asyncio.timeout(self.policy.timeout):
                response = await http.request(method, path, params=params, json=json)
            headers = response.headers
        except _NOT_SENT as exc:
            return None, f"could not connect to {self.host} ({type(exc).__name__})", False, False
        except (httpx.TimeoutException, TimeoutError) as exc:
            waited = f"{self.policy.timeout:g} s"
            return None, f"no answer from {self.host} within {waited} ({type(exc).__name__})", True, True
        except httpx.TransportError as exc:
            return None, f"no answer from {self.host} ({type(exc).__name__})", True, False
        finally:
            # Always, whatever happened: the gate counts requests in flight.
            self._gate.observe(headers)
        if response.status_code == 429:
            return response, "rate limited (HTTP 429)", True, False
        return response, f"HTTP {response.status_code}: {self.error_text(response)}", True, False

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
