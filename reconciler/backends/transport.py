"""A lean httpx transport: HTTP/1.1 over one kept-alive asyncio connection, for a client that has one request
in flight at a time (each of `HttpClient`'s slots). httpx stays the API every client uses; underneath, this
skips what the general pool costs per request (anyio's cancel scopes, the pool's bookkeeping), which at a few
hundred requests a second was most of a run's CPU (benchmarks/bench_reconcile.py)."""

from __future__ import annotations

import asyncio
import logging
import os
import ssl
from collections.abc import AsyncIterator
from typing import Final

import h11
import httpx

_READ_SIZE: Final = 256 * 1024
_DEFAULT_PORTS: Final = {"http": 80, "https": 443}
_PROXY_VARIABLES: Final = ("http_proxy", "https_proxy", "all_proxy")
# What `--debug-http` shows of the connection under each request (never a header: they carry the keys).
_log = logging.getLogger(__name__)


def proxy_configured() -> bool:
    """A proxy set in the environment (httpx honours HTTP(S)_PROXY and ALL_PROXY): then httpx's own transport
    is used, which speaks to proxies; this one connects directly only."""
    return any(os.environ.get(name) or os.environ.get(name.upper()) for name in _PROXY_VARIABLES)


class _Connection:
    """One TCP (or TLS) connection and its HTTP/1.1 state."""

    def __init__(self, origin: tuple[str, str, int], reader: asyncio.StreamReader, writer: asyncio.StreamWriter):
        self.origin = origin
        self.reader = reader
        self.writer = writer
        self.state = h11.Connection(h11.CLIENT)
        self.closed = False

    @classmethod
    async def open(cls, origin: tuple[str, str, int], tls: ssl.SSLContext | None, timeout: float) -> _Connection:
        scheme, host, port = origin
        try:
            async with asyncio.timeout(timeout):
                if scheme == "https":
                    reader, writer = await asyncio.open_connection(
                        host, port, ssl=tls or ssl.create_default_context(), server_hostname=host, limit=_READ_SIZE
                    )
                else:
                    reader, writer = await asyncio.open_connection(host, port, limit=_READ_SIZE)
        except TimeoutError:
            raise httpx.ConnectTimeout(f"connecting to {host}:{port} timed out") from None
        except (OSError, ssl.SSLError) as exc:
            raise httpx.ConnectError(f"{type(exc).__name__}: {exc}") from None
        _log.debug("connected to %s:%s (%s)", host, port, "TLS" if scheme == "https" else "plain")
        return cls(origin, reader, writer)

    def reusable(self, origin: tuple[str, str, int]) -> bool:
        # A kept-alive connection the server closed while idle shows as EOF (or unread bytes) before reuse.
        return (
            not self.closed
            and origin == self.origin
            and self.state.our_state is h11.IDLE
            and not self.reader.at_eof()
            and not self.writer.is_closing()
        )

    async def send(self, request: httpx.Request) -> None:
        body = await request.aread()
        head = h11.Request(method=request.method, target=request.url.raw_path, headers=list(request.headers.raw))
        data = self.state.send(head) or b""
        if body:
            data += self.state.send(h11.Data(data=body)) or b""
        data += self.state.send(h11.EndOfMessage()) or b""
        try:
            self.writer.write(data)
            await self.writer.drain()
        except OSError as exc:
            self.close()
            raise httpx.WriteError(f"{type(exc).__name__}: {exc}") from None
        _log.debug("sent %s %s (%d bytes of body)", request.method, request.url.raw_path.decode("ascii"), len(body))

    async def next_event(self) -> h11.Event | type[h11.PAUSED]:
        while True:
            try:
                event = self.state.next_event()
            except h11.RemoteProtocolError as exc:
                self.close()
                raise httpx.RemoteProtocolError(str(exc)) from None
            if event is not h11.NEED_DATA:
                return event  # type: ignore[return-value]  # h11 types the sentinels as classes
            try:
                chunk = await self.reader.read(_READ_SIZE)
            except OSError as exc:
                self.close()
                raise httpx.ReadError(f"{type(exc).__name__}: {exc}") from None
            self.state.receive_data(chunk)  # b"" at the end of the stream: h11 then says what was cut short

    async def head(self) -> h11.Response:
        while True:
            event = await self.next_event()
            if isinstance(event, h11.InformationalResponse):
                continue
            if isinstance(event, h11.Response):
                _log.debug("answer head: HTTP/%s %d", event.http_version.decode("ascii"), event.status_code)
                return event
            self.close()
            raise httpx.RemoteProtocolError("the server closed the connection without answering")

    def finished(self) -> None:
        """The answer was read whole: the connection waits for the next request, or closes if it must."""
        if self.state.our_state is h11.DONE and self.state.their_state is h11.DONE:
            self.state.start_next_cycle()
            _log.debug("answer read; the connection is kept for the next request")
        else:
            self.close()

    def close(self) -> None:
        if not self.closed:
            self.closed = True
            self.writer.close()
            _log.debug("connection to %s:%s closed", self.origin[1], self.origin[2])


class _Body(httpx.AsyncByteStream):
    def __init__(self, connection: _Connection) -> None:
        self._connection = connection
        self._done = False

    async def __aiter__(self) -> AsyncIterator[bytes]:
        while not self._done:
            event = await self._connection.next_event()
            if isinstance(event, h11.Data):
                yield bytes(event.data)
            elif isinstance(event, h11.EndOfMessage):
                self._done = True
                self._connection.finished()
            else:
                self._connection.close()
                raise httpx.RemoteProtocolError(f"unexpected {type(event).__name__} in the answer's body")

    async def aclose(self) -> None:
        if not self._done:
            # Left unread (an answer refused as too large, a run ending): the connection cannot be reused.
            self._done = True
            self._connection.close()


class KeptAliveTransport(httpx.AsyncBaseTransport):
    """HTTP/1.1 to one origin at a time over one kept-alive connection; one request in flight at a time."""

    def __init__(self, tls: ssl.SSLContext | None = None, connect_timeout: float = 30.0) -> None:
        self._tls = tls
        self._connect_timeout = connect_timeout
        self._connection: _Connection | None = None

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        url = request.url
        origin = (url.scheme, url.host, url.port or _DEFAULT_PORTS.get(url.scheme, 80))
        connection = self._connection
        if connection is None or not connection.reusable(origin):
            if connection is not None:
                connection.close()
            connection = await _Connection.open(origin, self._tls, self._connect_timeout)
            self._connection = connection
        try:
            await connection.send(request)
            head = await connection.head()
        except BaseException:
            connection.close()
            raise
        return httpx.Response(
            head.status_code,
            # The list h11 keeps: its Headers object iterates item by item through Sequence's slow path.
            headers=head.headers.raw_items(),
            stream=_Body(connection),
            extensions={"http_version": b"HTTP/1.1", "reason_phrase": head.reason},
        )

    async def aclose(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None
