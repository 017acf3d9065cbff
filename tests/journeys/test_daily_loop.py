"""The daily loop as a state machine: one repository with every kind, edited in git and in the UI, applied
(plainly, from saved plans, through faults) against one emulator serving every API; after each apply the
remote is exactly the manifests, nothing else is touched, and the next plan is empty."""

from __future__ import annotations

import functools
import json
import shutil
import tempfile
from collections import Counter
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, precondition, rule, run_state_machine_as_test

from reconciler.backends.emulation.settings import EmulatorSettings, FaultRule
from reconciler.backends.emulator_server import emulator_thread
from tests.commands.helpers import Workspace, make_workspace
from tests.conftest import ALICE
from tests.figures import report
from tests.journeys.model import (
    ALL_KEYS,
    DASHBOARD,
    DASHBOARD_TITLES,
    DESCRIPTIONS,
    EMAILS,
    ENV_VALUES,
    KINDS,
    LABELS,
    LIVE_SPANS,
    QUERIES,
    SPACEONE,
    SPACEONE_TITLES,
    WIDGET,
    WIDGET_NAMES,
    WIDGET_TAGS,
    WIDGET_TITLES,
    Key,
    Manifest,
    dashboard_widgets,
    new_manifests,
    options,
    sharings,
    spaceone_tags,
    template_variables,
)
from tests.journeys.remote import MARKER, Found, Remote, seed_others

OWNER: Final = "journey"
# Applies allowed to converge once faults were injected, the faulty one included.
MAX_APPLIES: Final = 3
WRITES: Final = frozenset({"POST", "PUT", "DELETE"})
# A person's address the manifests never list.
STRANGER: Final = "stranger@example.io"
LOST_SHARE: Final = "marker records no share of it"

# SpaceONE reads are POSTs to paths ending so: a fault meant for writes spares them.
SPACEONE_READS: Final = ("/list", "/get", "/stat")
methods = st.sets(st.sampled_from(sorted(WRITES)), min_size=1).map(frozenset)
fault_rules = st.lists(
    st.one_of(
        # 5xx and dropped connections, the work not done; retried (at once: the client's back-off is the
        # convergence tests' to exercise, this machine's is the state across features).
        st.builds(
            FaultRule,
            st.just("error"),
            st.sampled_from((0.1, 0.3)),
            status=st.just(503),
            retry_after=st.just(0),
        ),
        st.builds(FaultRule, st.just("drop"), st.sampled_from((0.05, 0.2))),
        # The work done, the answer lost (dropped, or a 504).
        st.builds(
            FaultRule,
            st.just("lost_response"),
            # Not every answer: an idempotent PUT whose answers are all lost is retried with back-off for seconds.
            st.sampled_from((0.15, 0.4)),
            methods,
            st.none() | st.just(504),
            sparing=st.just(SPACEONE_READS),
        ),
        # Every write of one method fails: the apply stops half-way, and the next one finishes it. The 503 says
        # when to come back (now), so the client's eight attempts take no back-off.
        st.builds(
            FaultRule,
            st.just("error"),
            st.just(1.0),
            methods,
            st.just(503),
            retry_after=st.just(0),
            sparing=st.just(SPACEONE_READS),
        ),
    ),
    min_size=1,
    max_size=2,
)


@dataclass
class Figures:
    """What a run of the machine exercised, printed with the suite's figures."""

    examples: int = 0
    rules: Counter[str] = field(default_factory=Counter)
    applies: int = 0
    faults: Counter[str] = field(default_factory=Counter)
    worst_applies_under_faults: int = 0
    lost_shares_revoked: int = 0
    dead_tokens: int = 0

    def line(self, name: str) -> str:
        return (
            f"{name}: {self.examples} examples, {sum(self.rules.values())} steps ({dict(sorted(self.rules.items()))}),"
            f" {self.applies} applies, faults injected {dict(self.faults)}, worst case"
            f" {self.worst_applies_under_faults} apply(ies) to converge under faults, {self.lost_shares_revoked}"
            f" share(s) whose create answer was lost revoked by a person, {self.dead_tokens} dead share token(s)"
            " left in a marker (test_found_bugs.py)"
        )


FIGURES = Figures()


def counted(step: Callable[..., None]) -> Callable[..., None]:
    """A rule that counts its runs in the figures."""

    @functools.wraps(step)
    def run(self: DailyLoop, **kwargs: Any) -> None:
        FIGURES.rules[step.__name__] += 1
        step(self, **kwargs)

    return run


def _other(data: st.DataObject, pool: tuple[Any, ...] | list[Any], current: Any, label: str) -> Any:
    """A value of `pool` other than `current`: every edit is a change."""
    return data.draw(st.sampled_from([value for value in pool if value != current]), label=label)


class DailyLoop(RuleBasedStateMachine):
    """A team's repository and what happens to it in a day, with the remote checked after each apply."""

    def __init__(self) -> None:
        super().__init__()
        self.manifests: dict[Key, Manifest] = {}
        # What the remote holds of this owner's, as the model knows it: resources, and each live share as applied.
        self.remote_keys: set[Key] = set()
        self.remote_shares: dict[str, dict[str, Any]] = {}
        self.pending = 0
        self.faults: EmulatorSettings | None = None
        self.stack = ExitStack()
        try:
            self.folder = Path(tempfile.mkdtemp(prefix="wac-journey-"))
            self.stack.callback(shutil.rmtree, self.folder, ignore_errors=True)
            # A file, not memory: a second emulator with faults serves the same state during a faulty apply.
            self.db = self.folder / "emulator.sqlite3"
            self.server = self.stack.enter_context(emulator_thread(db=self.db))
            self.remote = Remote(self.server.url)
            self.stack.callback(self.remote.close)
            self.repo = _repository(self.folder, self.server.url)
            self.others = seed_others(self.remote)
            self.untouched = {name: self.remote.raw(*where) for name, where in self.others.items()}
        except BaseException:
            self.stack.close()  # hypothesis calls teardown only for a machine that was made
            raise
        FIGURES.examples += 1

    def teardown(self) -> None:
        self.stack.close()

    # the repository ------------------------------------------------------------------------------------------------

    def _write(self, manifest: Manifest) -> None:
        self.manifests[manifest.key] = manifest
        path = manifest.path(self.repo.widgets)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(manifest.text(), encoding="utf-8")

    def _remove(self, key: Key) -> None:
        manifest = self.manifests.pop(key)
        manifest.path(self.repo.widgets).unlink()

    def _keys(self, kind: str) -> list[Key]:
        return sorted(key for key in self.manifests if key.kind == kind)

    def _pick(self, data: st.DataObject, kind: str) -> Manifest:
        return self.manifests[data.draw(st.sampled_from(self._keys(kind)), label="manifest")]

    def _edited(self, manifest: Manifest) -> None:
        self._write(manifest)
        self.pending += 1

    @initialize(data=st.data())
    def start(self, data: st.DataObject) -> None:
        """A repository with one or two resources of each kind, applied."""
        for kind in KINDS:
            keys = data.draw(
                st.lists(st.sampled_from([k for k in ALL_KEYS if k.kind == kind]), min_size=1, max_size=2, unique=True),
                label=f"first {kind}",
            )
            for key in keys:
                self._write(data.draw(new_manifests(key), label=str(key)))
        self._apply_and_check()

    # edits in git --------------------------------------------------------------------------------------------------

    @precondition(lambda self: self._keys(WIDGET))
    @rule(data=st.data(), field=st.sampled_from(("title", "query", "tags")))
    @counted
    def edit_widget(self, data: st.DataObject, field: str) -> None:
        manifest = self._pick(data, WIDGET)
        definition = manifest.document["definition"]
        if field == "title":
            definition["title"] = _other(data, WIDGET_TITLES, definition["title"], "title")
        elif field == "query":
            definition["requests"] = [{"q": _other(data, QUERIES, definition["requests"][0]["q"], "query")}]
        else:
            tags = data.draw(st.lists(st.sampled_from(WIDGET_TAGS), unique=True, max_size=3), label="tags")
            manifest.document["tags"] = tags
        self._edited(manifest)

    @precondition(lambda self: self._keys(DASHBOARD))
    @rule(data=st.data(), field=st.sampled_from(("title", "description", "widget", "template_variables")))
    @counted
    def edit_dashboard(self, data: st.DataObject, field: str) -> None:
        manifest = self._pick(data, DASHBOARD)
        body = manifest.document["dashboard"]
        if field == "title":
            body["title"] = _other(data, DASHBOARD_TITLES, body["title"], "title")
        elif field == "description":
            description = _other(data, DESCRIPTIONS, body.get("description"), "description")
            body.pop("description", None)
            if description is not None:
                body["description"] = description
        elif field == "widget":
            body["widgets"] = data.draw(dashboard_widgets.filter(lambda w: w != body["widgets"]), label="widgets")
        else:
            variables = body["template_variables"]
            if data.draw(st.booleans(), label="toggle region"):
                body["template_variables"] = template_variables(variables[0]["available_values"], len(variables) == 1)
            else:
                values = _other(data, ENV_VALUES, variables[0]["available_values"], "env values")
                body["template_variables"] = template_variables(values, len(variables) == 2)
        self._edited(manifest)

    @precondition(lambda self: self._keys(DASHBOARD))
    @rule(data=st.data())
    @counted
    def edit_sharing(self, data: st.DataObject) -> None:
        """`sharing:` added, changed (open and invite, an email more or less, the time span) or removed."""
        manifest = self._pick(data, DASHBOARD)
        sharing = manifest.sharing
        if sharing is None:
            manifest.document["sharing"] = data.draw(sharings(), label="new sharing")
            self._edited(manifest)
            return
        changes = ["remove", "toggle share_type", "global_time"]
        if sharing["share_type"] == "invite":
            changes += ["add email"] if len(sharing["share_list"]) < len(EMAILS) else []
            changes += ["remove email"] if len(sharing["share_list"]) > 1 else []
        change = data.draw(st.sampled_from(changes), label="sharing change")
        if change == "remove":
            del manifest.document["sharing"]
        elif change == "toggle share_type" and sharing["share_type"] == "open":
            sharing["share_type"] = "invite"
            emails = st.lists(st.sampled_from(EMAILS), min_size=1, max_size=2, unique=True)
            # share_list after share_type, as a person would write it.
            rest = {k: v for k, v in sharing.items() if k != "share_type"}
            sharing.clear()
            sharing.update({"share_type": "invite", "share_list": data.draw(emails, label="share_list"), **rest})
        elif change == "toggle share_type":
            sharing["share_type"] = "open"
            del sharing["share_list"]
        elif change == "global_time":
            current = sharing.get("global_time", {}).get("live_span")
            span = _other(data, (*LIVE_SPANS, None), current, "live_span")
            sharing.pop("global_time", None)
            if span is not None:
                sharing["global_time"] = {"live_span": span}
        elif change == "add email":
            lowered = {e.lower() for e in sharing["share_list"]}
            sharing["share_list"].append(_other(data, [e for e in EMAILS if e.lower() not in lowered], None, "email"))
        else:
            sharing["share_list"].remove(data.draw(st.sampled_from(sharing["share_list"]), label="email"))
        self._edited(manifest)

    @precondition(lambda self: self._keys(SPACEONE))
    @rule(data=st.data(), field=st.sampled_from(("title", "options", "labels", "tags", "widget_name")))
    @counted
    def edit_custom_widget(self, data: st.DataObject, field: str) -> None:
        """A SpaceONE widget's fields; a new `widget_name` is a replace (the API cannot change it)."""
        manifest = self._pick(data, SPACEONE)
        document = manifest.document
        if field == "title":
            document["title"] = _other(data, SPACEONE_TITLES, document["title"], "title")
        elif field == "widget_name":
            document["widget_name"] = _other(data, WIDGET_NAMES, document["widget_name"], "widget_name")
        elif field == "options":
            document["options"] = data.draw(options.filter(lambda o: o != document["options"]), label="options")
        elif field == "labels":
            chosen = st.lists(st.sampled_from(LABELS), unique=True, max_size=2)
            document["labels"] = data.draw(chosen.filter(lambda v: v != document["labels"]), label="labels")
        else:
            document["tags"] = data.draw(spaceone_tags.filter(lambda t: t != document["tags"]), label="tags")
        self._edited(manifest)

    @precondition(lambda self: len(self.manifests) < len(ALL_KEYS))
    @rule(data=st.data())
    @counted
    def add_manifest(self, data: st.DataObject) -> None:
        key = data.draw(st.sampled_from([k for k in ALL_KEYS if k not in self.manifests]), label="new key")
        self._edited(data.draw(new_manifests(key), label=str(key)))

    @precondition(lambda self: len(self.manifests) > 1)
    @rule(data=st.data())
    @counted
    def remove_manifest(self, data: st.DataObject) -> None:
        self._remove(data.draw(st.sampled_from(sorted(self.manifests)), label="removed"))
        self.pending += 1

    @precondition(lambda self: len(self.manifests) > 3)
    @rule(data=st.data())
    @counted
    def remove_many(self, data: st.DataObject) -> None:
        """Several manifests at once (a folder deleted): the apply needs --allow-mass-delete when that deletes more
        than ten resources, or every one that stays."""
        chosen = st.lists(st.sampled_from(sorted(self.manifests)), min_size=3, max_size=len(self.manifests) - 1)
        for key in data.draw(chosen.map(set), label="removed"):
            self._remove(key)
        self.pending += 1

    # edits in the UI -----------------------------------------------------------------------------------------------

    def _found(self, key: Key) -> Found:
        found = [f for f in self.remote.managed(OWNER) if f.key == key]
        assert len(found) == 1, f"the model says {key} exists once remotely; found {len(found)}"
        return found[0]

    def _remote_resources(self) -> list[Key]:
        """What the remote holds of this owner's, shares included (`dashboard-share/<id>`, as plans name them)."""
        return sorted([*self.remote_keys, *(Key(DASHBOARD, "dashboard-share", i) for i in self.remote_shares)])

    def _token(self, manifest_id: str) -> str:
        token = self._found(Key(DASHBOARD, "dashboard", manifest_id)).share_token
        assert token is not None, f"the marker of dashboard {manifest_id} records its share"
        return token

    @precondition(lambda self: self.remote_keys)
    @rule(data=st.data(), change=st.sampled_from(("title", "content")))
    @counted
    def ui_edit(self, data: st.DataObject, change: str) -> None:
        """A person changes a managed resource's title or content in its UI (a share: widened in its menu)."""
        key = data.draw(st.sampled_from(self._remote_resources()), label="edited in the UI")
        if key.scope == "dashboard-share":
            self.remote.edit_share(self._token(key.id))
            # An invite share is opened: no longer one to invite people to.
            self.remote_shares[key.id]["share_type"] = "open"
        else:
            self.remote.edit(self._found(key), change)
        self.pending += 1

    @precondition(lambda self: any(s["share_type"] == "invite" for s in self.remote_shares.values()))
    @rule(data=st.data())
    @counted
    def ui_invite(self, data: st.DataObject) -> None:
        """A person invites one more email to a managed invite share, in the Share menu."""
        invite_shares = sorted(i for i, s in self.remote_shares.items() if s["share_type"] == "invite")
        manifest_id = data.draw(st.sampled_from(invite_shares), label="invited to")
        self.remote.invite_extra(self._token(manifest_id), STRANGER)
        self.pending += 1

    @precondition(lambda self: self.remote_keys or self.remote_shares)
    @rule(data=st.data())
    @counted
    def ui_delete(self, data: st.DataObject) -> None:
        """A person deletes a managed resource (a dashboard's share included: revoked in the Share menu)."""
        key = data.draw(st.sampled_from(self._remote_resources()), label="deleted in the UI")
        if key.scope == "dashboard-share":
            self.remote.revoke(self._token(key.id))
        else:
            self.remote.delete(self._found(key))
            self.remote_keys.discard(key)
        if key.kind == DASHBOARD:
            # Deleting a dashboard ends its share.
            self.remote_shares.pop(key.id, None)
        self.pending += 1

    # faults and applies --------------------------------------------------------------------------------------------

    @precondition(lambda self: self.faults is None)
    @rule(rules=fault_rules, seed=st.integers(0, 2**16))
    @counted
    def inject_faults(self, rules: list[FaultRule], seed: int) -> None:
        """The next apply meets lost answers, 5xx and dropped connections."""
        self.faults = EmulatorSettings(faults=tuple(rules), seed=seed)

    def _something_to_apply(self) -> bool:
        return self.pending > 0 or self.faults is not None

    @precondition(_something_to_apply)
    @rule()
    @counted
    def apply(self) -> None:
        flags = self._mass_delete_flags()
        if self.faults is None:
            self._apply_and_check(*flags)
            return
        with emulator_thread(db=self.db, settings=self.faults) as faulty:
            # Whatever it says: a run cut short by faults is what the next one repairs.
            self.repo.wac("apply", "--auto-approve", "--site", faulty.url, "--timeout", "2", *flags)
        FIGURES.faults.update(faulty.stats.faults)
        self.faults = None
        applies = 1
        while not self._settled():
            assert applies < MAX_APPLIES, f"not converged after {applies} applies, the first with faults"
            self._resolve_lost_shares()
            applied = self.repo.wac("apply", "--auto-approve", *flags)
            assert applied.exit_code == 0, applied.output
            applies += 1
        FIGURES.applies += applies
        FIGURES.worst_applies_under_faults = max(FIGURES.worst_applies_under_faults, applies)
        self._check()

    @precondition(lambda self: self.faults is None and self.pending > 0)
    @rule()
    @counted
    def apply_saved_plan(self) -> None:
        """`wac plan --out` reviewed, then `wac apply --plan`; a URL site is named again."""
        planned = self.repo.wac("plan", "--out", "plan.json")
        assert planned.exit_code == 0, planned.output
        flags = self._mass_delete_flags()
        applied = self.repo.wac("apply", "--plan", "plan.json", "--auto-approve", "--site", self.server.url, *flags)
        assert applied.exit_code == 0, applied.output
        FIGURES.applies += 1
        self._check()

    def _apply_and_check(self, *flags: str) -> None:
        applied = self.repo.wac("apply", "--auto-approve", *flags)
        FIGURES.applies += 1
        assert applied.exit_code == 0, applied.output
        self._check()

    def _mass_delete_flags(self) -> tuple[str, ...]:
        """--allow-mass-delete exactly when the guard would refuse: every resource that stays is deleted, every
        resource of one kind is (shares go with their dashboards), or more than ten are."""
        shared = {m.key.id for m in self.manifests.values() if m.sharing is not None}
        removals = len(self.remote_keys - set(self.manifests)) + len(set(self.remote_shares) - shared)
        kept = len(self.remote_keys & set(self.manifests)) + len(set(self.remote_shares) & shared)
        kinds = {key.kind for key in self.remote_keys}
        a_kind_gone = any(
            {k for k in self.remote_keys if k.kind == kind} - set(self.manifests)
            and not {k for k in self.remote_keys if k.kind == kind} & set(self.manifests)
            for kind in kinds
        )
        wanted = removals and (not kept or removals > 10 or a_kind_gone)
        return ("--allow-mass-delete",) if wanted else ()

    def _settled(self) -> bool:
        return self.repo.wac("plan", "--detailed-exitcode").exit_code == 0

    def _resolve_lost_shares(self) -> None:
        """A share whose create answer was lost cannot be found again (its token was in the answer): the plan
        names it, and a person revokes it in the Share menu, as the README says."""
        report = json.loads(self.repo.wac("drift", "--format", "json").output)
        for conflict in report["conflicts"]:
            assert LOST_SHARE in conflict["how_to_resolve"], f"a conflict no rule caused: {conflict}"
            for dashboard_id, token in self.server.stores[DASHBOARD].share_tokens():  # type: ignore[attr-defined]
                if dashboard_id == conflict["remote_id"]:
                    self.remote.revoke(token)
                    FIGURES.lost_shares_revoked += 1

    # the invariants ------------------------------------------------------------------------------------------------

    def _check(self) -> None:
        plan = self.repo.wac("plan", "--detailed-exitcode")
        assert plan.exit_code == 0, f"the plan after an apply is not empty:\n{plan.output}"
        drift = self.repo.wac("drift", "--format", "json")
        report = json.loads(drift.output)
        assert report["conflicts"] == [], f"conflicts no rule caused: {report['conflicts']}"
        assert drift.exit_code == 0, f"drift right after an apply:\n{drift.output}"
        for name, where in self.others.items():
            assert self.remote.raw(*where) == self.untouched[name], f"the {name} was changed"
        found = self.remote.managed(OWNER)
        copies = Counter(f.key for f in found)
        assert sorted(copies) == sorted(self.manifests), "the managed resources are the manifests"
        assert all(n == 1 for n in copies.values()), f"copies: {[k for k, n in copies.items() if n > 1]}"
        shared = self.remote.shared_dashboard_ids()
        for resource in found:
            self._matches(resource, self.manifests[resource.key], shared)
        self.remote_keys = set(self.manifests)
        self.remote_shares = {
            m.key.id: json.loads(json.dumps(m.sharing)) for m in self.manifests.values() if m.sharing is not None
        }
        self.pending = 0

    def _matches(self, found: Found, manifest: Manifest, shared: set[str]) -> None:
        """The remote resource is what its manifest says (the fields the test chose); a share as its block."""
        document = manifest.document
        if found.key.kind == WIDGET:
            attributes = found.body["attributes"]
            assert attributes["definition"] == document["definition"], found.key
            user_tags = sorted(t for t in attributes["tags"] if not t.startswith("wac-"))
            assert user_tags == sorted(document["tags"]), found.key
            return
        if found.key.kind == SPACEONE:
            body = found.body
            for name in ("widget_name", "title", "options", "labels"):
                assert body[name] == document[name], (found.key, name)
            assert {k: v for k, v in body["tags"].items() if not k.startswith("wac-")} == document["tags"], found.key
            return
        body, wanted = found.body, document["dashboard"]
        assert body["title"] == wanted["title"], found.key
        description = MARKER.sub("", body.get("description") or "").strip() or None
        assert description == wanted.get("description"), found.key
        assert body["template_variables"] == wanted["template_variables"], found.key
        assert [{k: v for k, v in w.items() if k != "id"} for w in body["widgets"]] == wanted["widgets"], found.key
        tokens = [t for d, t in self.server.stores[DASHBOARD].share_tokens() if d == found.remote_id]  # type: ignore[attr-defined]
        sharing = manifest.sharing
        if sharing is None:
            assert found.remote_id not in shared, f"{found.key} has no `sharing:` yet Datadog lists it shared"
            assert not tokens, f"{found.key} has no `sharing:` yet has a share"
            if found.share_token is not None:
                # Known (test_found_bugs.py): revoked in the UI as git removed `sharing:`, its dead token stays.
                dead = self.remote.http.get(f"/api/v1/dashboard/public/{found.share_token}", headers=ALICE)
                assert dead.status_code == 404, f"{found.key}'s marker records a share it should not have"
                FIGURES.dead_tokens += 1
            return
        assert found.remote_id in shared, f"{found.key} is not listed shared"
        assert tokens == [found.share_token], f"{found.key}: one share, the one its marker records"
        share = self.remote.share(tokens[0])
        assert share["dashboard_id"] == found.remote_id
        assert share["share_type"] == sharing["share_type"], found.key
        if "global_time" in sharing:
            assert share["global_time"] == sharing["global_time"], found.key
        if sharing["share_type"] == "invite":
            wanted_emails = sorted(e.lower() for e in sharing["share_list"])
            assert sorted(self.remote.invited(tokens[0])) == wanted_emails, f"{found.key}: invitations"
            assert sorted(share["share_list"]) == wanted_emails, f"{found.key}: share_list"


def _repository(folder: Path, url: str) -> Workspace:
    """A repository whose `.wac.yaml` names its owner and every kind, so removing a kind's last manifest deletes."""
    repo = make_workspace(folder, url, copy_examples=False)
    repo.widgets.mkdir()
    (repo.root / ".wac.yaml").write_text(f"owner: {OWNER}\nkinds: [{', '.join(KINDS)}]\n", encoding="utf-8")
    # The dashboards cache of this repository alone: an emulator's port may be reused by the next example.
    repo.env["WAC_CACHE_DIR"] = str(folder / "cache")
    return repo


SUPPRESSED: Final = [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much]


def _run(name: str, chosen: settings) -> None:
    global FIGURES
    FIGURES = Figures()
    try:
        run_state_machine_as_test(DailyLoop, settings=chosen)
    finally:
        report(FIGURES.line(name))


# CI's examples in parts that run side by side: a faulty apply's back-off is waiting, not work.
PARTS: Final = 3


@pytest.mark.slow
@pytest.mark.parametrize("part", range(1, PARTS + 1))
def test_the_daily_loop_keeps_the_remote_equal_to_git(part: int) -> None:
    _run(
        f"daily loop (part {part} of {PARTS})",
        settings(max_examples=2, stateful_step_count=16, deadline=None, suppress_health_check=SUPPRESSED),
    )


@pytest.mark.nightly
def test_the_daily_loop_keeps_the_remote_equal_to_git_for_long() -> None:
    _run(
        "daily loop (nightly)",
        settings(max_examples=60, stateful_step_count=40, deadline=None, suppress_health_check=SUPPRESSED),
    )
