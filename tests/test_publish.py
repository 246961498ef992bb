"""publish: exact Hub calls, dry runs, tokens that never leak, and refusals, with no network."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx2
import huggingface_hub
import pytest
from huggingface_hub import CommitInfo, GitRefInfo, GitRefs
from huggingface_hub.errors import OfflineModeIsEnabled
from huggingface_hub.utils._paths import DEFAULT_IGNORE_PATTERNS, filter_repo_objects

from corpus_tools.errors import CorpusToolsError, UsageError
from corpus_tools.package.manifest import file_checksums
from corpus_tools.publish import hub as publish_module
from corpus_tools.publish.hub import (
    HIDDEN_PATTERNS,
    HubClient,
    HubError,
    PublishResult,
    publish,
    upload_plan,
)
from tests.conftest import http_error

REPO_ID = "my-org/news-corpus"
FAKE_TOKEN = "hf_FAKEtokenNEVERshowMe0123456789"
COMMIT_OID = "0123456789abcdef0123456789abcdef01234567"
COMMIT_URL = f"https://huggingface.co/datasets/{REPO_ID}/commit/{COMMIT_OID}"
EXPECTED_FILES = (
    "CHANGELOG.md",
    "README.md",
    "article.schema.json",
    "croissant.json",
    "data/train-00000-of-00001.parquet",
    "manifest.json",
    "releases/v1.0.0.json",
)


@dataclass
class Call:
    name: str
    args: dict[str, object]


@dataclass
class FakeHfApi:
    """Records every call; ``fail`` makes one method raise, ``tags`` are the tags on the Hub."""

    tags: list[str] = field(default_factory=list)
    fail: dict[str, BaseException] = field(default_factory=dict)
    calls: list[Call] = field(default_factory=list)

    def _record(self, name: str, args: dict[str, object]) -> None:
        self.calls.append(Call(name, args))
        if name in self.fail:
            raise self.fail[name]

    def create_repo(
        self,
        repo_id: str,
        *,
        token: str | bool | None = None,
        private: bool | None = None,
        repo_type: str | None = None,
        exist_ok: bool = False,
    ) -> object:
        self._record(
            "create_repo",
            {
                "repo_id": repo_id,
                "token": token,
                "private": private,
                "repo_type": repo_type,
                "exist_ok": exist_ok,
            },
        )
        return f"https://huggingface.co/datasets/{repo_id}"

    def list_repo_refs(
        self,
        repo_id: str,
        *,
        repo_type: str | None = None,
        token: str | bool | None = None,
    ) -> GitRefs:
        self._record("list_repo_refs", {"repo_id": repo_id, "repo_type": repo_type, "token": token})
        main = GitRefInfo(name="main", ref="refs/heads/main", target_commit="f" * 40)
        tags = [GitRefInfo(name=t, ref=f"refs/tags/{t}", target_commit="e" * 40) for t in self.tags]
        return GitRefs(branches=[main], converts=[], tags=tags)

    def upload_folder(
        self,
        *,
        repo_id: str,
        folder_path: str | Path,
        commit_message: str | None = None,
        token: str | bool | None = None,
        repo_type: str | None = None,
        allow_patterns: list[str] | str | None = None,
        ignore_patterns: list[str] | str | None = None,
        delete_patterns: list[str] | str | None = None,
    ) -> CommitInfo:
        self._record(
            "upload_folder",
            {
                "repo_id": repo_id,
                "folder_path": folder_path,
                "commit_message": commit_message,
                "token": token,
                "repo_type": repo_type,
                "allow_patterns": allow_patterns,
                "ignore_patterns": ignore_patterns,
                "delete_patterns": delete_patterns,
            },
        )
        return CommitInfo(
            commit_url=COMMIT_URL,
            commit_message=commit_message or "",
            commit_description="",
            oid=COMMIT_OID,
        )

    def update_repo_settings(
        self,
        repo_id: str,
        *,
        private: bool | None = None,
        token: str | bool | None = None,
        repo_type: str | None = None,
    ) -> None:
        self._record(
            "update_repo_settings",
            {"repo_id": repo_id, "private": private, "token": token, "repo_type": repo_type},
        )

    def create_tag(
        self,
        repo_id: str,
        *,
        tag: str,
        tag_message: str | None = None,
        revision: str | None = None,
        token: str | bool | None = None,
        repo_type: str | None = None,
    ) -> None:
        self._record(
            "create_tag",
            {
                "repo_id": repo_id,
                "tag": tag,
                "tag_message": tag_message,
                "revision": revision,
                "token": token,
                "repo_type": repo_type,
            },
        )

    def names(self) -> list[str]:
        return [call.name for call in self.calls]


# A release file as `corpus-tools release` writes it (of a dataset with no records).
RELEASE_FILE: dict[str, Any] = {
    "version": "1.0.0",
    "previous": None,
    "bump": "initial",
    "date": "2026-01-01",
    "schema_sha256": "0" * 64,
    "metadata_sha256": "0" * 64,
    "fields": {},
    "records": [],
    "changes": {
        "added": [],
        "removed": [],
        "changed": [],
        "schema": {"fields_added": [], "fields_removed": [], "fields_retyped": [], "edited": False},
        "metadata": {"edited": False},
    },
}


def write_dist(root: Path, manifest: dict[str, object] | None = None) -> Path:
    """A small built dataset folder, with hidden files that must never be uploaded."""
    dist = root / "dist"
    files = {
        "README.md": "---\nlicense: mit\n---\n# News corpus\n",
        "croissant.json": "{}\n",
        "CHANGELOG.md": "# Changelog\n\n## 1.0.0\n",
        "article.schema.json": "{}\n",
        "data/train-00000-of-00001.parquet": "PAR1",
        "releases/v1.0.0.json": json.dumps(RELEASE_FILE) + "\n",
        ".DS_Store": "junk",
        "data/.train.parquet.partial": "junk",
        ".cache/huggingface/upload/x.metadata": "junk",
    }
    for name, text in files.items():
        path = dist / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    default = {
        "dataset": "news-corpus",
        "version": "1.0.0",
        "schema_sha256": RELEASE_FILE["schema_sha256"],
        "metadata_sha256": RELEASE_FILE["metadata_sha256"],
        "records": [],
    }
    data = default if manifest is None else manifest
    # The manifest vouches for every file, as a build's does.
    data = {**data, "files": file_checksums(dist)}
    (dist / "manifest.json").write_text(json.dumps(data), encoding="utf-8")
    return dist


@pytest.fixture(autouse=True)
def no_ambient_token(monkeypatch: pytest.MonkeyPatch) -> None:
    """No test may pick up the developer's real token (env or `hf auth login` file)."""
    monkeypatch.delenv("HF_TOKEN", raising=False)
    monkeypatch.setattr(publish_module, "get_token", lambda: None)


@pytest.fixture
def dist(tmp_path: Path) -> Path:
    return write_dist(tmp_path)


def assert_no_token(*texts: object) -> None:
    for text in texts:
        assert FAKE_TOKEN not in str(text)
        assert FAKE_TOKEN not in repr(text)


# --- the publication itself -------------------------------------------------------------------


def test_publish_makes_the_exact_calls_in_order(dist: Path) -> None:
    api = FakeHfApi()
    result = publish(dist, REPO_ID, api=api, token=FAKE_TOKEN)

    assert api.names() == ["create_repo", "list_repo_refs", "upload_folder", "create_tag"]
    create, refs, upload, tag = (call.args for call in api.calls)
    assert create == {
        "repo_id": REPO_ID,
        "token": FAKE_TOKEN,
        "private": None,  # leave an existing repository's visibility as it is
        "repo_type": "dataset",
        "exist_ok": True,
    }
    assert refs == {"repo_id": REPO_ID, "repo_type": "dataset", "token": FAKE_TOKEN}
    assert upload == {
        "repo_id": REPO_ID,
        "folder_path": dist,
        "commit_message": "Release v1.0.0",
        "token": FAKE_TOKEN,
        "repo_type": "dataset",
        "allow_patterns": None,
        "ignore_patterns": [".*", "*/.*"],
        "delete_patterns": ["*"],  # files dist/ no longer has are deleted in the same commit
    }
    assert tag == {
        "repo_id": REPO_ID,
        "tag": "v1.0.0",
        "tag_message": "Release v1.0.0",
        "revision": COMMIT_OID,
        "token": FAKE_TOKEN,
        "repo_type": "dataset",
    }
    assert result == PublishResult(
        repo_id=REPO_ID,
        version="1.0.0",
        tag="v1.0.0",
        files=EXPECTED_FILES,
        dry_run=False,
        commit_url=COMMIT_URL,
    )
    assert_no_token(result)


@pytest.mark.parametrize("private", [True, False])
def test_private_flag_reaches_create_repo(dist: Path, private: bool) -> None:
    api = FakeHfApi()
    publish(dist, REPO_ID, api=api, token=FAKE_TOKEN, private=private)
    assert api.calls[0].args["private"] is private
    # create_repo leaves an existing repository alone: the visibility is set explicitly.
    assert api.calls[1].name == "update_repo_settings"
    assert api.calls[1].args["private"] is private
    assert api.names()[2:] == ["list_repo_refs", "upload_folder", "create_tag"]


def test_a_file_changed_after_the_build_is_refused_before_any_call(dist: Path) -> None:
    (dist / "README.md").write_text("edited by hand\n", encoding="utf-8")
    api = FakeHfApi()
    with pytest.raises(UsageError) as caught:
        publish(dist, REPO_ID, api=api, token=FAKE_TOKEN)
    assert caught.value.code == "dist-mismatch"
    assert api.calls == []


def test_tag_of_another_version_does_not_block(dist: Path) -> None:
    api = FakeHfApi(tags=["v0.9.0", "v1.0.0-rc1"])
    result = publish(dist, REPO_ID, api=api, token=FAKE_TOKEN)
    assert result.tag == "v1.0.0"
    assert api.names()[-1] == "create_tag"


def test_default_client_is_hfapi(dist: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    api = FakeHfApi()
    monkeypatch.setattr(publish_module, "HfApi", lambda **kwargs: api)
    publish(dist, REPO_ID, token=FAKE_TOKEN)
    assert api.names() == ["create_repo", "list_repo_refs", "upload_folder", "create_tag"]


# --- dry run and the upload plan --------------------------------------------------------------


def test_dry_run_makes_no_call_and_needs_no_token(
    dist: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def forbidden() -> str | None:
        raise AssertionError("a dry run must not look for a token")

    monkeypatch.setattr(publish_module, "get_token", forbidden)
    api = FakeHfApi()
    result = publish(dist, REPO_ID, api=api, dry_run=True)
    assert api.calls == []
    assert result == PublishResult(REPO_ID, "1.0.0", "v1.0.0", EXPECTED_FILES, True, None)


def test_upload_plan_is_sorted_posix_and_skips_hidden_files(dist: Path) -> None:
    assert upload_plan(dist) == EXPECTED_FILES


def test_upload_plan_matches_what_huggingface_hub_would_upload(dist: Path) -> None:
    """The dry-run plan uses the same filter upload_folder applies to HIDDEN_PATTERNS."""
    every_file = sorted(p.relative_to(dist).as_posix() for p in dist.glob("**/*") if p.is_file())
    uploaded = filter_repo_objects(
        every_file, ignore_patterns=[*HIDDEN_PATTERNS, *DEFAULT_IGNORE_PATTERNS]
    )
    assert tuple(sorted(uploaded)) == upload_plan(dist)


# --- tokens -----------------------------------------------------------------------------------


def test_missing_token_is_a_usage_error_before_any_call(dist: Path) -> None:
    api = FakeHfApi()
    with pytest.raises(UsageError) as caught:
        publish(dist, REPO_ID, api=api)
    assert caught.value.code == "no-token"
    assert "HF_TOKEN" in str(caught.value)
    assert "hf auth login" in str(caught.value)
    assert api.calls == []


def test_token_from_environment(
    dist: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # huggingface_hub's own get_token() reads HF_TOKEN; no stored login is reachable.
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf-home"))
    monkeypatch.setattr(publish_module, "get_token", huggingface_hub.get_token)
    monkeypatch.setenv("HF_TOKEN", FAKE_TOKEN)
    api = FakeHfApi()
    publish(dist, REPO_ID, api=api)
    assert {call.args["token"] for call in api.calls} == {FAKE_TOKEN}


def test_token_from_hf_auth_login(dist: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(publish_module, "get_token", lambda: FAKE_TOKEN)
    api = FakeHfApi()
    publish(dist, REPO_ID, api=api)
    assert {call.args["token"] for call in api.calls} == {FAKE_TOKEN}


def test_token_argument_wins_over_environment(dist: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_TOKEN", "hf_fromTheEnvironment")
    api = FakeHfApi()
    publish(dist, REPO_ID, api=api, token=FAKE_TOKEN)
    assert {call.args["token"] for call in api.calls} == {FAKE_TOKEN}


# --- refusals ---------------------------------------------------------------------------------


def test_existing_tag_is_refused_before_any_upload(dist: Path) -> None:
    api = FakeHfApi(tags=["v1.0.0"])
    with pytest.raises(UsageError) as caught:
        publish(dist, REPO_ID, api=api, token=FAKE_TOKEN)
    assert caught.value.code == "tag-exists"
    assert api.names() == ["create_repo", "list_repo_refs"]
    message = str(caught.value)
    assert "v1.0.0" in message
    assert "release a new version" in message
    assert "\n" not in message
    assert_no_token(message)


@pytest.mark.parametrize(
    "repo_id",
    ["news-corpus", "a/b/c", "/news", "org/", "", "org/na me", "org/--x", "org/x.git", "-org/x"],
)
def test_bad_repo_id_is_refused(dist: Path, repo_id: str) -> None:
    api = FakeHfApi()
    with pytest.raises(UsageError) as caught:
        publish(dist, repo_id, api=api, token=FAKE_TOKEN)
    assert caught.value.code == "bad-repo-id"
    assert "ORG/NAME" in str(caught.value)
    assert api.calls == []


@pytest.mark.parametrize("dry_run", [True, False])
def test_missing_dist_says_to_build(tmp_path: Path, dry_run: bool) -> None:
    with pytest.raises(UsageError) as caught:
        publish(tmp_path / "dist", REPO_ID, api=FakeHfApi(), token=FAKE_TOKEN, dry_run=dry_run)
    assert caught.value.code == "no-dist"
    assert "corpus-tools build" in str(caught.value)


def test_missing_manifest_says_to_build(dist: Path) -> None:
    (dist / "manifest.json").unlink()
    with pytest.raises(UsageError) as caught:
        publish(dist, REPO_ID, api=FakeHfApi(), token=FAKE_TOKEN)
    # A folder without manifest.json is not a built dataset (was code no-manifest).
    assert caught.value.code == "no-dist"
    assert "is not a built dataset folder" in str(caught.value)
    assert "corpus-tools build" in str(caught.value)


def test_manifest_without_version_says_to_release(tmp_path: Path) -> None:
    dist = write_dist(tmp_path, manifest={"dataset": "news-corpus"})
    api = FakeHfApi()
    with pytest.raises(UsageError) as caught:
        publish(dist, REPO_ID, api=api, token=FAKE_TOKEN)
    assert caught.value.code == "no-version"
    assert "corpus-tools release" in str(caught.value)
    assert api.calls == []


def test_manifest_with_a_bad_version_is_refused(tmp_path: Path) -> None:
    dist = write_dist(tmp_path, manifest={"dataset": "news-corpus", "version": "v1.0"})
    with pytest.raises(UsageError) as caught:
        publish(dist, REPO_ID, api=FakeHfApi(), token=FAKE_TOKEN, dry_run=True)
    # A version that is not X.Y.Z is no released version (was code bad-version).
    assert caught.value.code == "no-version"
    assert "corpus-tools release" in str(caught.value)


def test_unreadable_manifest_is_a_usage_error(dist: Path) -> None:
    (dist / "manifest.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(UsageError) as caught:
        publish(dist, REPO_ID, api=FakeHfApi(), dry_run=True)
    assert caught.value.code == "bad-manifest"
    assert "\n" not in str(caught.value)


# --- Hub failures -----------------------------------------------------------------------------


def test_hub_error_during_upload_becomes_hub_error_without_token(dist: Path) -> None:
    # The server's message echoes the token and spans lines: neither may reach the user.
    failure = http_error(500, f"500 Server Error.\n\nInternal error for token {FAKE_TOKEN}")
    api = FakeHfApi(fail={"upload_folder": failure})
    with pytest.raises(HubError) as caught:
        publish(dist, REPO_ID, api=api, token=FAKE_TOKEN)
    error = caught.value
    assert isinstance(error, CorpusToolsError)
    assert error.code == "hub"
    assert error.exit_code == 1
    assert api.names() == ["create_repo", "list_repo_refs", "upload_folder"]
    message = str(error)
    assert "\n" not in message
    assert "500 Server Error" in message
    assert_no_token(message, error.message, error.hint, error.args)
    assert error.__cause__ is None
    assert error.__suppress_context__


@pytest.mark.parametrize(
    ("step", "failure", "expected"),
    [
        ("create_repo", httpx2.ConnectError("connection refused"), "connection refused"),
        ("list_repo_refs", http_error(401, "401 Client Error.\n\nUnauthorized"), "401"),
        ("create_tag", http_error(409, "409 Client Error.\n\nConflict"), "409"),
        ("create_repo", OfflineModeIsEnabled("offline mode is enabled"), "HF_HUB_OFFLINE"),
    ],
)
def test_every_hub_step_reports_a_hub_error(
    dist: Path, step: str, failure: BaseException, expected: str
) -> None:
    api = FakeHfApi(fail={step: failure})
    with pytest.raises(HubError) as caught:
        publish(dist, REPO_ID, api=api, token=FAKE_TOKEN)
    assert caught.value.code == "hub"
    assert expected in str(caught.value)
    assert "\n" not in str(caught.value)
    assert api.names()[-1] == step
    assert_no_token(caught.value)


def test_fake_matches_the_protocol() -> None:
    """mypy checks this assignment: the stand-in has the same signatures as HubClient."""
    client: HubClient = FakeHfApi()
    make: Callable[[], HubClient] = FakeHfApi
    assert client is not None
    assert make is not None
