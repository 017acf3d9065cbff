"""Keys never appear: every command and output format, failures and debug logging included."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from urllib.parse import quote

import httpx

from reconciler.backends.emulation.settings import EmulatorSettings, FaultRule
from reconciler.backends.emulator_server import emulator_thread
from reconciler.backends.sites import SiteError, resolve_site
from tests.commands.helpers import make_workspace
from tests.widgets import backends_of

API_KEY = "dd-api-RECOGNISABLE-1234567890"
APP_KEY = "dd-app-RECOGNISABLE-0987654321"


def encodings(key: str) -> set[str]:
    """The forms a key may take in text, worked out here independently of the product's scrubber."""
    raw = key.encode()
    return {
        key.strip(),
        repr(key)[1:-1],
        json.dumps(key)[1:-1],
        quote(key, safe=""),
        base64.b64encode(raw).decode().rstrip("="),
    }


def scan(outputs: list[str], keys: tuple[str, ...] = (API_KEY, APP_KEY)) -> None:
    assert outputs
    forms = {form for key in keys for form in encodings(key)}
    for text in outputs:
        for form in forms:
            assert form not in text, text[:2000]
        assert "Traceback" not in text


MALFORMED_KEYS = [
    API_KEY + "\n",
    " " + API_KEY,
    API_KEY.replace("-", "\r\n", 1),
    API_KEY + "\u00e9",
    API_KEY + "\x1b[0m",
]


def test_a_malformed_key_is_refused_before_any_request_and_never_shown(tmp_path: Path) -> None:
    outputs: list[str] = []
    with emulator_thread(db=tmp_path / "e.sqlite3") as server:
        repo = make_workspace(tmp_path, server.url)
        for key in MALFORMED_KEYS:
            for args in (["--debug", "plan"], ["apply", "--auto-approve"], ["drift"], ["export", "--out", "x"]):
                result = repo.wac(*args, env={"DD_API_KEY": key, "DD_APP_KEY": APP_KEY})
                assert result.exit_code == 1, result.output
                assert "DD_API_KEY holds a character an HTTP header cannot carry" in result.output
                outputs.append(result.output)
        assert sum(server.stats.by_method.values()) == 0, "refused before any request"
    scan(outputs, (*MALFORMED_KEYS, APP_KEY))


def test_the_scrubber_covers_every_form(tmp_path: Path) -> None:
    from reconciler.backends.datadog_keys import Credentials

    credentials = Credentials(API_KEY + "\n", APP_KEY)
    leaked = " | ".join(sorted(encodings(API_KEY + "\n") | encodings(APP_KEY) | {f"LocalProtocolError({API_KEY!r})"}))
    scan([credentials.redact(leaked)], (API_KEY + "\n", APP_KEY))


def test_no_command_or_format_prints_a_key(tmp_path: Path) -> None:
    outputs: list[str] = []
    with emulator_thread(db=tmp_path / "e.sqlite3") as server:
        repo = make_workspace(tmp_path, server.url)
        repo.env.update({"DD_API_KEY": API_KEY, "DD_APP_KEY": APP_KEY})

        def run(*args: str) -> None:
            result = repo.wac(*args)
            outputs.extend([result.output, result.stdout])

        for fmt in ("text", "github", "json"):
            run("validate", "--format", fmt)
        for fmt in ("text", "markdown", "json"):
            run("--debug", "plan", "--format", fmt, "--out", f"plan-{fmt}.json")
            outputs.append((repo.root / f"plan-{fmt}.json").read_text())
        run("--debug", "apply", "--auto-approve")
        for fmt in ("text", "markdown", "json"):
            run("--debug", "drift", "--format", fmt, "--unmanaged")
        run("--debug", "export", "--out", "exported")
        outputs.extend(p.read_text() for p in (repo.root / "exported").rglob("*.yaml"))
        run("apply", "--plan", "plan-json.json", "--auto-approve")  # stale now: refused
        (repo.widgets / "finops" / "aws-costs.yaml").unlink()
        run("apply", "--auto-approve", "--delete-limit", "0")  # refused by the guard
    scan(outputs)
    assert any("HTTP Request: GET" in text for text in outputs), "debug logging was on"


def test_failures_do_not_print_keys(tmp_path: Path) -> None:
    outputs: list[str] = []
    failing = EmulatorSettings(faults=(FaultRule("error", rate=1.0, methods=frozenset({"POST"}), status=500),))
    with emulator_thread(settings=failing) as server:
        repo = make_workspace(tmp_path, server.url)
        repo.env.update({"DD_API_KEY": API_KEY, "DD_APP_KEY": APP_KEY})
        result = repo.wac("--debug", "apply", "--auto-approve")
        assert result.exit_code == 1 and "failed" in result.output
        outputs.append(result.output)
    with emulator_thread(settings=EmulatorSettings(options={"api_keys": frozenset({"another"})})) as strict:
        repo.env["DD_SITE"] = strict.url
        forbidden = repo.wac("--debug", "plan")
        assert forbidden.exit_code == 1 and "403" in forbidden.output
        outputs.append(forbidden.output)
    for site in ("http://127.0.0.1:9", "http://10.1.2.3", "nonsense"):
        outputs.append(repo.wac("plan", "--site", site).output)
    scan(outputs)


def test_keys_are_sent_only_as_headers(tmp_path: Path) -> None:
    seen: list[httpx.Request] = []

    def remember(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"data": [], "included": [], "meta": {"filtered_total": 0}})

    import asyncio

    from reconciler.backends.datadog_widgets.client import WidgetsClient
    from reconciler.engine.runs import read_remote

    async def main() -> None:
        async with WidgetsClient(
            resolve_site("http://127.0.0.1:1"), API_KEY, APP_KEY, transport=httpx.MockTransport(remember)
        ) as client:
            await read_remote(backends_of(client), "default")

    asyncio.run(main())
    assert len(seen) == 4
    for request in seen:
        assert request.headers["DD-API-KEY"] == API_KEY and request.headers["DD-APPLICATION-KEY"] == APP_KEY
        assert API_KEY not in str(request.url) and APP_KEY not in str(request.url)


def test_non_loopback_sites_need_https() -> None:
    for url in ("http://10.0.0.5:8080", "http://example.com", "http://192.168.1.1"):
        try:
            resolve_site(url)
        except SiteError as exc:
            assert "use https" in str(exc)
        else:
            raise AssertionError(f"{url} was accepted")
    for url in ("http://127.0.0.1:8126", "http://localhost:1", "http://[::1]:2", "https://example.com"):
        assert resolve_site(url).base_url == url
