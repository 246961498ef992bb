"""Publish a built ``dist/`` folder to the Hugging Face Hub as a versioned dataset repository.

``corpus-tools publish --repo-id ORG/NAME [--dry-run]`` ends here. One publication is:

1. ``create_repo(..., repo_type="dataset", exist_ok=True)``: create the repository if missing;
2. ``list_repo_refs``: refuse if the tag ``vX.Y.Z`` of this version is already on the Hub;
3. ``upload_folder``: one commit ``Release vX.Y.Z`` with every non-hidden file of ``dist/``;
4. ``create_tag``: tag ``vX.Y.Z`` on the commit that the upload returned.

Each step runs under a deadline (``timeout``; the upload has ``upload_timeout``): a stalled
request is not retried, and the retries of a transient failure share the step's seconds, so a
Hub that does not answer ends the command with one line in bounded time. The token is only
passed to the client; it never appears in a message, an error or the result, nor does any run
of 8 of its characters that a server echoes back.
"""

from __future__ import annotations

import json
import math
import os
import re
import threading
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, TypeVar

from huggingface_hub import CommitInfo, GitRefs, HfApi, get_token
from huggingface_hub.errors import HfHubHTTPError, OfflineModeIsEnabled

from corpus_tools import __version__
from corpus_tools.errors import CorpusToolsError, UsageError

MANIFEST = "manifest.json"
REPO_TYPE = "dataset"
# Hidden files and folders (``.DS_Store``, ``data/.tmp``, ``.cache/...``) never leave the machine.
# huggingface_hub matches these with ``fnmatch``, where ``*`` also crosses ``/``: the two patterns
# together exclude every path that has a component starting with a dot.
HIDDEN_PATTERNS = (".*", "*/.*")
# One part of ORG/NAME, as huggingface_hub.utils.validate_repo_id checks it (ASCII letters, digits,
# "-", "_", "."; starting and ending with a letter, digit or "_"; at most 96 characters).
REPO_PART = re.compile(r"^[A-Za-z0-9_](?:[A-Za-z0-9_.-]{0,94}[A-Za-z0-9_])?$")
SEMVER = re.compile(r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$")
_MASK = "***"
# A run of this many characters of the token is never shown.
_PIECE = 8
# Seconds each Hub step may take before publish gives up (``--timeout``; the upload gets
# ``--upload-timeout``), and how many times a step that reads or creates idempotently is
# retried after a transient failure. Retries share the step's seconds: a step never takes
# longer than its timeout, and a stalled request (no answer at all) is not retried.
TIMEOUT = 30.0
UPLOAD_TIMEOUT = 600.0
RETRIES = 2
# The longest server message a Hub error shows (a hostile or broken server may send megabytes),
# and the link to a status code's description that httpx2 adds to every HTTP error.
DETAIL_CHARS = 300
_MDN_LINK = re.compile(r" ?For more information check: https://developer\.mozilla\.org/\S*")

T = TypeVar("T")


class HubClient(Protocol):
    """The part of ``huggingface_hub.HfApi`` (2.4) that publishing uses; tests pass a stand-in."""

    def create_repo(
        self,
        repo_id: str,
        *,
        token: str | bool | None = None,
        private: bool | None = None,
        repo_type: str | None = None,
        exist_ok: bool = False,
    ) -> object: ...

    def list_repo_refs(
        self,
        repo_id: str,
        *,
        repo_type: str | None = None,
        token: str | bool | None = None,
    ) -> GitRefs: ...

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
    ) -> CommitInfo: ...

    def update_repo_settings(
        self,
        repo_id: str,
        *,
        private: bool | None = None,
        token: str | bool | None = None,
        repo_type: str | None = None,
    ) -> None: ...

    def create_tag(
        self,
        repo_id: str,
        *,
        tag: str,
        tag_message: str | None = None,
        revision: str | None = None,
        token: str | bool | None = None,
        repo_type: str | None = None,
    ) -> None: ...


class HubError(CorpusToolsError):
    """The Hugging Face Hub refused a request or could not be reached."""


class HubStalled(TimeoutError):
    """A Hub request gave no answer within its step's seconds."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"no answer within {seconds:g} s")
        self.seconds = seconds


@dataclass(frozen=True)
class PublishResult:
    """What was (or, on a dry run, would be) published."""

    repo_id: str
    version: str
    tag: str
    files: tuple[str, ...]
    dry_run: bool
    commit_url: str | None


def upload_plan(dist: Path) -> tuple[str, ...]:
    """Files of ``dist`` that ``publish`` uploads: sorted relative posix paths, no hidden ones."""
    _require_dist(dist)
    files = (
        path.relative_to(dist).as_posix()
        for path in dist.glob("**/*")
        if path.is_file() and not _is_hidden(path.relative_to(dist))
    )
    return tuple(sorted(files))


def publish(
    dist: Path,
    repo_id: str,
    *,
    api: HubClient | None = None,
    token: str | None = None,
    dry_run: bool = False,
    private: bool | None = None,
    timeout: float = TIMEOUT,
    upload_timeout: float = UPLOAD_TIMEOUT,
) -> PublishResult:
    """Upload ``dist`` to the dataset repository ``repo_id`` in one commit and tag it ``vX.Y.Z``.

    ``timeout`` bounds each Hub step other than the upload (retries included), ``upload_timeout``
    the upload, in seconds. Raises UsageError for a bad repo id or timeout, a missing build or
    release, a missing token or a version already tagged on the Hub, and HubError when the Hub
    refuses a request, cannot be reached or does not answer in time.
    """
    _check_timeout("--timeout", timeout)
    _check_timeout("--upload-timeout", upload_timeout)
    _check_repo_id(repo_id)
    version = read_version(dist)
    tag = f"v{version}"
    verify_dist(dist, version)  # before any network call: upload exactly what was released
    files = upload_plan(dist)
    if dry_run:
        return PublishResult(repo_id, version, tag, files, dry_run=True, commit_url=None)

    secret = _resolve_token(token)
    client: HubClient = (
        api if api is not None else HfApi(library_name="corpus-tools", library_version=__version__)
    )
    message = f"Release {tag}"

    _hub_call(
        "create the repository",
        secret,
        lambda: client.create_repo(
            repo_id, repo_type=REPO_TYPE, exist_ok=True, private=private, token=secret
        ),
        timeout,
        retries=RETRIES,
    )
    if private is not None:
        # create_repo leaves an existing repository's visibility alone: set it when asked.
        _hub_call(
            "set the repository's visibility",
            secret,
            lambda: client.update_repo_settings(
                repo_id, private=private, repo_type=REPO_TYPE, token=secret
            ),
            timeout,
            retries=RETRIES,
        )
    refs = _hub_call(
        "list the tags",
        secret,
        lambda: client.list_repo_refs(repo_id, repo_type=REPO_TYPE, token=secret),
        timeout,
        retries=RETRIES,
    )
    if any(ref.name == tag or ref.ref == f"refs/tags/{tag}" for ref in refs.tags):
        raise UsageError("tag-exists", repo_id=repo_id, tag=tag)
    commit = _hub_call(
        "upload dist/",
        secret,
        lambda: client.upload_folder(
            folder_path=dist,
            repo_id=repo_id,
            repo_type=REPO_TYPE,
            commit_message=message,
            ignore_patterns=list(HIDDEN_PATTERNS),  # a fresh list: HfApi extends it in place
            # Files dist/ no longer has are deleted in the same commit, so the tagged snapshot
            # equals dist/ (the Hub never deletes .gitattributes this way).
            delete_patterns=["*"],
            token=secret,
        ),
        upload_timeout,
    )
    _hub_call(
        f"tag the release {tag}",
        secret,
        lambda: client.create_tag(
            repo_id,
            tag=tag,
            revision=commit.oid,
            repo_type=REPO_TYPE,
            tag_message=message,
            token=secret,
        ),
        timeout,
    )
    return PublishResult(repo_id, version, tag, files, dry_run=False, commit_url=commit.commit_url)


def read_version(dist: Path) -> str:
    """The dataset's semantic version from ``dist/manifest.json``."""
    _require_dist(dist)
    manifest = dist / MANIFEST
    if not manifest.is_file():
        raise UsageError("no-dist", file=str(manifest), dist=dist)
    try:
        data = json.loads(manifest.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise UsageError("bad-manifest", file=str(manifest), detail=type(exc).__name__) from None
    if not isinstance(data, dict):
        raise UsageError("bad-manifest", file=str(manifest), detail="not a JSON object")
    version = data.get("version")
    if not isinstance(version, str) or not SEMVER.fullmatch(version) or version == "0.0.0":
        raise UsageError(
            "no-version", file=str(manifest), what=f"{MANIFEST} has no released version"
        )
    _require_released(dist, data, version)
    return version


def verify_dist(dist: Path, version: str) -> None:
    """Refuse a dist/ that its manifest does not vouch for: a changed, missing or unlisted
    file, or a version that is not the latest release."""
    from corpus_tools.package.manifest import folder_problems
    from corpus_tools.release.history import UNRELEASED, current_version, release_history

    problems = folder_problems(dist)
    latest = current_version(release_history(dist / "releases", lean=True))
    if latest != UNRELEASED and latest != version:
        problems.append(f"manifest.json has version {version}, but the latest release is {latest}")
    if problems:
        raise UsageError(
            "dist-mismatch", file=str(dist), detail="; ".join(problems[:3]), count=len(problems)
        )


def _require_released(dist: Path, manifest: dict[str, object], version: str) -> None:
    """Refuse a dist/ whose data is not exactly what release v<version> recorded."""
    released = dist / "releases" / f"v{version}.json"
    if not released.is_file():
        raise UsageError("not-released", file=str(released), version=version)
    try:
        entry = json.loads(released.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        entry = None
    keys = ("records", "schema_sha256", "metadata_sha256")
    if not isinstance(entry, dict) or any(entry.get(k) != manifest.get(k) for k in keys):
        raise UsageError("unreleased-changes", file=str(dist / MANIFEST), version=version)


def _require_dist(dist: Path) -> None:
    if not dist.is_dir():
        raise UsageError("no-dist", dist=dist)


def _is_hidden(relative: Path) -> bool:
    return any(part.startswith(".") for part in relative.parts)


def _check_repo_id(repo_id: str) -> None:
    org, slash, name = repo_id.partition("/")
    if not slash or not org or not name or "/" in name:
        raise UsageError("bad-repo-id", what=f"repo id {repo_id!r} is not of the form ORG/NAME")
    valid = all(REPO_PART.fullmatch(part) for part in (org, name))
    if not valid or "--" in repo_id or ".." in repo_id or repo_id.endswith(".git"):
        raise UsageError(
            "bad-repo-id",
            what=f"repo id {repo_id!r} is not a valid Hub name (letters, digits, '-', '_', '.'; "
            "no '--' or '..'; not starting or ending with '-' or '.'; at most 96 characters)",
        )


def _check_timeout(option: str, seconds: float) -> None:
    """A timeout is a finite number of seconds above 0 (and within what a thread can wait)."""
    valid = isinstance(seconds, int | float) and not isinstance(seconds, bool)
    if not valid or not math.isfinite(seconds) or not 0 < seconds <= threading.TIMEOUT_MAX:
        raise UsageError("bad-timeout", option=option, value=str(seconds))


def _resolve_token(token: str | None) -> str:
    """The token argument, else huggingface_hub's own ``get_token()`` (HF_TOKEN, then the
    stored login). A token with whitespace or control characters is refused unechoed, also
    one in HF_TOKEN that huggingface_hub would quietly join (it drops every CR and LF)."""
    if token is None:
        try:
            token = get_token()
        except Exception:  # an OIDC exchange or a token file that cannot be read
            token = None
        raw = os.environ.get("HF_TOKEN") or os.environ.get("HUGGING_FACE_HUB_TOKEN") or ""
        joined = raw.replace("\r", "").replace("\n", "").strip()
        if token is not None and token == joined and _unsafe(raw.strip()):  # it came from there
            raise UsageError(
                "no-token", what="HF_TOKEN contains whitespace or control characters (not shown)"
            )
    if token is None or not token:
        raise UsageError("no-token", what="no Hugging Face token found")
    if _unsafe(token):
        raise UsageError(
            "no-token",
            what="the Hugging Face token contains whitespace or control characters (not shown)",
        )
    return token


def _unsafe(token: str) -> bool:
    """Whether a token holds whitespace or control characters (no real token does)."""
    return any(ch.isspace() or ord(ch) < 32 or ord(ch) == 127 for ch in token)


def _with_deadline(call: Callable[[], T], seconds: float) -> T:
    """Run ``call`` in a daemon thread and give up after ``seconds`` (raising HubStalled).

    huggingface_hub's HTTP client has no read timeout; a daemon thread that never returns is
    abandoned (and ends with the process) instead of hanging the command.
    """
    box: dict[str, Any] = {}

    def run() -> None:
        try:
            box["value"] = call()
        except BaseException as exc:  # handed to the caller's thread
            box["error"] = exc

    worker = threading.Thread(target=run, daemon=True, name="hub-call")
    worker.start()
    worker.join(seconds)
    if worker.is_alive():
        raise HubStalled(seconds)
    if "error" in box:
        raise box["error"]
    return box["value"]  # type: ignore[no-any-return]


def _transient(exc: BaseException) -> bool:
    """Worth another try: a server error, a rate limit or a network failure; never a stall
    (it would only stall again), offline mode or a refusal (4xx)."""
    if isinstance(exc, HubStalled | OfflineModeIsEnabled):
        return False
    status = exc.response.status_code if isinstance(exc, HfHubHTTPError) else None
    return status is None or status >= 500 or status == 429


def _hub_call(step: str, secret: str, call: Callable[[], T], seconds: float, retries: int = 0) -> T:
    """One Hub step within ``seconds``: the first attempt and up to ``retries`` retries of a
    transient failure share that budget, so a stalled or failing endpoint ends in one clean
    line no later than ``seconds`` after the step began."""
    deadline = time.monotonic() + seconds
    for attempt in range(retries + 1):
        try:
            return _with_deadline(call, max(deadline - time.monotonic(), 0.0))
        except Exception as exc:  # every failure at the network boundary becomes one line
            pause = min(2.0**attempt, 5.0)
            left = deadline - time.monotonic()
            if attempt < retries and _transient(exc) and left > pause:
                time.sleep(pause)
                continue
            if isinstance(exc, HubStalled):
                exc = HubStalled(seconds)  # the step's whole budget, not the attempt's rest
            raise _hub_error(step, exc, secret) from None
    raise AssertionError("unreachable")


def _hub_error(step: str, exc: BaseException, secret: str) -> HubError:
    # Only the start of a long message is looked at, and the start of what is left is shown.
    text = _MDN_LINK.sub("", " ".join(str(exc).split()))[: DETAIL_CHARS * 4]
    detail = scrub(text, secret) or type(exc).__name__
    status = exc.response.status_code if isinstance(exc, HfHubHTTPError) else None
    if status is not None and str(status) not in detail[:40]:  # "Bad request: ..." has none
        detail = f"HTTP {status}: {detail}"
    if len(detail) > DETAIL_CHARS:  # cut after scrubbing: no piece of the token survives
        detail = detail[: DETAIL_CHARS - 3].rstrip() + "..."
    if isinstance(exc, OfflineModeIsEnabled):
        hint = "unset HF_HUB_OFFLINE and retry"
    elif isinstance(exc, HubStalled):
        hint = (
            "check the network and retry, or allow more time with --timeout SECONDS "
            "(--upload-timeout for the upload); files already on the Hub are not uploaded again"
        )
    elif status in (401, 403):
        hint = "check that the token can write to the namespace (HF_TOKEN or `hf auth login`)"
    elif status == 404:
        hint = "check --repo-id and that the token has write access to it"
    elif status is not None and 400 <= status < 500 and status not in (408, 429):
        hint = "the Hub refused the request (see its message); retrying unchanged will not help"
    else:
        hint = "check the network and retry; files already on the Hub are not uploaded again"
    return HubError("hub", step=step, detail=detail, hint=hint)


def scrub(text: str, secret: str) -> str:
    """The text without the secret, nor any recognisable piece or escaped form of it.

    Every character inside an occurrence of the secret, of an escaped form of it (repr, JSON,
    URL) or of any 8 characters in a row of it is masked, and each masked run becomes one
    ``***``: what is left holds no 8 characters of the secret in a row.
    """
    if not secret:
        return text
    forms = {
        secret,
        repr(secret)[1:-1],
        secret.encode("unicode_escape").decode("ascii"),
        json.dumps(secret)[1:-1],
        urllib.parse.quote(secret, safe=""),
    }
    forms |= {secret[i : i + _PIECE] for i in range(len(secret) - _PIECE + 1)}
    masked = [False] * len(text)
    for form in forms:
        start = text.find(form)
        while start != -1:
            masked[start : start + len(form)] = [True] * len(form)
            start = text.find(form, start + 1)
    kept: list[str] = []
    for index, char in enumerate(text):
        if not masked[index]:
            kept.append(char)
        elif index == 0 or not masked[index - 1]:
            kept.append(_MASK)
    return "".join(kept)
