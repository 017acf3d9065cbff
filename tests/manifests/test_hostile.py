"""Hostile YAML is refused quickly and never executed or expanded."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from reconciler.manifests.loading import load_manifests
from tests.manifests.helpers import VALID, problems_of, write

OUTSIDE = (
    "a symbolic link (this file or folder, or a folder on the way to it) to somewhere outside the repository; a"
    " folder's manifests are read only from inside it (name a file itself to read it anyway)"
)


def test_python_tags_are_refused_never_executed(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    write(tmp_path, "w.yaml", f"id: !!python/object/apply:os.system ['touch {marker}']\n")
    (problem,) = problems_of(tmp_path)
    assert problem == (
        "w.yaml:1:5: the tag '!!python/object/apply:os.system' is not allowed; manifests are plain"
        " YAML, and tags are never executed"
    )
    assert not marker.exists()


def test_custom_tags_are_refused(tmp_path: Path) -> None:
    write(tmp_path, "w.yaml", VALID.replace("title: Spend", "title: !secret spend"))
    assert problems_of(tmp_path) == [
        "w.yaml:6:10: the tag '!secret' is not allowed; manifests are plain YAML, and tags are never executed"
    ]


def test_alias_bomb_is_refused_quickly(tmp_path: Path) -> None:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, 10):
        prev, name = chr(ord("a") + i - 1), chr(ord("a") + i)
        lines.append(f"{name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]")
    write(tmp_path, "w.yaml", "\n".join(lines) + "\n")
    started = time.process_time()
    (problem,) = problems_of(tmp_path)
    assert time.process_time() - started < 5, "refused before expanding a billion values"
    assert "expands to more than 100,000 values" in problem


def test_huge_file_is_refused_without_parsing(tmp_path: Path) -> None:
    (tmp_path / "w.yaml").write_text(VALID + "# " + "x" * (1024 * 1024) + "\n")
    (problem,) = problems_of(tmp_path)
    assert problem.startswith("w.yaml:1:1: file is 1,048,") and "limited to 1,048,576 bytes" in problem


def test_deep_flow_nesting_is_refused_before_parsing(tmp_path: Path) -> None:
    # Deep enough to crash libyaml's recursive composer if it were parsed.
    (tmp_path / "w.yaml").write_text("a: " + "[" * 200_000 + "]" * 200_000 + "\n")
    (problem,) = problems_of(tmp_path)
    assert problem == "w.yaml:1:68: values are nested more than 64 levels deep; that is not allowed"


def test_deep_block_nesting_is_refused(tmp_path: Path) -> None:
    text = "".join(" " * i + f"k{i}:\n" for i in range(300)) + " " * 300 + "v\n"
    (tmp_path / "w.yaml").write_text(text)
    (problem,) = problems_of(tmp_path)
    assert problem.endswith("values are nested more than 64 levels deep; that is not allowed")


def test_binary_garbage_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "w.yaml").write_bytes(bytes(range(256)) * 4)
    (problem,) = problems_of(tmp_path)
    assert problem == "w.yaml:2:118: the file is not UTF-8 text (byte 0x80); save it as UTF-8"


def test_non_string_keys_are_refused(tmp_path: Path) -> None:
    write(tmp_path, "w.yaml", VALID + "  1: one\n")
    assert problems_of(tmp_path) == ["w.yaml:9:3: mapping keys must be plain text"]


def test_a_link_in_a_folder_to_a_file_outside_the_repository_is_not_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A pull request adding `widgets/x.yaml -> ~/.netrc` gets a refusal, never that file's text in problems."""
    repo, elsewhere = tmp_path / "repo", tmp_path / "home"
    secret = write(elsewhere, "credentials.yaml", "secret_key: hunter2-value\n")
    write(repo / "widgets", "w.yaml", VALID)
    write(repo / "shared", "inside.yaml", VALID.replace("id: spend", "id: shared"))
    (repo / "widgets" / "evil.yaml").symlink_to(secret)
    (repo / "widgets" / "linked.yaml").symlink_to(repo / "shared" / "inside.yaml")
    monkeypatch.chdir(repo)

    result = load_manifests(["widgets"])
    messages = [f"{p.file}: {p.message}" for p in result.problems]
    assert messages == [f"widgets/evil.yaml: {OUTSIDE}"]
    assert "hunter2" not in repr(result)
    # A link to a file elsewhere in the repository is read like any file.
    assert {m.manifest.id for m in result.manifests} == {"shared", "spend"}
    # Named on the command line, the file is read: the user chose it.
    assert any("secret_key" in p.message for p in load_manifests(["widgets/evil.yaml"]).problems)


def test_a_folder_that_is_a_link_outside_the_repository_is_not_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`widgets -> /somewhere/else` in a repository: none of its files is read, each is named."""
    repo, elsewhere = tmp_path / "repo", tmp_path / "home"
    write(elsewhere, "secret.yaml", "id: SECRET_TOKEN_abc123\naws_secret_access_key: hunter2\n")
    write(elsewhere / "deeper", "w.yaml", VALID)
    repo.mkdir()
    (repo / "widgets").symlink_to(elsewhere, target_is_directory=True)
    write(repo / "real", "w.yaml", VALID)
    (repo / "real" / "linked").symlink_to(elsewhere, target_is_directory=True)
    monkeypatch.chdir(repo)

    result = load_manifests(["widgets"])
    # Not walked at all: a link to `/` must not read the disk.
    assert not result.manifests and [(p.file, p.message) for p in result.problems] == [("widgets", OUTSIDE)]
    assert "SECRET_TOKEN" not in repr(result) and "hunter2" not in repr(result)
    # A linked folder below a real one that leads outside: its files are named, and nothing deeper is walked.
    below = load_manifests(["real"])
    assert [m.manifest.id for m in below.manifests] == ["spend"]
    assert [p.file for p in below.problems] == ["real/linked"]


def test_a_linked_folder_outside_with_manifests_only_deeper_is_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`widgets/team -> /elsewhere/nest` holding only `deeper/x.yaml`: named, so a plan never takes its
    manifests for removed without a word."""
    repo, elsewhere = tmp_path / "repo", tmp_path / "home"
    write(elsewhere / "nest" / "deeper", "x.yaml", VALID)
    write(repo / "widgets", "w.yaml", VALID.replace("id: spend", "id: mine"))
    (repo / "widgets" / "team").symlink_to(elsewhere / "nest", target_is_directory=True)
    monkeypatch.chdir(repo)
    result = load_manifests(["widgets"])
    assert [(p.file, p.message) for p in result.problems] == [("widgets/team", OUTSIDE)]


def test_a_folder_that_cannot_be_read_is_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    repo = tmp_path / "repo"
    write(repo / "widgets", "w.yaml", VALID)
    write(repo / "widgets" / "locked", "x.yaml", VALID.replace("id: spend", "id: locked"))
    monkeypatch.chdir(repo)
    (repo / "widgets" / "locked").chmod(0)
    try:
        if os.access(repo / "widgets" / "locked", os.R_OK):
            pytest.skip("this user reads any folder (root)")
        result = load_manifests(["widgets"])
    finally:
        (repo / "widgets" / "locked").chmod(0o755)
    assert [(p.file, p.message) for p in result.problems] == [("widgets/locked", "cannot be read: Permission denied")]


def test_a_path_too_long_to_follow_is_named_not_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Past the system's path limit nothing can be followed to its end: such a file is named, never taken for
    inside (a reader opening a shorter relative path could still reach outside through it) nor skipped."""
    repo = tmp_path / "repo"
    write(repo / "widgets", "w.yaml", VALID)
    monkeypatch.chdir(repo / "widgets")
    depth = 0
    while len(str(repo / "widgets")) + depth * 201 < 4400:
        os.mkdir("d" * 200)
        os.chdir("d" * 200)
        depth += 1
    Path("deep.yaml").write_text(VALID.replace("id: spend", "id: deep"), encoding="utf-8")
    monkeypatch.chdir(repo)
    result = load_manifests(["widgets"])
    assert [m.manifest.id for m in result.manifests] == ["spend"]
    assert len(result.problems) == 1 and "too long" in result.problems[0].message, result.problems


def test_a_link_swapped_between_the_check_and_the_read_is_not_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A process flipping `widgets/x.yaml` between a file inside and one outside while wac reads: whatever the
    timing, the outside file's text is never read (the file opened is checked, not only its path)."""
    import threading

    repo, elsewhere = tmp_path / "repo", tmp_path / "home"
    write(elsewhere, "secret.yaml", "id: TOP-SECRET-hunter2\n")
    write(repo, "inside.yaml", VALID)
    (repo / "widgets").mkdir()
    monkeypatch.chdir(repo)
    link, spare = repo / "widgets" / "x.yaml", repo / "widgets" / ".spare"
    link.symlink_to(repo / "inside.yaml")
    stop = threading.Event()

    def flip() -> None:
        targets = (elsewhere / "secret.yaml", repo / "inside.yaml")
        n = 0
        while not stop.is_set():
            n += 1
            spare.unlink(missing_ok=True)
            spare.symlink_to(targets[n % 2])
            os.replace(spare, link)  # atomic: the link always exists

    flipper = threading.Thread(target=flip)
    flipper.start()
    try:
        for _ in range(300):
            result = load_manifests(["widgets"])
            assert "hunter2" not in repr(result), result
    finally:
        stop.set()
        flipper.join()
