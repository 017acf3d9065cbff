"""The HTTP edge every backend's client shares: bounded concurrency, rate limits honoured, safe retries.

A backend's client subclasses `HttpClient`, adds its API's verbs and says how its error bodies read;
every request goes through `send`'s policy (attempts, back-off, deadline, pacing, lost writes).
"""

from __future__ import annotations

import asyncio
import functools
import http.cookiejar
import logging
import random
import ssl
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, Final, Literal, Self, TypeVar

import httpx

from reconciler import __version__
from reconciler.backends.policy import DEFAULT_PARALLELISM, MIB, RetryPolicy
from reconciler.backends.ratelimit import RateGate, RateWaitTooLong
from reconciler.backends.transport import KeptAliveTransport, proxy_configured
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


class _NoCookies(http.cookiejar.CookieJar):
    """No API here sets a cookie that matters: reading each answer's Set-Cookie cost about a tenth of a
    request's CPU."""

    def extract_cookies(self, response: Any, request: Any) -> None:
        return None


_NO_COOKIES: Final = _NoCookies()

# An answer may hold at most one JSON value per this many bytes of the size limit. Real answers hold
# one per 16 to 26 bytes, so any up to half the limit passes; a decoded value takes up to about 130
# bytes, so decoding an answer takes at most about four times the limit (`[{},{},…]` would take 25
# times its size, an object of short distinct keys 8 times).
_BYTES_PER_VALUE = 32
# What one run reads from a host in all, in answers of the largest size allowed: with the density cap, this
# keeps a run's decoded answers within about a gigabyte at the default limit.
RUN_BUDGET_ANSWERS = 4

_Step = Literal["done", "refused", "failed", "stop"]
Page = TypeVar("Page")


@dataclass(frozen=True)
class _Request:
    method: str
    path: str
    shown_path: str
    idempotent: bool
    params: dict[str, str | int] | None
    json: dict[str, Any] | None

    @property
    def shown(self) -> str:
        """The request as errors and log lines name it."""
        return f"{self.method} {self.shown_path}"


@dataclass
class _Tally:
    """One request's attempts so far: what `send` weighs before trying again and says when it gives up."""

    started: float
    failures: int = 0
    refusals: int = 0
    answered: int = 0
    last_problem: str = "no attempt made"


@dataclass(frozen=True)
class _Attempt:
    """One attempt: the answer (None when none came whole), what went wrong, whether the request may
    have reached the server, and whether it timed out."""

    response: httpx.Response | None
    problem: str
    reached: bool = True
    timed_out: bool = False


class _TooLarge(Exception):
    """An answer past the size limit, described for the sentence that ends the run."""


def _mib(size: int) -> str:
    return f"{size / MIB:,.4g} MiB"


async def read_pages(
    fetch: Callable[[int], Awaitable[Page]], numbers: range, workers: int, full: Callable[[Page], bool]
) -> list[Page]:
    """The pages `numbers` names, in order, with at most `workers` asked for at a time; no page is asked
    for after one that is not `full`, so a listing that ends early costs no more requests."""
    found: dict[int, Page] = {}
    upcoming = iter(numbers)
    stop = False

    async def worker() -> None:
        nonlocal stop
        while not stop and (number := next(upcoming, None)) is not None:
            try:
                page = await fetch(number)
            except BaseException:
                stop = True  # the others finish what they hold and take no more
                raise
            found[number] = page
            stop = stop or not full(page)

    await asyncio.gather(*(worker() for _ in range(max(1, min(workers, len(numbers))))))
    return [found[number] for number in sorted(found)]


@functools.cache
def _tls_context() -> ssl.SSLContext:
    """Loading the CA bundle costs ~70 ms: once per process, and only for https."""
    return httpx.create_ssl_context()


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
        self._closing = False
        # Bytes of every answer this run, capped too: decoded pages are kept until a listing ends, so many
        # answers just under the per-answer limit would otherwise add up past what memory holds.
        self._read_in_all = 0
        self._random = random.Random(seed)
        sent = {**headers, "Accept": "application/json", "User-Agent": f"widgets-as-code/{__version__}"}
        # One single-connection client per slot, handed out by a queue that also bounds what is in
        # flight: httpcore's shared pool rescans every connection on each request, which cost more
        # CPU than the request itself at a few hundred requests a second (benchmarks/bench_reconcile).
        tls = _tls_context() if base_url.startswith("https:") else False
        single = httpx.Limits(max_connections=1, max_keepalive_connections=1)
        # Each slot has one request in flight at a time: a lean kept-alive transport serves it (unless the
        # environment names a proxy, which httpx's own transport speaks to).
        lean = transport is None and not proxy_configured()
        self._clients = [
            httpx.AsyncClient(
                base_url=base_url,
                headers=sent,
                timeout=self.policy.timeout,
                transport=KeptAliveTransport(tls if isinstance(tls, ssl.SSLContext) else None, self.policy.timeout)
                if lean
                else transport,
                limits=single,
                verify=tls,
                cookies=_NO_COOKIES,
            )
            for _ in range(parallelism)
        ]
        # Requests are sent to absolute URLs: httpx joins a relative one to its base by parsing both again.
        base = str(self._clients[0].base_url) if self._clients else base_url
        self._base = base if base.endswith("/") else base + "/"
        self._idle: asyncio.Queue[httpx.AsyncClient] = asyncio.Queue()
        for client in self._clients:
            self._idle.put_nowait(client)

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        # Requests still in flight (siblings of one that ended the run) fail quietly from here: their broken
        # connections are the run ending, not a server to retry and report.
        self._closing = True
        for client in self._clients:
            await client.aclose()

    @property
    def parallelism(self) -> int:
        """Requests in flight at most."""
        return len(self._clients)

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
            except MemoryError:
                raise BackendError(self._no_memory(what, response), response.status_code) from None
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
        request = _Request(method, path, self.shown_path(path), idempotent, params, json)
        if self._unreachable is not None:
            raise BackendError(f"{request.shown}: not sent, {self._unreachable}")
        tally = _Tally(asyncio.get_running_loop().time())
        # Refusals (429) are waited out and do not count as failures, within a generous bound.
        while tally.failures < self.policy.attempts and tally.refusals < 50 * self.policy.attempts:
            if tally.failures or tally.refusals:
                self.stats.retries += 1
            async with self._slot() as http:
                began = asyncio.get_running_loop().time()
                attempt = await self._attempt(http, request)
                # `--debug`: one line per attempt (httpx's own, some 15 a request, only with --debug-http).
                log.debug(
                    "HTTP Request: %s → %s in %.0f ms (retry %d)",
                    request.shown,
                    attempt.response.status_code if attempt.response is not None else attempt.problem,
                    (asyncio.get_running_loop().time() - began) * 1000,
                    tally.failures + tally.refusals,
                )
                if self._closing:
                    raise BackendError(f"{request.shown}: not finished, the run is ending")
                step = await self._next_step(attempt, request, tally)
            if step == "done":
                assert attempt.response is not None
                return attempt.response
            if step == "stop":
                break
            if step == "failed":
                tally.failures += 1
                if tally.failures >= self.policy.attempts or not await self._backed_off(attempt, request, tally):
                    break
        raise self._gave_up(request, tally)

    async def _next_step(self, attempt: _Attempt, request: _Request, tally: _Tally) -> _Step:
        """What one attempt means for the request: done, refused and waited out, failed, or hopeless."""
        tally.last_problem = attempt.problem
        response = attempt.response
        if response is None:
            if not attempt.reached and tally.failures + 1 >= CONNECT_ATTEMPTS:
                return "stop"  # nothing listens there: a few quick tries, not the patience meant for a busy server
            if attempt.reached and not request.idempotent:
                raise OutcomeUnknown(f"{request.shown}: {attempt.problem}; the write may have happened")
            return "failed"
        self._ever_answered = True
        tally.answered += 1
        if response.status_code == 429:
            await self._wait_out(response, tally)
            return "refused"
        if response.status_code < 500:
            return "done"
        if not request.idempotent:
            raise OutcomeUnknown(
                f"{request.shown}: {attempt.problem}; the write may have happened", response.status_code
            )
        return "failed"

    async def _wait_out(self, response: httpx.Response, tally: _Tally) -> None:
        """A rate limit's wait, taken holding the slot so nothing else is sent; too long a wait ends the run."""
        self.stats.rate_limited += 1
        tally.refusals += 1
        wait = self._gate.refused(response.headers)
        if wait > self.policy.max_rate_wait:
            raise BackendError(self._too_long(wait, response.headers))
        log.info("rate limited by %s (HTTP 429): waiting %.1f s", self.host, wait)
        await asyncio.sleep(wait + self._random.uniform(0, 0.1))

    async def _backed_off(self, attempt: _Attempt, request: _Request, tally: _Tally) -> bool:
        """Sleep before the next attempt; False when there should be none (silent server, deadline near)."""
        if attempt.timed_out and not self._ever_answered and tally.failures >= self.policy.silent_attempts:
            return False  # the server has not answered once: it is down or silent, not busy
        delay = self._asked_delay(attempt.response)
        if delay is None:
            delay = self._backoff(tally.failures)
        now = asyncio.get_running_loop().time()
        if now + delay + self.policy.timeout - tally.started > self.policy.deadline:
            return False
        log.info(
            "%s: %s; retry %d of %d in %.1f s",
            request.shown,
            attempt.problem,
            tally.failures,
            self.policy.attempts - 1,
            delay,
        )
        await asyncio.sleep(delay)
        return True

    def _gave_up(self, request: _Request, tally: _Tally) -> BackendError:
        spent = asyncio.get_running_loop().time() - tally.started
        attempts = tally.failures + tally.refusals
        reason = f"gave up on {self.host} after {attempts} attempt(s) in {spent:.0f} s: {tally.last_problem}"
        if not tally.answered:
            # The rest fail at once with the same sentence: a dead host ends a run in minutes.
            self._unreachable = reason
        return BackendError(f"{request.shown}: {reason}")

    def _too_long(self, seconds: float, headers: Mapping[str, str]) -> str:
        limit = headers.get("x-ratelimit-limit")
        period = headers.get("x-ratelimit-period")
        advertised = f" (limit {limit} requests per {period or '?'} s)" if limit else ""
        return (
            f"{self.host} is rate limiting this key{advertised} and asks for a wait of {seconds:.0f} s, more than"
            f" the {self.policy.max_rate_wait:.0f} s allowed; nothing more was sent. Try again later, or raise"
            " --max-rate-wait"
        )

    async def _attempt(self, http: httpx.AsyncClient, request: _Request) -> _Attempt:
        """One request through the rate gate, its answer read whole within the timeout and the size limit."""
        try:
            await self._gate.acquire()
        except RateWaitTooLong as exc:
            raise BackendError(self._too_long(exc.seconds, exc.headers)) from None
        self.stats.by_method[request.method] += 1
        heard: list[httpx.Response] = []  # the answer's head, once it came: a timeout after it is a slow body
        try:
            # Enforced here as well as by httpx, whose timeouts are per read: a trickling body would
            # pass them forever. Any transport (the in-process one too) times out.
            async with asyncio.timeout(self.policy.timeout):
                response = await self._exchange(http, request, heard)
        except _NOT_SENT as exc:
            return _Attempt(None, f"could not connect to {self.host} ({type(exc).__name__})", reached=False)
        except (httpx.TimeoutException, TimeoutError) as exc:
            return _Attempt(None, self._unfinished(heard, exc, timed_out=True), timed_out=True)
        except httpx.TransportError as exc:
            return _Attempt(None, self._unfinished(heard, exc, timed_out=False))
        except _TooLarge as exc:
            raise self._too_large(request, exc) from None
        except MemoryError:
            raise BackendError(self._no_memory(request.shown, None)) from None
        finally:
            # Always, whatever happened: the gate counts requests in flight.
            self._gate.observe(heard[0].headers if heard else {})
        if response.status_code == 429:
            return _Attempt(response, "rate limited (HTTP 429)")
        return _Attempt(response, self._problem(response))

    def _problem(self, response: httpx.Response) -> str:
        """What a failed answer says; nothing for a success, which is decoded once, by its reader."""
        if response.is_success:
            return ""
        try:
            return f"HTTP {response.status_code}: {self.error_text(response)}"
        except MemoryError:
            return f"HTTP {response.status_code}: an error answer too large to read ({_mib(len(response.content))})"

    async def _exchange(
        self, http: httpx.AsyncClient, request: _Request, heard: list[httpx.Response]
    ) -> httpx.Response:
        """Send, then read the body chunk by chunk: an answer is held whole only once it is known to fit."""
        url = self._base + request.path.lstrip("/") if request.path.startswith("/") else request.path
        sent = http.build_request(request.method, url, params=request.params, json=request.json)
        streamed = await http.send(sent, stream=True)
        heard.append(streamed)
        try:
            body = await self._read_body(streamed)
        finally:
            await streamed.aclose()
        # The body is decoded already; the encoding header would have httpx decode it again.
        headers = [(k, v) for k, v in streamed.headers.multi_items() if k.lower() != "content-encoding"]
        return httpx.Response(streamed.status_code, headers=headers, content=body, request=sent)

    async def _read_body(self, response: httpx.Response) -> bytes:
        """The decoded body, refused (`_TooLarge`) past the size limit, or past one JSON value per
        `_BYTES_PER_VALUE` bytes of it, which caps what decoding can take to about four times the limit."""
        limit = self.policy.max_response_bytes
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            raise _TooLarge(f"an answer of {_mib(int(declared))} (Content-Length), more than {_mib(limit)} (the limit)")
        chunks: list[bytes] = []
        size = 0
        # Decoded bytes are counted, so a compressed answer cannot expand past the limit either.
        budget = RUN_BUDGET_ANSWERS * limit
        async for chunk in response.aiter_bytes():
            size += len(chunk)
            self._read_in_all += len(chunk)
            if size > limit:
                raise _TooLarge(f"an answer larger than {_mib(limit)} (the limit)")
            if self._read_in_all > budget:
                raise _TooLarge(
                    f"more than {_mib(budget)} in all during this run ({RUN_BUDGET_ANSWERS} times {_mib(limit)},"
                    " the limit of one answer)"
                )
            chunks.append(chunk)
        body = b"".join(chunks)
        values_allowed = limit // _BYTES_PER_VALUE
        if size > values_allowed:  # fewer bytes cannot hold more values
            values = body.count(b",") + body.count(b"[") + body.count(b"{")
            if values > values_allowed:
                raise _TooLarge(
                    f"an answer of {_mib(size)} holding up to {values:,} JSON values, more than the"
                    f" {values_allowed:,} that {_mib(limit)} (the limit) allows"
                )
        return body

    def _unfinished(self, heard: list[httpx.Response], exc: Exception, *, timed_out: bool) -> str:
        """Why an attempt has no answer: none came, or one began and its body did not finish."""
        within = f" within {self.policy.timeout:g} s" if timed_out else ""
        kind = type(exc).__name__
        if heard:
            began = f"{self.host} began an answer (HTTP {heard[0].status_code})"
            return f"{began} but its body did not finish{within} ({kind})"
        return f"no answer from {self.host}{within} ({kind})"

    def _no_memory(self, what: str, response: httpx.Response | None) -> str:
        size = f" ({_mib(len(response.content))})" if response is not None else ""
        return (
            f"{what}: the answer from {self.host}{size} did not fit in the memory left; nothing was planned from"
            f" it. Lower --max-response-mb (now {_mib(self.policy.max_response_bytes)}) or give the run more memory"
        )

    def _too_large(self, request: _Request, exc: _TooLarge) -> BackendError:
        # Not retried: the same request would bring the same answer.
        advice = "Raise it with --max-response-mb if that is expected"
        if request.idempotent:
            return BackendError(f"{request.shown}: {self.host} sent {exc}; nothing was planned from it. {advice}")
        return OutcomeUnknown(f"{request.shown}: {self.host} sent {exc}; the write may have happened. {advice}")

    @asynccontextmanager
    async def _slot(self) -> AsyncIterator[httpx.AsyncClient]:
        http = await self._idle.get()
        try:
            yield http
        finally:
            self._idle.put_nowait(http)

    def _asked_delay(self, response: httpx.Response | None) -> float | None:
        """The wait a 503 asks for in seconds (`Retry-After`, as RFC 9110 and urllib3 read it), when it is sane."""
        if response is None or response.status_code != 503:
            return None
        text = response.headers.get("retry-after", "")
        if not text.isascii() or not text.isdigit() or len(text) > 6:
            return None  # an HTTP date or nonsense: the client's own back-off decides
        seconds = float(text)
        return seconds if seconds <= self.policy.max_rate_wait else None

    def _backoff(self, attempt: int) -> float:
        # Full jitter: spread retries so a crowd of clients does not return in step.
        return self._random.uniform(0, min(self.policy.max_delay, self.policy.base_delay * 2**attempt))
