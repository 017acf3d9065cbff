"""One emulator for every API, served over real HTTP with uvicorn: for `wac emulator`, tests and benchmarks.

Each registered backend's emulator answers its own path prefixes on one port, over one SQLite file, behind
the same latency, rate-limit and fault knobs; what is built comes from the registry alone.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from starlette.types import ASGIApp

from reconciler.backends.emulation.knobs import KnobsMiddleware, RequestStats, StatsEndpoint
from reconciler.backends.emulation.routing import ByPath, EmulatedStore
from reconciler.backends.emulation.serving import free_port, listen, serve_forever, served_in_thread
from reconciler.backends.emulation.settings import EmulatorSettings
from reconciler.backends.registry import BACKENDS

__all__ = [
    "RunningEmulator",
    "ServeError",
    "create_emulator",
    "emulator_process",
    "emulator_thread",
    "free_port",
    "serve",
]


def create_emulator(
    db: str | Path = ":memory:", settings: EmulatorSettings | None = None
) -> tuple[ASGIApp, RequestStats, dict[str, EmulatedStore]]:
    """Every registered API's emulator as one ASGI app over one database file, with the request counters they
    share and each one's store by kind."""
    settings = settings or EmulatorSettings()
    stats = RequestStats()
    stores: dict[str, EmulatedStore] = {}
    routes: list[tuple[str, ASGIApp]] = []
    defaults: list[ASGIApp] = []
    try:
        for registration in BACKENDS:
            emulator = registration.emulator
            app, stores[registration.kind] = emulator.builder()(db, settings.options)
            # One middleware per API: each keeps its own rate-limit window and fault draws, as separate APIs do.
            knobbed = KnobsMiddleware(app, settings, stats, prefixes=emulator.prefixes)
            routes += [(prefix, knobbed) for prefix in emulator.prefixes]
            defaults += [knobbed] if emulator.default else []
    except BaseException:
        _close(stores)
        raise
    if len(defaults) != 1:
        _close(stores)
        raise ValueError(f"exactly one registered emulator takes unclaimed paths, not {len(defaults)}")
    return StatsEndpoint(ByPath(routes, defaults[0]), stats), stats, stores


def _close(stores: Mapping[str, EmulatedStore]) -> None:
    for store in stores.values():
        store.close()


class ServeError(OSError):
    """The emulator could not start: the address is taken or not this machine's, or the state file is unusable."""


def serve(
    host: str,
    port: int,
    db: str | Path,
    settings: EmulatorSettings,
    on_ready: Callable[[int], None] = lambda _: None,
) -> None:
    """Serve until interrupted; the database file keeps state across restarts."""
    try:
        listener = listen(host, port)
    except (OSError, OverflowError) as exc:
        reason = os.strerror(exc.errno) if isinstance(exc, OSError) and exc.errno else str(exc)
        raise ServeError(f"cannot listen on {host}:{port}: {reason}; choose another --port or --host") from None
    try:
        app, _, _ = create_emulator(db, settings)
    except Exception as exc:
        listener.close()
        raise ServeError(f"cannot use the state file {db}: {exc}") from None
    on_ready(int(listener.getsockname()[1]))
    serve_forever(app, listener)


@dataclass(frozen=True)
class RunningEmulator:
    url: str
    stats: RequestStats
    # Each backend's emulator state by kind (`stores["datadog/dashboard"]`), for tests to look behind the API.
    stores: Mapping[str, EmulatedStore]


@contextmanager
def emulator_thread(
    db: str | Path = ":memory:", settings: EmulatorSettings | None = None, host: str = "127.0.0.1"
) -> Iterator[RunningEmulator]:
    """A loopback server on a free port in a background thread, stopped on exit."""
    app, stats, stores = create_emulator(db, settings)
    try:
        with served_in_thread(app, host) as port:
            yield RunningEmulator(f"http://{host}:{port}", stats, stores)
    finally:
        _close(stores)


@contextmanager
def emulator_process(db: str | Path, *options: str, host: str = "127.0.0.1") -> Iterator[str]:
    """`wac emulator` in its own process (its own GIL, as in production), yielding its URL."""
    import subprocess
    import sys
    import time

    import httpx

    port = free_port(host)
    command = [
        sys.executable,
        "-m",
        "reconciler",
        "emulator",
        "--host",
        host,
        "--port",
        str(port),
        "--db",
        str(db),
        *options,
    ]
    process = subprocess.Popen(command, stderr=subprocess.DEVNULL)
    url = f"http://{host}:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx.get(url + "/_emulator/stats", timeout=1)
                break
            except httpx.TransportError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"wac emulator did not start on {url}") from None
                time.sleep(0.05)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=30)
