"""Servers that misbehave: every run ends in bounded time with one sentence naming the host, never a traceback."""

from __future__ import annotations

import copy
import time
from pathlib import Path
from typing import Any

import pytest

from tests.commands.helpers import make_workspace
from tests.hostile_servers import WIDGET, Answer, answering, json_answer, listing, silent


def _item(**changes: Any) -> dict[str, Any]:
    item = copy.deepcopy(WIDGET)
    for dotted, value in changes.items():
        node = item
        *parents, last = dotted.split("__")
        for name in parents:
            node = node[name]
        if value is ...:
            del node[last]
        else:
            node[last] = value
    return item


MALFORMED: dict[str, tuple[Answer, str]] = {
    "html-200": (
        (200, {"content-type": "text/html"}, b"<html>login</html>"),
        "answered HTTP 200 with a body that is not JSON (text/html)",
    ),
    "json-list": (json_answer([1, 2]), "answered with JSON that is not an object"),
    "no-data": (json_answer({"meta": {}}), "the answer has no `data` list"),
    "item-without-id": (listing(_item(id=...)), "data[0].id is missing or not a UUID"),
    "id-as-path": (listing(_item(id="../../v1/dashboard/x")), "data[0].id is missing or not a UUID"),
    "tags-not-text": (listing(_item(attributes__tags=[None, 5])), "data[0].attributes.tags is not a list of text"),
    "attributes-text": (listing(_item(attributes="oops")), "data[0].attributes is not an object"),
    "definition-list": (listing(_item(attributes__definition=[1])), "attributes.definition is not an object"),
    "relationships-text": (listing(_item(relationships="x")), "data[0].relationships is not an object"),
}


@pytest.mark.parametrize("case", sorted(MALFORMED))
def test_malformed_answers_are_one_sentence(tmp_path: Path, case: str) -> None:
    answer, expected = MALFORMED[case]
    with answering(lambda _method, _path: answer) as url:
        repo = make_workspace(tmp_path, url)
        result = repo.wac("plan")
    assert result.exit_code == 1
    assert expected in result.output
    assert "Traceback" not in result.output and len(result.output.strip().splitlines()) == 1


def test_odd_included_users_and_relationships_are_passed_over(tmp_path: Path) -> None:
    body = {
        "data": [_item(relationships={"modified_by": "x", "created_by": {"data": [1]}})],
        "meta": {"filtered_total": 1},
        "included": ["x", {"type": "users", "attributes": "y"}, None],
    }
    with answering(lambda _m, _p: json_answer(body)) as url:
        result = make_workspace(tmp_path, url).wac("drift", "--format", "json")
    assert result.exit_code == 2, result.output  # the manifests are missing remotely: drift, no traceback
    assert "Traceback" not in result.output


def test_a_silent_server_ends_the_run_naming_the_host(tmp_path: Path) -> None:
    with silent() as url:
        repo = make_workspace(tmp_path, url)
        started = time.monotonic()
        result = repo.wac("plan", "--timeout", "0.5")
        spent = time.monotonic() - started
    assert result.exit_code == 1
    assert "gave up on 127.0.0.1 after 2 attempt(s)" in result.output
    assert "no answer from 127.0.0.1 within 0.5 s" in result.output
    assert spent < 10, "two timeouts, not eight, and the queued requests are not sent"


def test_a_silent_server_fails_every_change_at_once_in_apply(tmp_path: Path) -> None:
    from reconciler.backends.policy import RetryPolicy

    # The default policy: a dead host ends a command within two minutes.
    policy = RetryPolicy()
    assert policy.silent_attempts * policy.timeout + policy.max_delay <= 120
    assert policy.deadline <= 120


def test_a_day_long_rate_limit_is_not_waited_out(tmp_path: Path) -> None:
    headers = {"x-ratelimit-limit": "100", "x-ratelimit-period": "86400", "x-ratelimit-reset": "86400"}
    refusal = json_answer({"errors": ["Too many requests"]}, 429, {**headers, "x-ratelimit-remaining": "0"})
    with answering(lambda _m, _p: refusal) as url:
        repo = make_workspace(tmp_path, url)
        started = time.monotonic()
        result = repo.wac("plan")
    assert result.exit_code == 1
    assert time.monotonic() - started < 10
    assert "127.0.0.1 is rate limiting this key (limit 100 requests per 86400 s)" in result.output
    assert "asks for a wait of 86400 s, more than the 60 s allowed" in result.output
    assert "--max-rate-wait" in result.output


def test_a_spent_window_far_away_is_not_waited_out(tmp_path: Path) -> None:
    spent = {"x-ratelimit-limit": "10", "x-ratelimit-period": "3600", "x-ratelimit-reset": "3000"}

    def answer(_method: str, _path: str) -> Answer:
        return json_answer({"data": [], "meta": {"filtered_total": 0}}, 200, {**spent, "x-ratelimit-remaining": "0"})

    with answering(answer) as url:
        result = make_workspace(tmp_path, url).wac("plan", "--max-rate-wait", "5")
    assert result.exit_code == 1
    assert "asks for a wait of 3000 s, more than the 5 s allowed" in result.output


def test_retries_are_told_one_line_each(tmp_path: Path) -> None:
    calls: list[str] = []

    def flaky(method: str, path: str) -> Answer:
        calls.append(path)
        if len(calls) <= 2:
            return json_answer({"errors": ["Service unavailable"]}, 503)
        return listing()

    with answering(flaky) as url:
        result = make_workspace(tmp_path, url).wac("plan")
    assert result.exit_code == 0, result.output
    retries = [line for line in result.stderr.splitlines() if "; retry " in line]
    assert len(retries) == 2 and "HTTP 503: Service unavailable; retry 1 of 7 in" in retries[0]


def test_a_refused_connection_names_the_host(tmp_path: Path) -> None:
    from reconciler.backends.emulator_server import free_port

    result = make_workspace(tmp_path, f"http://127.0.0.1:{free_port()}").wac("plan")
    assert result.exit_code == 1
    assert "could not connect to 127.0.0.1 (ConnectError)" in result.output
