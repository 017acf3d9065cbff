"""Shared fixtures: the emulator in this process (ASGI) or over loopback HTTP, and helpers speaking to it."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from reconciler.backends.datadog_widgets.emulator.app import create_app
from reconciler.backends.datadog_widgets.emulator.store import WidgetStore
from reconciler.backends.emulator_server import RunningEmulator, emulator_thread
from tests.asgi import SyncASGITransport

ALICE = {"DD-API-KEY": "test-api-key-0001", "DD-APPLICATION-KEY": "alice-app-key-0001"}
BOB = {"DD-API-KEY": "test-api-key-0001", "DD-APPLICATION-KEY": "bob-app-key-0002"}


def widget_body(
    title: str = "Spend", widget_type: str = "bar_chart", tags: list[str] | None = None, **extra: Any
) -> dict[str, Any]:
    definition = {"title": title, "type": widget_type, "requests": [{"query": "sum:aws.cost{*}"}], **extra}
    return {"data": {"type": "widgets", "attributes": {"definition": definition, "tags": tags or []}}}


@pytest.fixture()
def emulator() -> Iterator[RunningEmulator]:
    with emulator_thread() as running:
        yield running


class InProcessEmulator:
    """The emulator app in this process: clients speak HTTP to it over ASGI, without a socket."""

    def __init__(self) -> None:
        self.store = WidgetStore()
        self.app, self.stats = create_app(self.store)
        self._clients: list[httpx.Client] = []

    def client(self, headers: dict[str, str]) -> httpx.Client:
        client = httpx.Client(transport=SyncASGITransport(self.app), base_url="http://emulator", headers=headers)
        self._clients.append(client)
        return client

    def close(self) -> None:
        for client in self._clients:
            client.close()
        self.store.close()


@pytest.fixture()
def in_process() -> Iterator[InProcessEmulator]:
    emulator = InProcessEmulator()
    yield emulator
    emulator.close()


@pytest.fixture()
def api(in_process: InProcessEmulator) -> httpx.Client:
    """Alice's client on a fresh in-process emulator."""
    return in_process.client(ALICE)


@pytest.fixture(autouse=True)
def _own_cache_folder(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test's caches in a folder of its own, never the user's (commands run in subprocesses inherit it)."""
    monkeypatch.setenv("WAC_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))


def pytest_configure(config: pytest.Config) -> None:
    import tempfile

    from tests.figures import FOLDER_VARIABLE

    # Set once, by the process that starts the run; worker processes inherit it.
    if FOLDER_VARIABLE not in os.environ:
        os.environ[FOLDER_VARIABLE] = tempfile.mkdtemp(prefix="wac-figures-")
    # Every test speaks plain http to loopback, yet each `httpx.get(...)` builds a client that loads the whole
    # CA bundle (~50 ms of CPU). One self-signed certificate whose key was thrown away loads in 1 ms and trusts
    # nothing that could answer; no test makes a TLS connection.
    os.environ["SSL_CERT_FILE"] = str(Path(__file__).with_name("trust-nothing.pem"))


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    from tests.figures import collected

    for line in collected():
        terminalreporter.write_line(line)


# CI explores the same examples every run, so main stays green for the same code; locally
# hypothesis keeps exploring new ones.
from hypothesis import settings as hypothesis_settings  # noqa: E402

hypothesis_settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    hypothesis_settings.load_profile("ci")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The longest tests first, so the workers do not wait on one of them at the end."""
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)
