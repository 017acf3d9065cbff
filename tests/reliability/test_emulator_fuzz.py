"""Fuzzing the emulator: no request, however malformed, gets a 500; every error has the documented shape."""

from __future__ import annotations

import asyncio
import json
import uuid
from typing import Any
from urllib.parse import quote

import httpx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reconciler.backends.datadog_widgets.emulator.app import create_app
from reconciler.backends.datadog_widgets.vocabulary import EXPERIENCE_TYPES, WIDGET_TYPES
from tests.budget import examples
from tests.conftest import ALICE

APP, STATS = create_app()


def call(method: str, path: str, **kwargs: Any) -> httpx.Response:
    """One request through httpx's ASGI transport; an exception inside the app is raised here."""

    async def send() -> httpx.Response:
        transport = httpx.ASGITransport(app=APP)
        async with httpx.AsyncClient(transport=transport, base_url="http://emulator") as client:
            return await client.request(method, path, **kwargs)

    return asyncio.run(send())


SEED = call(
    "POST",
    "/api/v2/widgets/ccm_reports",
    headers=ALICE,
    json={"data": {"type": "widgets", "attributes": {"definition": {"title": "Seed", "type": "toplist"}}}},
).json()["data"]["id"]

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=30),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=20,
)
definitions = st.fixed_dictionaries(
    {},
    optional={
        "title": st.one_of(st.text(max_size=120), json_values),
        "type": st.one_of(st.sampled_from(WIDGET_TYPES), json_values),
        "requests": json_values,
    },
)
bodies = st.one_of(
    st.binary(max_size=200),
    json_values.map(lambda v: json.dumps(v).encode()),
    st.sampled_from([b'{"data": NaN}', b'{"data": {"type": "widgets", "attributes": {"definition": Infinity}}}']),
    st.builds(
        lambda kind, definition, tags, extra: json.dumps(
            {"data": {"type": kind, "attributes": {"definition": definition, "tags": tags, **extra}}}
        ).encode(),
        st.one_of(st.just("widgets"), json_values),
        st.one_of(definitions, json_values),
        st.one_of(st.lists(st.text(max_size=20), max_size=5), json_values),
        st.dictionaries(st.text(max_size=8), json_values, max_size=2),
    ),
)
segments = st.one_of(st.sampled_from(EXPERIENCE_TYPES), st.text(min_size=1, max_size=20).filter(lambda s: "/" not in s))
ids = st.one_of(st.just(SEED), st.uuids().map(str), st.text(min_size=1, max_size=40).filter(lambda s: "/" not in s))
params = st.dictionaries(
    st.sampled_from(
        [
            "filter[widgetType]",
            "filter[creatorHandle]",
            "filter[isFavorited]",
            "filter[title]",
            "filter[tags]",
            "sort",
            "page[number]",
            "page[size]",
            "other",
        ]
    ),
    st.text(max_size=25),
    max_size=5,
)
headers = st.sampled_from([ALICE, {}, {"DD-API-KEY": "k"}, {**ALICE, "Content-Type": "text/plain"}])


def check(response: Any) -> None:
    assert response.status_code < 500, response.text
    if response.status_code >= 400:
        body = response.json()
        assert isinstance(body["errors"], list) and all(isinstance(e, str) for e in body["errors"])


@settings(max_examples=examples(ci=120, nightly=400), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    method=st.sampled_from(["GET", "POST", "PUT", "DELETE", "PATCH"]),
    kind=segments,
    widget=st.none() | ids,
    query=params,
    body=bodies,
    auth=headers,
)
def test_no_request_gets_a_500(
    method: str, kind: str, widget: str | None, query: dict[str, str], body: bytes, auth: dict[str, str]
) -> None:
    path = f"/api/v2/widgets/{quote(kind, safe='')}" + (f"/{quote(widget, safe='')}" if widget is not None else "")
    check(call(method, path, params=query, content=body, headers=auth))


@settings(max_examples=examples(ci=60, nightly=200), deadline=None)
@given(definition=definitions, tags=st.lists(st.text(max_size=20), max_size=4))
def test_accepted_writes_read_back_verbatim(definition: dict[str, Any], tags: list[str]) -> None:
    body = {"data": {"type": "widgets", "attributes": {"definition": definition, "tags": tags}}}
    response = call("POST", "/api/v2/widgets/logs_reports", headers=ALICE, json=body)
    check(response)
    if response.status_code == 200:
        widget_id = response.json()["data"]["id"]
        uuid.UUID(widget_id)
        stored = call("GET", f"/api/v2/widgets/logs_reports/{widget_id}", headers=ALICE).json()["data"]
        assert stored["attributes"]["definition"] == definition
        assert stored["attributes"]["tags"] == tags
