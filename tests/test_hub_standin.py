"""publish against a stand-in Hub on 127.0.0.1: the real command and the real HfApi client
(through HF_ENDPOINT) meet a server that stalls, or fails while echoing the token back. Also the
deadlines in-process: a stall is not retried, retries share the step's seconds, and only
timeouts above 0 are taken."""

from __future__ import annotations

import http.server
import inspect
import json
import math
import os
import shutil
import threading
import time
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType

import pytest
from typer.testing import CliRunner

from corpus_tools.cli import app, publish_command
from corpus_tools.errors import UsageError
from corpus_tools.project import Project
from corpus_tools.publish.hub import TIMEOUT, UPLOAD_TIMEOUT, HubError, publish, scrub
from tests.conftest import Run, copy_project, http_error, run_cli
from tests.test_publish import FakeHfApi, write_dist

REPO_ID = "my-org/news-corpus"
# A token of the Hub's shape (hf_ and 30 letters); no 8 characters of it may ever be shown.
TOKEN = "hf_QmZkVbTrWpXyLcNdGsHjFqAeUiOoRt"
# Every environment variable that could point huggingface_hub elsewhere or hand it a token.
_SCRUBBED_ENV = (
    "HF_HUB_OFFLINE",
    "HF_DATASETS_OFFLINE",
    "HF_TOKEN",
    "HUGGING_FACE_HUB_TOKEN",
    "HF_OIDC_RESOURCE",
    "HF_ENDPOINT",
    "HF_HOME",
    "HF_TOKEN_PATH",
    "http_proxy",
    "https_proxy",
    "all_proxy",
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "ALL_PROXY",
)


def pieces(secret: str, size: int = 8) -> list[str]:
    """Every run of ``size`` characters of the secret."""
    return [secret[i : i + size] for i in range(len(secret) - size + 1)]


def assert_nothing_of(secret: str, text: str) -> None:
    assert secret not in text
    for piece in pieces(secret):
        assert piece not in text, f"{piece!r} of the token was shown"


# --------------------------------------------------------------------------- the stand-in server


def echo_of(headers: dict[str, str]) -> str:
    """The request's Authorization value split in halves, JSON-escaped and URL-encoded, then
    every header of the request."""
    auth = headers.get("authorization", "")
    token = auth.removeprefix("Bearer ")
    half = len(token) // 2
    forms = [
        f"halves={token[:half]} ... {token[half:]}",
        f"json={json.dumps(auth)}",
        f"url={urllib.parse.quote(auth, safe='')}",
        "; ".join(f"{k}: {v}" for k, v in headers.items()),
    ]
    return " | ".join(forms)


class Handler(http.server.BaseHTTPRequestHandler):
    server: StandInServer

    def handle(self) -> None:
        with self.server.lock:
            self.server.connections += 1
        if self.server.mode == "stall":
            # Accept the connection, never answer (until the test ends).
            self.server.release.wait(60)
            return
        super().handle()

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        headers = {k.lower(): v for k, v in self.headers.items()}
        with self.server.lock:
            self.server.seen.append(f"{self.command} {self.path}")
        echo = echo_of(headers)
        auth = headers.get("authorization", "")
        self.send_response(self.server.status)
        if self.server.body == "json":
            # The token in \uXXXX escapes, which the client decodes into its message.
            escaped = "".join(f"\\u{ord(ch):04x}" for ch in auth)
            body = (
                '{"error": "token \\"'
                + escaped
                + '\\" refused", "errors": [{"message": '
                + json.dumps(f"request was\n\n{echo}")
                + "}]}"
            ).encode()
            self.send_header("Content-Type", "application/json")
        else:
            body = f"refused\r\nrequest was {echo}\n".encode()
            self.send_header("Content-Type", "text/plain")
            self.send_header("X-Error-Message", f"bad credentials {echo}")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("X-Request-Id", auth or "none")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = _answer

    def log_message(self, format: str, *args: object) -> None:
        pass


class StandInServer(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, mode: str, status: int, body: str) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.mode = mode
        self.status = status
        self.body = body
        self.connections = 0
        self.seen: list[str] = []
        self.lock = threading.Lock()
        self.release = threading.Event()


class StandIn:
    """A Hub on 127.0.0.1 that stalls (``mode="stall"``) or answers every request with
    ``status``, echoing the request's headers (``mode="echo"``)."""

    def __init__(self, mode: str, status: int = 500, body: str = "json") -> None:
        self.server = StandInServer(mode, status, body)
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    @property
    def connections(self) -> int:
        with self.server.lock:
            return self.server.connections

    def __enter__(self) -> StandIn:
        self._thread.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.server.release.set()
        self.server.shutdown()
        self.server.server_close()
        self._thread.join(5)


# --------------------------------------------------------------------------- running the command


def run_publish(
    root: Path, endpoint: str, token: str | None, *args: str, home: Path | None = None
) -> Run:
    env = {k: v for k, v in os.environ.items() if k not in _SCRUBBED_ENV}
    env.update(
        HF_ENDPOINT=endpoint,
        HF_HOME=str(home or root / ".hf-home"),  # no stored login is reachable
        HF_HUB_DISABLE_TELEMETRY="1",
        NO_PROXY="127.0.0.1,localhost",
        no_proxy="127.0.0.1,localhost",
    )
    if token is not None:
        env["HF_TOKEN"] = token
    return run_cli("publish", "--repo-id", REPO_ID, "--project", str(root), *args, env=env)


def assert_one_clean_line(run: Run) -> str:
    assert "Traceback" not in run.output
    assert run.stdout == ""
    assert len(run.lines) == 1, run.output
    return run.lines[0]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """This repository's project with its releases, built once (dist/ is its latest release)."""
    root = copy_project(tmp_path_factory.mktemp("standin") / "corpus")
    done = run_cli("build", "--project", str(root), "--jobs", "1", timeout=120)
    assert done.code == 0, done.output
    assert (root / "dist" / "manifest.json").is_file()
    return root


# --------------------------------------------------------------------------- a stalled endpoint


def test_a_stalled_hub_ends_in_one_line_within_the_timeout(built: Path) -> None:
    with StandIn("stall") as hub:
        run = run_publish(built, hub.url, TOKEN, "--timeout", "2")
        connections = hub.connections
    assert run.code == 1  # the "hub" problem: a fault of the run, not of the call
    assert run.seconds < 20, f"took {run.seconds:.1f} s"
    line = assert_one_clean_line(run)
    assert line.startswith("could not create the repository on the Hugging Face Hub: ")
    assert "no answer within 2 s" in line
    assert "--timeout" in line  # the hint says how to allow more time
    assert connections == 1  # a stall is not retried
    assert_nothing_of(TOKEN, run.output)


# --------------------------------------------------------------------------- an echoing endpoint


@pytest.mark.parametrize(
    ("status", "body"), [(500, "json"), (503, "text"), (401, "json"), (400, "text")]
)
def test_a_hub_that_echoes_the_token_never_gets_it_shown(
    built: Path, status: int, body: str
) -> None:
    with StandIn("echo", status=status, body=body) as hub:
        run = run_publish(built, hub.url, TOKEN, "--timeout", "2")
        seen = list(hub.server.seen)
    assert seen, "the stand-in Hub received no request"
    assert run.code == 1
    assert run.seconds < 20, f"took {run.seconds:.1f} s"
    line = assert_one_clean_line(run)
    assert line.startswith("could not create the repository on the Hugging Face Hub: ")
    assert str(status) in line
    assert "***" in line  # the echo reached the message, and the token was masked
    assert_nothing_of(TOKEN, run.output)


@pytest.mark.parametrize(
    "token",
    [
        TOKEN[:16] + "\n" + TOKEN[16:],
        TOKEN[:16] + " " + TOKEN[16:],
        TOKEN[:16] + "\t" + TOKEN[16:],
    ],
    ids=["newline", "space", "tab"],
)
def test_a_token_with_whitespace_is_refused_unsent_and_unshown(built: Path, token: str) -> None:
    with StandIn("echo", status=500) as hub:
        run = run_publish(built, hub.url, token)
        connections = hub.connections
    assert run.code == 2
    line = assert_one_clean_line(run)
    assert "whitespace or control characters" in line
    assert connections == 0
    for part in token.split():
        assert_nothing_of(part, run.output)
    assert_nothing_of(TOKEN, run.output)


# --------------------------------------------------------------------------- refused before sending


@pytest.mark.parametrize("change", ["card", "extra-file"])
def test_a_dist_that_does_not_match_its_manifest_sends_nothing(
    built: Path, tmp_path: Path, change: str
) -> None:
    root = tmp_path / "corpus"
    shutil.copytree(built, root)
    if change == "card":
        card = root / "dist" / "README.md"
        card.write_text(card.read_text(encoding="utf-8") + "\nedited by hand\n", encoding="utf-8")
    else:
        (root / "dist" / "notes.txt").write_text("not built\n", encoding="utf-8")
    with StandIn("echo", status=500) as hub:
        run = run_publish(root, hub.url, TOKEN)
        connections = hub.connections
    assert connections == 0
    assert run.code == 2
    line = assert_one_clean_line(run)
    assert "does not match its manifest" in line
    assert ("README.md" if change == "card" else "notes.txt") in line
    assert "nothing was uploaded" in line
    assert_nothing_of(TOKEN, run.output)


# --------------------------------------------------------------------------- deadlines in-process


@dataclass
class SlowHfApi(FakeHfApi):
    """A stand-in HfApi whose ``stall`` methods never answer (until the test ends)."""

    stall: tuple[str, ...] = ()
    release: threading.Event = field(default_factory=threading.Event)

    def _record(self, name: str, args: dict[str, object]) -> None:
        super()._record(name, args)
        if name in self.stall:
            self.release.wait(30)


@pytest.fixture
def slow() -> Iterator[SlowHfApi]:
    api = SlowHfApi()
    yield api
    api.release.set()


def test_a_stall_is_not_retried(tmp_path: Path, slow: SlowHfApi) -> None:
    slow.stall = ("create_repo",)
    start = time.monotonic()
    with pytest.raises(HubError) as caught:
        publish(write_dist(tmp_path), REPO_ID, api=slow, token=TOKEN, timeout=0.3)
    assert time.monotonic() - start < 1.5
    assert slow.names() == ["create_repo"]
    assert "could not create the repository" in str(caught.value)
    assert "no answer within 0.3 s" in str(caught.value)
    assert caught.value.exit_code == 1


def test_the_upload_has_its_own_timeout(tmp_path: Path, slow: SlowHfApi) -> None:
    slow.stall = ("upload_folder",)
    start = time.monotonic()
    with pytest.raises(HubError) as caught:
        publish(write_dist(tmp_path), REPO_ID, api=slow, token=TOKEN, timeout=5, upload_timeout=0.3)
    assert time.monotonic() - start < 2.5
    assert slow.names() == ["create_repo", "list_repo_refs", "upload_folder"]
    assert "could not upload dist/" in str(caught.value)
    assert "no answer within 0.3 s" in str(caught.value)


def test_retries_share_the_steps_seconds(tmp_path: Path) -> None:
    # A server error is retried after 1 s, then after 2 s; with 1.5 s for the step, only the
    # first retry fits, and the step ends within its seconds.
    api = FakeHfApi(fail={"create_repo": http_error(503, "503 Server Error")})
    start = time.monotonic()
    with pytest.raises(HubError) as caught:
        publish(write_dist(tmp_path), REPO_ID, api=api, token=TOKEN, timeout=1.5)
    assert time.monotonic() - start < 1.5
    assert api.names() == ["create_repo", "create_repo"]
    assert "503" in str(caught.value)


def test_project_publish_passes_the_timeouts_on(
    tmp_path: Path, repo_project: Project, slow: SlowHfApi
) -> None:
    slow.stall = ("list_repo_refs",)
    with pytest.raises(HubError) as caught:
        repo_project.publish(REPO_ID, dist=write_dist(tmp_path), api=slow, token=TOKEN, timeout=0.2)
    assert "could not list the tags" in str(caught.value)
    assert "no answer within 0.2 s" in str(caught.value)


def test_a_long_server_message_is_cut(tmp_path: Path) -> None:
    api = FakeHfApi(fail={"create_tag": http_error(409, "409 Conflict " + "x" * 100_000 + TOKEN)})
    with pytest.raises(HubError) as caught:
        publish(write_dist(tmp_path), REPO_ID, api=api, token=TOKEN)
    assert len(str(caught.value)) < 600
    assert "409 Conflict" in str(caught.value)
    assert_nothing_of(TOKEN, str(caught.value))


@pytest.mark.parametrize("seconds", [0, -1, math.nan, math.inf, 1e12])
@pytest.mark.parametrize("which", ["timeout", "upload_timeout"])
def test_a_timeout_must_be_seconds_above_0(tmp_path: Path, seconds: float, which: str) -> None:
    api = FakeHfApi()
    options = {"timeout": TIMEOUT, "upload_timeout": UPLOAD_TIMEOUT, which: seconds}
    with pytest.raises(UsageError) as caught:
        publish(
            write_dist(tmp_path),
            REPO_ID,
            api=api,
            token=TOKEN,
            timeout=options["timeout"],
            upload_timeout=options["upload_timeout"],
        )
    assert caught.value.code == "bad-timeout"
    assert caught.value.exit_code == 2
    assert f"--{which.replace('_', '-')} is " in str(caught.value)
    assert api.calls == []


@pytest.mark.parametrize("option", ["--timeout", "--upload-timeout"])
@pytest.mark.parametrize("value", ["0", "-5", "nan", "inf"])
def test_the_cli_refuses_a_bad_timeout_with_exit_2(tmp_path: Path, option: str, value: str) -> None:
    root = copy_project(tmp_path / "corpus", seeds=())
    result = CliRunner().invoke(
        app, ["publish", "--repo-id", REPO_ID, option, value, "--project", str(root)]
    )
    assert result.exit_code == 2
    assert f"{option} is " in result.output
    assert "Traceback" not in result.output


def test_help_documents_the_timeouts_and_their_defaults() -> None:
    result = CliRunner().invoke(app, ["publish", "--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0
    text = " ".join(result.output.split())
    assert "--timeout" in text
    assert "--upload-timeout" in text
    assert "[default: 30.0]" in text
    assert "[default: 600.0]" in text
    assert "Example" in text
    assert "corpus-tools publish --repo-id my-org/harbor-news --timeout 10" in text
    parameters = inspect.signature(publish_command).parameters
    assert parameters["timeout"].default == TIMEOUT
    assert parameters["upload_timeout"].default == UPLOAD_TIMEOUT


@pytest.mark.parametrize(
    "shown",
    [
        f"Bearer {TOKEN}",
        f"{TOKEN[:16]} ... {TOKEN[16:]}",  # split in halves
        f"{TOKEN[:12]}{TOKEN[4:20]}{TOKEN[15:]}",  # overlapping pieces run together
        json.dumps({"authorization": f"Bearer {TOKEN}"}),
        urllib.parse.quote(f"Bearer {TOKEN}", safe=""),
        repr({"token": TOKEN}),
    ],
)
def test_scrub_leaves_no_8_characters_of_the_token(shown: str) -> None:
    text = scrub(f"error: {shown} (end)", TOKEN)
    assert_nothing_of(TOKEN, text)
    assert text.startswith("error: ")
    assert text.endswith(" (end)")
    assert "***" in text


def test_scrub_masks_escaped_forms_and_short_secrets() -> None:
    odd = 'hf_a+b/c=d%e&f\\g"h'
    for form in (json.dumps(odd)[1:-1], urllib.parse.quote(odd, safe=""), repr(odd)[1:-1]):
        assert scrub(f"x {form} y", odd) == "x *** y"
    assert scrub("token abc12 echoed", "abc12") == "token *** echoed"
    assert scrub("nothing here", TOKEN) == "nothing here"
