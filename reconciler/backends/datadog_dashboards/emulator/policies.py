"""`/api/v2/restriction_policy/{resource_id}`: who may edit or view a resource (any `<type>:<id>`), as the
recordings answer, and the check a dashboard write must pass while its policy names editors."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from typing import Any, Final

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from reconciler.backends.datadog_dashboards.emulator.store import DashboardStore, Document
from reconciler.backends.emulation.principals import ORG, editors, may_edit, principals_of

__all__ = ["ORG", "ROOT", "PoliciesApi", "bindings_errors", "editors", "principals_of"]

ROOT: Final = "/api/v2/restriction_policy"
# `<type>:<id>`; the path's colon may come percent-encoded (the server decodes the path first).
RESOURCE: Final = re.compile(r"^(?P<type>[a-z][a-z_-]{0,40}):(?P<id>[A-Za-z0-9._:-]{1,200})$")
PRINCIPAL: Final = re.compile(r"^(role|team|user|org):[0-9a-fA-F-]{1,64}$")
RELATIONS: Final = ("viewer", "editor")
# Resource types whose policy only their editors may change (once it names some), as their own writes.
GUARDED: Final = ("dashboard", "powerpack")


def _error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"errors": [message]}, status_code=status)


def _answer(resource_id: str, bindings: list[Document]) -> JSONResponse:
    attributes = {"bindings": [{"relation": b["relation"], "principals": b["principals"]} for b in bindings]}
    return JSONResponse({"data": {"type": "restriction_policy", "id": resource_id, "attributes": attributes}})


def bindings_errors(body: Any, resource_id: str) -> str | None:
    """Why Datadog would refuse this policy (400), or None."""
    data = body.get("data") if isinstance(body, dict) else None
    attributes = data.get("attributes") if isinstance(data, dict) else None
    bindings = attributes.get("bindings") if isinstance(attributes, dict) else None
    if not isinstance(data, dict) or data.get("type") != "restriction_policy" or not isinstance(bindings, list):
        return "Invalid request: 'data' must be a restriction_policy with a list of bindings"
    if data.get("id") not in (None, resource_id):
        return f"Invalid request: the policy's id '{str(data.get('id'))[:80]}' is not the resource {resource_id}"
    return next((problem for problem in map(_binding_error, bindings) if problem), None)


def _binding_error(binding: Any) -> str | None:
    relation = binding.get("relation") if isinstance(binding, dict) else None
    principals = binding.get("principals") if isinstance(binding, dict) else None
    if relation not in RELATIONS:
        return f"Invalid relation: '{str(relation)[:40]}' is not one of {', '.join(RELATIONS)}"
    named = principals if isinstance(principals, list) else [None]
    if not all(isinstance(p, str) and PRINCIPAL.fullmatch(p) for p in named):
        return "Invalid principals: each must be role:, team:, user: or org: and an id"
    return None


class PoliciesApi:
    """Get, replace and delete a resource's policy; `allowed` says whether a caller may write a dashboard."""

    def __init__(self, store: DashboardStore, principals: Mapping[str, Sequence[str]]) -> None:
        self.store = store
        self.principals = principals

    def allowed(self, request: Request, dashboard_id: str) -> bool:
        """False when the dashboard's policy names editors and the caller is none of them."""
        return self._may_write(request, f"dashboard:{dashboard_id}")

    def _may_write(self, request: Request, resource_id: str) -> bool:
        app_key = request.headers.get("dd-application-key", "")
        return may_edit(self.store.policy(resource_id), app_key, self.principals)

    async def item(self, request: Request) -> Response:
        resource_id = request.path_params["resource_id"]
        found = RESOURCE.fullmatch(resource_id)
        if found is None:
            return _error(400, f"Invalid resource: '{resource_id[:200]}' is not in a valid format")
        if request.method == "GET":
            return _answer(resource_id, self.store.policy(resource_id))
        if found["type"] in GUARDED and not self._may_write(request, resource_id):
            return _error(403, "Forbidden: you are not an editor of this resource")
        if request.method == "DELETE":
            self.store.drop_policy(resource_id)
            return Response(status_code=204, media_type="application/json")
        try:
            body = json.loads(await request.body())
        except (ValueError, RecursionError):
            body = None
        problem = bindings_errors(body, resource_id)
        if problem is not None:
            return _error(400, problem)
        bindings = [b for b in body["data"]["attributes"]["bindings"] if b["principals"]]
        self.store.put_policy(resource_id, bindings)
        return _answer(resource_id, bindings)
