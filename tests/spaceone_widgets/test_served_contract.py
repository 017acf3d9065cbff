"""The seed doc's contract against `wac emulator` over loopback, with plain httpx calls: both APIs on one port,
the errors and Query as python-core 1.12 serves them."""

from __future__ import annotations

import json
from pathlib import Path

import httpx

from reconciler.backends.emulator_server import emulator_process
from tests.conftest import ALICE, widget_body


def test_one_port_serves_the_seed_docs_six_verbs_beside_datadogs_widgets(tmp_path: Path) -> None:
    tokens = tmp_path / "tokens.json"
    tokens.write_text(json.dumps({"t-1": {"user_id": "jane@example.com", "domain_id": "domain-1"}}))
    with emulator_process(tmp_path / "state.sqlite3", "--spaceone-tokens", str(tokens)) as url:
        bearer = {"Authorization": "Bearer t-1"}
        base = f"{url}/dashboard/v1/custom-widget"
        made = httpx.post(
            f"{base}/create",
            headers=bearer,
            json={"widget_name": "costTrend", "title": "Cost", "options": {}, "domain_id": "domain-1"},
        ).json()
        assert made["user_id"] == "jane@example.com"
        ident = {"custom_widget_id": made["custom_widget_id"], "domain_id": "domain-1"}
        assert (
            httpx.post(f"{base}/update", headers=bearer, json={**ident, "title": "Cost 2"}).json()["title"] == "Cost 2"
        )
        assert httpx.post(f"{base}/get", headers=bearer, json=ident).json()["title"] == "Cost 2"
        listed = httpx.post(f"{base}/list", headers=bearer, json={"domain_id": "domain-1", "query": {}}).json()
        assert listed["total_count"] == 1
        # python-core 1.12's Query: keyword words in any keyword field, a sort over several keys.
        query = {"keyword": "nothing cost", "sort": {"keys": [{"key": "widget_name"}, {"key": "title", "desc": True}]}}
        found = httpx.post(f"{base}/list", headers=bearer, json={"domain_id": "domain-1", "query": query}).json()
        assert [w["title"] for w in found["results"]] == ["Cost 2"]
        stat = {"domain_id": "domain-1", "query": {"aggregate": [{"count": {"name": "n"}}]}}
        assert httpx.post(f"{base}/stat", headers=bearer, json=stat).json() == {"results": [{"n": 1}]}
        assert httpx.post(f"{base}/delete", headers=bearer, json=ident).json() == {}
        gone = httpx.post(f"{base}/get", headers=bearer, json=ident)
        assert gone.status_code == 404 and gone.json()["detail"]["code"] == "ERROR_NOT_FOUND"
        assert (
            httpx.post(
                f"{base}/list", headers={"Authorization": "Bearer nope"}, json={"domain_id": "domain-1"}
            ).status_code
            == 401
        )
        # The same port, the same state file: Datadog's widgets API answers beside it.
        created = httpx.post(f"{url}/api/v2/widgets/ccm_reports", headers=ALICE, json=widget_body())
        assert created.status_code == 200
        assert httpx.get(f"{url}/_emulator/stats").json()["requests"] >= 8
