"""Datadog restriction policies (`/api/v2/restriction_policy/{type}:{id}`), shared by every kind that can be
locked: the request paths, the principals a manifest may name, the bindings codec and the CI identity.

A policy maps relations (`editor`, `viewer`) to principals (`role:`, `team:`, `user:` or `org:` and a UUID).
It has no free text, so its ownership is always its resource's marker; nothing here decides ownership.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Final
from urllib.parse import quote

from reconciler.core.backend import BackendError
from reconciler.core.resources import Caution, Claims, Desired, Remote, User

if TYPE_CHECKING:
    # Only for types: a manifest's principals are checked without loading an HTTP client.
    from reconciler.backends.datadog_http import DatadogClient

POLICY_ROOT: Final = "/api/v2/restriction_policy"
PRINCIPAL_TYPES: Final = ("role", "team", "user", "org")
PRINCIPAL: Final = re.compile(r"^(role|team|user|org):[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
# A manifest's block names who may edit and who may view; Datadog's relations for dashboards and powerpacks.
RELATIONS: Final = {"editors": "editor", "viewers": "viewer"}
# More principals than any organisation's policy holds: an answer beyond it is not trusted.
MAX_PRINCIPALS: Final = 1_000
MALFORMED: Final = "the API's answer is malformed, so nothing was planned from it"
# Where wac learns which principals its own key acts as (Datadog's public API has no "who am I" for an
# application key that names its roles and teams): a comma-separated list, or `.wac.yaml`'s setting.
IDENTITY_VARIABLE: Final = "WAC_DATADOG_PRINCIPALS"
IDENTITY_SETTING: Final = "datadog.principals"

Permissions = dict[str, list[str]]
"""`{"editors": [...], "viewers": [...]}`, each sorted: a policy as compared."""


def principal_problem(value: Any) -> str | None:
    """Why `value` is not a principal a policy may name, or None."""
    if not isinstance(value, str) or not PRINCIPAL.fullmatch(value):
        shown = value[:80] if isinstance(value, str) else type(value).__name__
        return (
            f"'{shown}' is not a principal; name one as `role:<uuid>`, `team:<uuid>`, `user:<uuid>` or"
            " `org:<uuid>` (lowercase UUID)"
        )
    return None


def checked_principals(values: Sequence[str]) -> list[str]:
    """The principals, each valid and none twice; ValueError with the first problem."""
    seen: set[str] = set()
    for value in values:
        problem = principal_problem(value)
        if problem:
            raise ValueError(problem)
        if value in seen:
            raise ValueError(f"'{value}' is listed twice")
        seen.add(value)
    return list(values)


def block_problem(editors: Sequence[str], viewers: Sequence[str], noun: str) -> str | None:
    """Why a manifest's `permissions:` block (its principals each already checked) says no policy, or None."""
    if not editors and not viewers:
        return (
            f"permissions names no editors and no viewers; to leave the {noun} to the organisation's default,"
            " remove the `permissions:` block"
        )
    both = sorted(set(editors) & set(viewers))
    if both:
        return f"'{both[0]}' is both an editor and a viewer; an editor may view already"
    return None


def permissions_content(editors: Iterable[str] = (), viewers: Iterable[str] = ()) -> Permissions:
    return {"editors": sorted(set(editors)), "viewers": sorted(set(viewers))}


def policy_path(resource_type: str, resource_id: str, id_pattern: re.Pattern[str]) -> str:
    """The policy's path, the resource id checked against its kind's pattern and the colon percent-encoded."""
    if not id_pattern.fullmatch(resource_id) or not re.fullmatch(r"[a-z_]+", resource_type):
        raise BackendError(f"refused to send a request for the restriction policy of {resource_id[:60]!r}")
    return f"{POLICY_ROOT}/{quote(f'{resource_type}:{resource_id}', safe='')}"


def request_body(resource: str, content: Mapping[str, Sequence[str]]) -> dict[str, Any]:
    """The POST body that replaces the policy with `content` (a relation with nobody is left out)."""
    bindings = [
        {"relation": relation, "principals": sorted(content.get(name) or [])}
        for name, relation in RELATIONS.items()
        if content.get(name)
    ]
    return {"data": {"type": "restriction_policy", "id": resource, "attributes": {"bindings": bindings}}}


def permissions_of(body: Any, resource: str, where: str) -> Permissions:
    """A policy answer checked field by field, as compared; a relation wac does not manage is refused by name."""
    bindings = _bindings(body, resource, where)
    found: dict[str, set[str]] = {name: set() for name in RELATIONS}
    by_relation = {relation: name for name, relation in RELATIONS.items()}
    for index, binding in enumerate(bindings):
        relation = binding.get("relation") if isinstance(binding, dict) else None
        principals = binding.get("principals") if isinstance(binding, dict) else None
        if relation not in by_relation or not isinstance(principals, list) or len(principals) > MAX_PRINCIPALS:
            raise BackendError(f"{where}.bindings[{index}] is not an editor or viewer binding; {MALFORMED}")
        bad = next((p for p in principals if principal_problem(p)), None)
        if bad is not None:
            raise BackendError(f"{where}.bindings[{index}]: {principal_problem(bad)}; {MALFORMED}")
        found[by_relation[relation]] |= set(principals)
    return {name: sorted(values) for name, values in found.items()}


def _bindings(body: Any, resource: str, where: str) -> list[Any]:
    """The answer's bindings list, once it is known to be this resource's policy and of a sane size."""
    data = body.get("data") if isinstance(body, dict) else None
    attributes = data.get("attributes") if isinstance(data, dict) else None
    bindings = attributes.get("bindings") if isinstance(attributes, dict) else None
    if not isinstance(data, dict) or data.get("id") != resource or not isinstance(bindings, list):
        raise BackendError(f"{where}: the answer is not the restriction policy of {resource}; {MALFORMED}")
    if len(bindings) > MAX_PRINCIPALS:
        raise BackendError(f"{where}: more than {MAX_PRINCIPALS} bindings; {MALFORMED}")
    return bindings


def is_empty(content: Mapping[str, Sequence[str]] | None) -> bool:
    return not content or not any(content.get(name) for name in RELATIONS)


async def read_policy(client: DatadogClient, path: str, resource: str) -> Permissions:
    """The resource's policy (both lists empty when it has none, as Datadog answers then)."""
    response = await client.send("GET", path, idempotent=True)
    if response.status_code == 404:
        return permissions_content()
    return permissions_of(client.json_of(response, "get restriction policy"), resource, f"policy of {resource}")


async def write_policy(client: DatadogClient, path: str, resource: str, content: Mapping[str, Sequence[str]]) -> None:
    """Replaces the policy; the answer must be the policy just sent."""
    response = await client.send("POST", path, json=request_body(resource, content), idempotent=True)
    answer = permissions_of(client.json_of(response, "update restriction policy"), resource, f"policy of {resource}")
    if answer != permissions_content(content.get("editors") or (), content.get("viewers") or ()):
        raise BackendError(f"update restriction policy of {resource}: the answer is not the policy sent; {MALFORMED}")


async def delete_policy(client: DatadogClient, path: str) -> bool:
    """Deletes the policy: the resource returns to its organisation's defaults; False when there was none."""
    response = await client.send("DELETE", path, idempotent=True)
    if response.status_code == 404:
        return False
    client.json_of(response, "delete restriction policy")  # raises with Datadog's own sentence on an error
    return True


def identity_from(environ: Mapping[str, str], config: Mapping[str, str]) -> tuple[str, ...]:
    """The principals wac's own key acts as (its user, roles, teams, organisation), as configured; empty when
    none are. A ValueError names the setting and the first principal it cannot read."""
    source = IDENTITY_VARIABLE if environ.get(IDENTITY_VARIABLE) else IDENTITY_SETTING
    raw = environ.get(IDENTITY_VARIABLE) or config.get(IDENTITY_SETTING) or ""
    values = [part.strip() for part in raw.replace("\n", ",").split(",") if part.strip()]
    for value in values:
        problem = principal_problem(value)
        if problem:
            raise ValueError(f"{source}: {problem}")
    return tuple(sorted(set(values)))


def lockout(content: Mapping[str, Sequence[str]] | None, identity: Sequence[str]) -> str | None:
    """Why a policy would leave wac unable to write its resource, or None. Editors, once named, are the only
    ones who may edit; viewers alone leave editing to the defaults but reading to them (and the editors).
    wac is included when they name one of its principals (its user, a role or team of it, its organisation),
    or any organisation when its own is not configured."""
    if is_empty(content) or content is None:
        return None
    editors, viewers = set(content.get("editors") or ()), set(content.get("viewers") or ())
    needed, what = (editors, "editors") if editors else (viewers, "viewers")
    mine = {p for p in identity if p.startswith("org:")}
    if any(p.startswith("org:") and (not mine or p in mine) for p in needed):
        return None  # every user of the organisation, and a key acts only within its own
    if not identity:
        return (
            f"wac cannot tell whether its own key stays among the {what}: name the principals it acts as"
            f" (its `user:`, `role:`, `team:` or `org:`) in {IDENTITY_VARIABLE} or `{IDENTITY_SETTING}` in .wac.yaml"
        )
    if not needed & set(identity):
        return (
            f"the {what} ({', '.join(sorted(needed))}) name none of the principals wac's own key acts as"
            f" ({', '.join(identity)}), so wac could never write it again"
        )
    return None


def access_cautions(
    before: Mapping[str, Any] | None, after: Mapping[str, Any] | None, identity: Sequence[str], noun: str
) -> tuple[Caution, ...]:
    """What a lock change does to access: `widens` when more people may edit or view. A lock that would leave
    wac out of its own resource (a `noun`) is refused here, at plan time, before anything is written."""
    problem = lockout(after, identity)
    refusal = () if problem is None else (Caution(f"refused (edit lock): {problem}", widens=False, refuses=True),)
    was = permissions_content(*_lists(before))
    now = permissions_content(*_lists(after))
    if was == now:
        return refusal
    if is_empty(now):
        return (
            Caution(
                f"widens access: removes the edit lock; the {noun} returns to the organisation's default (anyone"
                f" allowed to edit {noun}s may edit it)"
            ),
        )
    changed = tuple(
        _relation(name, was[name], now[name], noun) for name in ("editors", "viewers") if was[name] != now[name]
    )
    return refusal + changed


def _lists(content: Mapping[str, Any] | None) -> tuple[list[str], list[str]]:
    content = content or {}
    return list(content.get("editors") or []), list(content.get("viewers") or [])


def _relation(name: str, was: list[str], now: list[str], noun: str) -> Caution:
    verb = "edit" if name == "editors" else "view"
    if not was:
        also = "" if name == "editors" else " (and the editors)"
        return Caution(f"only {', '.join(now)}{also} may {verb} the {noun}", widens=False)
    if not now:
        return Caution(
            f"widens access: anyone allowed by the organisation's default may {verb} it (was {', '.join(was)})"
        )
    added, removed = sorted(set(now) - set(was)), sorted(set(was) - set(now))
    if added:
        gone = f"; no longer {', '.join(removed)}" if removed else ""
        return Caution(f"widens access: {', '.join(added)} may {verb} the {noun}{gone}")
    return Caution(f"{', '.join(removed)} may no longer {verb} the {noun}", widens=False)


def is_permissions(content: Mapping[str, Any]) -> bool:
    """Whether `content` is a lock's (editors and viewers), rather than its resource's."""
    return set(content) == {"editors", "viewers"}


def desired_lock(
    parent: tuple[str, str, str], scope: str, block: Mapping[str, Sequence[str]], title: str, source: str
) -> Desired:
    """The edit lock a manifest's `permissions:` block asks for, as a resource belonging to `parent` (kind, scope,
    manifest id): keyed by the parent's manifest id, written after it and deleted before it."""
    kind, _, manifest_id = parent
    content = permissions_content(block.get("editors") or (), block.get("viewers") or ())
    return Desired(kind, scope, manifest_id, title, content, (), source, parent=parent)


def remote_lock(
    kind: str, scopes: tuple[str, str], remote_id: str, title: str, content: Permissions, claims: Claims, noun: str
) -> Remote:
    """A policy as read, under its resource's id and claims (`applied` the digest the resource's marker records);
    `scopes` are the lock's and its resource's."""
    scope, parent_scope = scopes
    note = (
        "Datadog records neither who changed a restriction policy nor when (its Audit Trail may: search it for"
        f" the {noun}'s id)"
    )
    return Remote(
        kind=kind,
        scope=scope,
        remote_id=remote_id,
        title=title,
        content=dict(content),
        claims=claims,
        modified_by=User("", "", "", note=note),
        parent=(kind, parent_scope, claims.manifest_id or ""),
    )


def permissions_document(content: Mapping[str, Sequence[str]]) -> dict[str, list[str]] | None:
    """The `permissions:` block `wac export` writes (None for a resource without a policy)."""
    if is_empty(content):
        return None
    return {name: list(content.get(name) or []) for name in ("editors", "viewers") if content.get(name)}
