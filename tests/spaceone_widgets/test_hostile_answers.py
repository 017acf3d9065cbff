"""Every byte SpaceONE returns is checked before use: a malformed answer is one sentence, nothing applied."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.commands.helpers import make_workspace
from tests.hostile_servers import Answer, answering
from tests.spaceone_widgets.test_reconcile import BUDGET

TOKEN = "hostile-test-token-9f8e7d6c"


def _json(body: Any, status: int = 200) -> Answer:
    return status, {"content-type": "application/json"}, json.dumps(body).encode()


WIDGET = {"custom_widget_id": "custom-widget-0a1b2c3d4e5f", "widget_name": "w", "title": "t", "tags": {}}
MALFORMED: dict[str, tuple[Answer, str]] = {
    "no-results": (_json({"total_count": 1}), "list page 1: the answer has no `results` list"),
    "id-as-path": (
        _json({"results": [{**WIDGET, "custom_widget_id": "../../identity/v1/token"}], "total_count": 1}),
        "results[0].custom_widget_id is missing or not a custom widget id",
    ),
    "tags-not-a-mapping": (
        _json({"results": [{**WIDGET, "tags": ["a"]}], "total_count": 1}),
        "results[0].tags is not an object",
    ),
    "labels-not-text": (
        _json({"results": [{**WIDGET, "labels": [1]}], "total_count": 1}),
        "results[0].labels is not a list of text",
    ),
    "not-json": ((200, {"content-type": "text/html"}, b"<html>login</html>"), "a body that is not JSON"),
    "unauthenticated": (
        _json({"detail": {"code": "ERROR_AUTHENTICATE_FAILURE", "message": "Authenticate failure."}}, 401),
        "ERROR_AUTHENTICATE_FAILURE",
    ),
}


@pytest.mark.parametrize("case", sorted(MALFORMED))
def test_a_malformed_answer_is_one_sentence(tmp_path: Path, case: str) -> None:
    answer, expected = MALFORMED[case]
    with answering(lambda _method, _path: answer) as url:
        repo = make_workspace(tmp_path, url, copy_examples=False)
        repo.widgets.mkdir()
        (repo.widgets / "budget.yaml").write_text(BUDGET)
        # Only SpaceONE talks to the hostile server: Datadog has no keys for its real site, so it is not read.
        env: dict[str, str | None] = {
            "SPACEONE_ENDPOINT": url,
            "SPACEONE_TOKEN": TOKEN,
            "SPACEONE_DOMAIN_ID": "domain-1",
        }
        env |= {"DD_SITE": "datadoghq.com", "DD_API_KEY": None, "DD_APP_KEY": None}
        result = repo.wac("plan", env=env)
    assert result.exit_code == 1, result.output
    assert expected in result.output, result.output
    assert "Traceback" not in result.output and TOKEN not in result.output
