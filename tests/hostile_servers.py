"""Tiny loopback HTTP servers that misbehave on purpose: silent, malformed, endless, huge, rate limiting for a day."""

from __future__ import annotations

import itertools
import json
import socket
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

Answer = tuple[int, dict[str, str], bytes]


@contextmanager
def answering(answer: Callable[[str, str], Answer]) -> Iterator[str]:
    """A server whose every request gets `answer(method, path)`; yields its URL."""

    class Handler(BaseHTTPRequestHandler):
        def _any(self) -> None:
            length = int(self.headers.get("content-length") or 0)
            self.rfile.read(length)
            status, headers, body = answer(self.command, self.path)
            self.send_response(status)
            for name, value in {"content-length": str(len(body)), **headers}.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)

        do_GET = do_POST = do_PUT = do_DELETE = _any

        def log_message(self, *_: Any) -> None:
            pass

    class Server(ThreadingHTTPServer):
        # socketserver's default backlog is 5: sixteen connections opened at once on a loaded machine were reset
        # before being accepted, and the client's retries of those made a test's output two lines longer.
        request_queue_size = 128

        def handle_error(self, request: Any, client_address: Any) -> None:
            # A client that hangs up mid-answer is what these tests provoke; the server's own
            # traceback would land in the captured output of the command under test.
            pass

    server = Server(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@contextmanager
def silent() -> Iterator[str]:
    """A server that accepts connections and never says a word."""
    listener = socket.create_server(("127.0.0.1", 0))
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.1)
        while not stop.is_set():
            try:
                held.append(listener.accept()[0])
            except TimeoutError:
                continue
            except OSError:
                return

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        stop.set()
        thread.join(timeout=5)
        for connection in held:
            connection.close()
        listener.close()


def json_answer(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Answer:
    return status, {"content-type": "application/json", **(headers or {})}, json.dumps(body).encode()


def listing(*items: Any) -> Answer:
    return json_answer({"data": list(items), "meta": {"filtered_total": len(items)}, "included": []})


WIDGET = {
    "id": "0b5e5a52-9c6c-4c0e-9d3e-2f3c1a7b8e01",
    "type": "widgets",
    "attributes": {"definition": {"type": "toplist", "title": "T"}, "tags": ["wac-owner:default", "wac-id:t"]},
}


@contextmanager
def streaming(
    parts: Callable[[], Iterable[bytes]], headers: dict[str, str] | None = None, pause: float = 0.0
) -> Iterator[str]:
    """A server whose every answer is a 200 made of `parts()`, written one by one (`pause` seconds
    apart) until they end or the client hangs up; chunked unless `headers` declares a length."""

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # chunked transfer needs it

        def _any(self) -> None:
            self.rfile.read(int(self.headers.get("content-length") or 0))
            head = {"content-type": "application/json", **(headers or {})}
            chunked = "content-length" not in {name.lower() for name in head}
            self.send_response(200)
            for name, value in {**head, **({"transfer-encoding": "chunked"} if chunked else {})}.items():
                self.send_header(name, value)
            self.end_headers()
            try:
                for part in parts():
                    self.wfile.write(b"%x\r\n%s\r\n" % (len(part), part) if chunked else part)
                    self.wfile.flush()
                    time.sleep(pause)
                if chunked:
                    self.wfile.write(b"0\r\n\r\n")
            except OSError:
                pass  # the client hung up: what the tests expect of it
            self.close_connection = True

        do_GET = do_POST = do_PUT = do_DELETE = _any

        def log_message(self, *_: Any) -> None:
            pass

    class Server(ThreadingHTTPServer):
        request_queue_size = 128  # see answering()

    server = Server(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def endless(piece: bytes = b'{"id":"x"},' * 6000) -> Callable[[], Iterable[bytes]]:
    """A JSON listing that never ends: its opening, then `piece` forever."""
    return lambda: itertools.chain([b'{"data":['], itertools.repeat(piece))


def dense(size: int) -> Callable[[], Iterable[bytes]]:
    """A valid JSON listing of about `size` bytes of empty objects: small to send, many times its size decoded."""
    count = size // 3
    piece = b"{}," * 100_000
    return lambda: itertools.chain(
        [b'{"meta":{"filtered_total":0},"data":['],
        itertools.repeat(piece, count // 100_000),
        [b"{}]}"],
    )


@dataclass
class SpaceOneList:
    """A SpaceONE `list` that claims `total` widgets but holds `held` of them, all on the first page
    asked for; `requests` counts what it was asked."""

    total: Any
    held: int = 0
    requests: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __call__(self, _method: str, _path: str) -> Answer:
        with self._lock:  # the server answers each request on its own thread
            self.requests += 1
            count = self.held if self.requests == 1 else 0
        results = [{"custom_widget_id": f"custom-widget-{n:012x}", "tags": {}} for n in range(count)]
        return json_answer({"results": results, "total_count": self.total})
