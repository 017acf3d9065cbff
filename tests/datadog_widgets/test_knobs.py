"""Knobs for tests and benchmarks: added latency, Datadog-style rate limits, injected faults."""

from __future__ import annotations

import httpx
import pytest

from reconciler.backends.emulation.settings import EmulatorSettings, FaultRule, RateLimit
from reconciler.backends.emulator_server import emulator_thread
from tests.conftest import ALICE, widget_body

BASE = "/api/v2/widgets/ccm_reports"
HEADERS = ("X-RateLimit-Limit", "X-RateLimit-Period", "X-RateLimit-Remaining", "X-RateLimit-Reset", "X-RateLimit-Name")


def test_rate_limit_answers_429_with_datadog_headers() -> None:
    with (
        emulator_thread(settings=EmulatorSettings(rate_limit=RateLimit(limit=5, period=60))) as running,
        httpx.Client(base_url=running.url, headers=ALICE) as client,
    ):
        responses = [client.get(BASE) for _ in range(8)]
        statuses = [r.status_code for r in responses]
        assert statuses == [200] * 5 + [429] * 3
        assert [r.headers["X-RateLimit-Remaining"] for r in responses[:5]] == ["4", "3", "2", "1", "0"]
        refused = responses[-1]
        assert refused.json() == {"errors": ["Too many requests"]}
        for header in HEADERS:
            assert header in refused.headers
        assert refused.headers["X-RateLimit-Limit"] == "5"
        assert refused.headers["X-RateLimit-Period"] == "60"
        assert 1 <= int(refused.headers["X-RateLimit-Reset"]) <= 60
        assert running.stats.max_admitted_per_window == 5


def test_rate_limit_window_resets() -> None:
    with (
        emulator_thread(settings=EmulatorSettings(rate_limit=RateLimit(limit=2, period=2.0))) as running,
        httpx.Client(base_url=running.url, headers=ALICE) as client,
    ):
        import time

        # Windows are fixed to the clock, so the first requests may straddle a boundary: at most
        # two windows' worth pass before the refusal.
        answers = []
        while len(answers) < 10 and (not answers or answers[-1].status_code != 429):
            answers.append(client.get(BASE))
        assert answers[-1].status_code == 429 and len(answers) <= 2 * 2 + 1
        assert answers[-1].headers["x-ratelimit-remaining"] == "0"
        time.sleep(float(answers[-1].headers["x-ratelimit-reset"]) + 0.05)
        assert client.get(BASE).status_code == 200


def test_error_fault_answers_5xx_without_doing_the_work() -> None:
    settings = EmulatorSettings(faults=(FaultRule("error", rate=1.0, methods=frozenset({"POST"}), status=502),))
    with emulator_thread(settings=settings) as running, httpx.Client(base_url=running.url, headers=ALICE) as client:
        response = client.post(BASE, json=widget_body())
        assert response.status_code == 502
        assert "errors" in response.json()
        assert client.get(BASE).json()["meta"]["filtered_total"] == 0
        assert running.stats.faults["error"] == 1


def test_lost_response_commits_the_write_then_drops_the_connection() -> None:
    settings = EmulatorSettings(faults=(FaultRule("lost_response", rate=1.0, methods=frozenset({"POST"})),))
    with emulator_thread(settings=settings) as running, httpx.Client(base_url=running.url, headers=ALICE) as client:
        with pytest.raises(httpx.TransportError):
            client.post(BASE, json=widget_body("Ghost"))
        listed = client.get(BASE).json()
        assert [w["attributes"]["definition"]["title"] for w in listed["data"]] == ["Ghost"]


def test_lost_response_can_answer_a_gateway_error_instead() -> None:
    rule = FaultRule("lost_response", rate=1.0, methods=frozenset({"PUT"}), status=504)
    with (
        emulator_thread(settings=EmulatorSettings(faults=(rule,))) as running,
        httpx.Client(base_url=running.url, headers=ALICE) as client,
    ):
        widget_id = client.post(BASE, json=widget_body("Before")).json()["data"]["id"]
        assert client.put(f"{BASE}/{widget_id}", json=widget_body("After")).status_code == 504
        assert client.get(f"{BASE}/{widget_id}").json()["data"]["attributes"]["definition"]["title"] == "After"


def test_drop_closes_the_connection_without_doing_the_work() -> None:
    settings = EmulatorSettings(faults=(FaultRule("drop", rate=1.0, methods=frozenset({"POST"})),))
    with emulator_thread(settings=settings) as running, httpx.Client(base_url=running.url, headers=ALICE) as client:
        with pytest.raises(httpx.TransportError):
            client.post(BASE, json=widget_body())
        assert client.get(BASE).json()["meta"]["filtered_total"] == 0


def test_slow_fault_exceeds_a_client_timeout() -> None:
    settings = EmulatorSettings(faults=(FaultRule("slow", rate=1.0, seconds=0.5),))
    with (
        emulator_thread(settings=settings) as running,
        httpx.Client(base_url=running.url, headers=ALICE, timeout=0.1) as client,
        pytest.raises(httpx.TimeoutException),
    ):
        client.get(BASE)


def test_fault_rate_is_a_seeded_share() -> None:
    settings = EmulatorSettings(faults=(FaultRule("error", rate=0.3, status=503),), seed=7)
    with emulator_thread(settings=settings) as running, httpx.Client(base_url=running.url, headers=ALICE) as client:
        statuses = [client.get(BASE).status_code for _ in range(200)]
    assert 30 <= statuses.count(503) <= 90
    assert set(statuses) == {200, 503}


def test_latency_is_added_and_knobs_are_off_by_default() -> None:
    with emulator_thread() as plain, httpx.Client(base_url=plain.url, headers=ALICE) as client:
        response = client.get(BASE)
        assert "X-RateLimit-Limit" not in response.headers
        assert plain.stats.as_dict()["faults"] == {}
    with (
        emulator_thread(settings=EmulatorSettings(latency=0.05)) as slow,
        httpx.Client(base_url=slow.url, headers=ALICE) as client,
    ):
        assert client.get(BASE).elapsed.total_seconds() >= 0.05


def test_latency_holds_every_answer_and_a_slow_fault_adds_to_it() -> None:
    """The answer leaves no sooner than the latency after its request arrived, whatever it is (a refusal, an
    error); a slow fault comes on top of it. Lower bounds only: a busy machine can only add."""
    settings = EmulatorSettings(
        latency=0.05, rate_limit=RateLimit(limit=1, period=60.0), faults=(FaultRule("slow", rate=1.0, seconds=0.1),)
    )
    with emulator_thread(settings=settings) as running, httpx.Client(base_url=running.url, headers=ALICE) as client:
        slowed = client.get(BASE)
        refused = client.get(BASE)
    assert slowed.status_code == 200 and slowed.elapsed.total_seconds() >= 0.15
    assert refused.status_code == 429 and refused.elapsed.total_seconds() >= 0.05


def test_stats_count_api_requests_only() -> None:
    with emulator_thread() as running, httpx.Client(base_url=running.url, headers=ALICE) as client:
        client.post(BASE, json=widget_body())
        client.get(BASE)
        client.get(BASE, headers={"DD-APPLICATION-KEY": ""})
        stats = client.get("/_emulator/stats").json()
    assert stats["requests"] == 3
    assert stats["by_method"] == {"POST": 1, "GET": 2}
    assert stats["by_status"] == {"200": 2, "403": 1}


def test_served_sockets_are_tcp_so_nagle_is_off() -> None:
    # asyncio disables Nagle's algorithm only on sockets made with IPPROTO_TCP; without it every
    # answer waited ~40 ms for a delayed ACK (caught by benchmarks/bench_reconcile).
    import socket

    from reconciler.backends.emulation.serving import listen

    listener = listen("127.0.0.1", 0)
    try:
        assert listener.proto == socket.IPPROTO_TCP
    finally:
        listener.close()
