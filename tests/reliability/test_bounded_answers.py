"""Answers are read within bounds: a size limit, a deadline for the whole exchange, a cap on pages.

Each hostile server here once grew a run to gigabytes or kept it asking for minutes; now each run ends
in seconds with one sentence naming the host, the limit and the setting, and never a traceback.
"""

from __future__ import annotations

import itertools
import os
import resource
import subprocess
import sys
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from tests.commands.helpers import make_workspace
from tests.hostile_servers import WIDGET, Answer, SpaceOneList, answering, dense, endless, json_answer, streaming
from tests.spaceone_widgets.test_reconcile import BUDGET

MIB = 2**20
GIB = 2**30
ROOT = Path(__file__).resolve().parents[2]


def _error_lines(output: str) -> list[str]:
    return [line for line in output.splitlines() if line.startswith("Error: ")]


def _one_sentence(output: str) -> str:
    """The run's only line, which must be its error."""
    assert "Traceback" not in output and "MemoryError" not in output, output
    lines = output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), output
    return lines[0]


def _plan(tmp_path: Path, url: str, *args: str) -> tuple[Any, float]:
    repo = make_workspace(tmp_path, url)
    started = time.monotonic()
    result = repo.wac("plan", *args)
    return result, time.monotonic() - started


def test_an_endless_body_ends_at_the_size_limit(tmp_path: Path) -> None:
    with streaming(endless()) as url:
        result, spent = _plan(tmp_path, url, "--max-response-mb", "1", "--timeout", "5")
    assert result.exit_code == 1
    sentence = _one_sentence(result.output)
    assert "127.0.0.1 sent an answer larger than 1 MiB (the limit); nothing was planned from it" in sentence
    assert "Raise it with --max-response-mb if that is expected" in sentence
    assert spent < 5, "the limit ends the read, not the timeout"


def test_a_huge_content_length_is_refused_unread(tmp_path: Path) -> None:
    with streaming(endless(), headers={"content-length": str(1_500_000_000)}) as url:
        result, spent = _plan(tmp_path, url, "--timeout", "5")
    assert result.exit_code == 1
    sentence = _one_sentence(result.output)
    assert "127.0.0.1 sent an answer of 1,431 MiB (Content-Length), more than 64 MiB (the limit)" in sentence
    assert "--max-response-mb" in sentence
    assert spent < 5


def test_a_large_valid_body_is_refused_at_the_limit(tmp_path: Path) -> None:
    with streaming(dense(3 * MIB)) as url:
        result, _ = _plan(tmp_path, url, "--max-response-mb", "1")
    assert result.exit_code == 1
    assert "127.0.0.1 sent an answer larger than 1 MiB (the limit)" in _one_sentence(result.output)


def test_a_body_too_dense_to_decode_is_refused_before_decoding(tmp_path: Path) -> None:
    # 0.9 MiB of `{},`: within the size limit, but 25 times that once decoded.
    with streaming(dense(900 * 1024)) as url:
        result, _ = _plan(tmp_path, url, "--max-response-mb", "1")
    assert result.exit_code == 1
    sentence = _one_sentence(result.output)
    assert "127.0.0.1 sent an answer of 0.8583 MiB holding up to 600,005 JSON values" in sentence
    assert "more than the 32,768 that 1 MiB (the limit) allows" in sentence
    assert "--max-response-mb" in sentence


def test_a_body_within_the_limit_is_read(tmp_path: Path) -> None:
    listing = b'{"data":[],"meta":{"filtered_total":0},"included":[]}'
    with streaming(lambda: [listing[:10], listing[10:]]) as url:
        result, _ = _plan(tmp_path, url, "--max-response-mb", "1")
    assert result.exit_code == 0, result.output


def test_a_trickling_body_ends_at_the_timeout_and_says_so(tmp_path: Path) -> None:
    with streaming(endless(b"{},"), pause=0.05) as url:
        result, spent = _plan(tmp_path, url, "--timeout", "0.5")
    assert result.exit_code == 1
    [sentence] = _error_lines(result.output)
    assert "gave up on 127.0.0.1 after 2 attempt(s)" in sentence
    assert "127.0.0.1 began an answer (HTTP 200) but its body did not finish within 0.5 s" in sentence
    assert "no answer" not in sentence
    assert "Traceback" not in result.output
    assert spent < 10, "the timeout bounds the whole exchange, body included"


def _limited_to_1_gib() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (GIB, GIB))


HOSTILE: dict[str, tuple[Callable[[], Iterable[bytes]], str]] = {
    # Read whole, these once grew a run by gigabytes: an endless body, and a valid one that decodes
    # to 25 times its size.
    "endless": (endless(), "127.0.0.1 sent an answer larger than 64 MiB (the limit)"),
    "dense": (dense(60 * MIB), "JSON values, more than the 2,097,152 that 64 MiB (the limit) allows"),
}


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_memory_stays_under_1_gib_with_the_default_limit(tmp_path: Path, case: str) -> None:
    parts, expected = HOSTILE[case]
    with streaming(parts) as url:
        repo = make_workspace(tmp_path, url)
        process = subprocess.run(
            [sys.executable, "-m", "reconciler", "plan", "--timeout", "20"],
            cwd=repo.root,
            env={**os.environ, **repo.env, "PYTHONPATH": str(ROOT)},
            preexec_fn=_limited_to_1_gib,
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert process.returncode == 1, process.stderr
    assert expected in _one_sentence(process.stderr)
    assert process.stdout == ""


def _spaceone_plan(tmp_path: Path, url: str) -> Any:
    repo = make_workspace(tmp_path, url, copy_examples=False)
    repo.widgets.mkdir()
    (repo.widgets / "budget.yaml").write_text(BUDGET)
    # Only SpaceONE talks to the hostile server: Datadog has no keys for its real site, so it is not read.
    env: dict[str, str | None] = {
        "SPACEONE_ENDPOINT": url,
        "SPACEONE_TOKEN": "hostile-test-token",
        "SPACEONE_DOMAIN_ID": "domain-1",
        "DD_SITE": "datadoghq.com",
        "DD_API_KEY": None,
        "DD_APP_KEY": None,
    }
    return repo.wac("plan", "--timeout", "5", env=env)


@pytest.mark.parametrize("total", [10**12, 10**8, 1_000_001])
def test_a_vast_total_count_ends_the_run_after_one_request(tmp_path: Path, total: int) -> None:
    server = SpaceOneList(total)
    with answering(server) as url:
        started = time.monotonic()
        result = _spaceone_plan(tmp_path, url)
    assert result.exit_code == 1
    sentence = _one_sentence(result.output)
    assert f"127.0.0.1 counts {total:,} custom widgets (total_count)" in sentence
    assert "more than the 1,000,000 (1,000 pages) a listing reads (the limit)" in sentence
    assert "--spaceone-endpoint" in sentence
    assert server.requests == 1
    assert time.monotonic() - started < 5


@pytest.mark.parametrize("total", [-1, "12", True, 1.5, [1]])
def test_a_total_count_that_is_not_a_count_ends_the_run(tmp_path: Path, total: Any) -> None:
    with answering(SpaceOneList(total)) as url:
        result = _spaceone_plan(tmp_path, url)
    assert result.exit_code == 1
    assert "total_count from 127.0.0.1 is not a count of widgets" in _one_sentence(result.output)


def test_an_empty_first_page_under_a_large_total_asks_no_more(tmp_path: Path) -> None:
    server = SpaceOneList(100_000)
    with answering(server) as url:
        result = _spaceone_plan(tmp_path, url)
    assert result.exit_code == 0, result.output
    assert "the listing returned 0 widgets but the API counts 100000" in result.output
    assert "nothing is deleted until a complete listing is seen" in result.output
    # Two listings of one page each: the owner's widgets, then the lookup of the one the plan would create.
    assert server.requests == 2


def test_pages_that_run_out_early_stop_the_listing(tmp_path: Path) -> None:
    # A full first page, then nothing, under a total of 999 pages: the pages still in flight finish,
    # no more are asked for, and the listing is incomplete.
    server = SpaceOneList(999_000, held=1000)
    with answering(server) as url:
        result = _spaceone_plan(tmp_path, url)
    assert result.exit_code == 0, result.output
    assert "the listing returned 1000 widgets but the API counts 999000" in result.output
    # The owner's listing: its first page, then at most --parallelism (16) more, none after an empty one;
    # then the one-page lookup of the widget the plan would create.
    assert 3 <= server.requests <= 1 + 16 + 1


class _DatadogSearch:
    """A widgets search claiming `total`: every listing's first page is full (unless `total` is 0), the rest
    empty; `requests` records each path asked for."""

    def __init__(self, total: Any) -> None:
        self.total = total
        self.requests: list[str] = []

    def __call__(self, _method: str, path: str) -> Answer:
        self.requests.append(path)
        first = "page%5Bnumber%5D=0" in path
        # Nobody's widgets (no owner tag): only the counts matter here.
        attributes = {**WIDGET["attributes"], "tags": []}
        count = 100 if first and self.total else 0
        items = [{**WIDGET, "id": f"0b5e5a52-9c6c-4c0e-9d3e-{n:012x}", "attributes": attributes} for n in range(count)]
        return json_answer({"data": items, "meta": {"filtered_total": self.total}, "included": []})


def test_a_vast_filtered_total_ends_the_run_before_more_pages(tmp_path: Path) -> None:
    server = _DatadogSearch(10**12)
    with answering(server) as url:
        result, spent = _plan(tmp_path, url)
    assert result.exit_code == 1
    sentence = _one_sentence(result.output)
    assert "127.0.0.1 counts 1,000,000,000,000 widgets (meta.filtered_total)" in sentence
    assert "more than the 1,000,000 (10,000 pages) a listing reads (the limit)" in sentence
    assert "--site" in sentence
    assert all("page%5Bnumber%5D=0" in path for path in server.requests), "no page past the first"
    assert spent < 5


def test_a_negative_filtered_total_ends_the_run(tmp_path: Path) -> None:
    with answering(_DatadogSearch(-5)) as url:
        result, _ = _plan(tmp_path, url)
    assert result.exit_code == 1
    assert "meta.filtered_total from 127.0.0.1 is not a count of widgets" in _one_sentence(result.output)


def test_datadog_pages_that_run_out_early_stop_the_listing(tmp_path: Path) -> None:
    server = _DatadogSearch(999_900)
    with answering(server) as url:
        result, spent = _plan(tmp_path, url)
    assert result.exit_code == 0, result.output
    assert "the listing returned 100 widgets but the API counts 999900" in result.output
    # Every listing (the owner's per experience type, then a lookup per widget the plan would create)
    # asks at most --parallelism (16) pages past its first, none after an empty one.
    pages = [int(parse_qs(urlsplit(path).query)["page[number]"][0]) for path in server.requests]
    assert max(pages) <= 16
    assert len(pages) <= pages.count(0) * (1 + 16)
    assert spent < 10


def test_a_success_is_decoded_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Counted, not replaced: httpx still decodes every body.
    decoded = itertools.count()
    original = httpx.Response.json

    def counted(self: httpx.Response, **kwargs: Any) -> Any:
        next(decoded)
        return original(self, **kwargs)

    monkeypatch.setattr(httpx.Response, "json", counted)
    server = _DatadogSearch(0)
    with answering(server) as url:
        result, _ = _plan(tmp_path, url)
    assert result.exit_code == 0, result.output
    assert next(decoded) == len(server.requests)


def test_many_answers_each_under_the_limit_end_at_the_runs_budget(tmp_path: Path) -> None:
    """Decoded pages are kept until a listing ends: answers just under the limit cannot add up without end."""
    filler = "x" * 900
    widget = {**WIDGET, "attributes": {**WIDGET["attributes"], "definition": {"type": "note", "title": filler}}}
    requests: list[str] = []

    def page(_method: str, path: str) -> Answer:
        requests.append(path)
        items = [{**widget, "id": f"0b5e5a52-9c6c-4c0e-9d3e-{n:012x}"} for n in range(100)] * 5
        return json_answer({"data": items, "meta": {"filtered_total": 50_000}, "included": []})

    with answering(page) as url:
        result, _ = _plan(tmp_path, url, "--max-response-mb", "1")
    assert result.exit_code == 1
    sentence = _one_sentence(result.output)
    assert "127.0.0.1 sent more than 4 MiB in all during this run (4 times 1 MiB, the limit of one answer)" in sentence
    assert "--max-response-mb" in sentence
    assert len(requests) < 40
