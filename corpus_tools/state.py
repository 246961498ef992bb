"""Safe state changes: one build or release at a time, and recovery after a crash.

A project lock (``.corpus-tools.lock``, through filelock) serialises builds and releases. A
release first writes a journal (``.corpus-tools-release.json``) naming its version, then
records the release file (one atomic rename: the commit point), then rebuilds dist/, then
removes the journal. The next build or release that finds a journal finishes that release (its
file exists: dist/ is rebuilt) or rolls it back (it does not), and says which. Staging folders
left by a killed build are removed, and a dist/ moved aside but never replaced is put back.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from corpus_tools.errors import UsageError

if TYPE_CHECKING:
    from corpus_tools.project import Project

LOCK = ".corpus-tools.lock"
JOURNAL = ".corpus-tools-release.json"
# Seconds a second build or release waits for the first before it gives up.
LOCK_WAIT = 30.0
# Fault injection for tests: the process kills itself (SIGKILL) at the named point.
KILL_AT = "CORPUS_TOOLS_KILL_AT"


def checkpoint(name: str) -> None:
    """A named point of a build or release where tests may kill the process."""
    if os.environ.get(KILL_AT) == name:
        os.kill(os.getpid(), signal.SIGKILL)


@contextmanager
def project_lock(project: Project, wait: float = LOCK_WAIT) -> Iterator[None]:
    """Hold the project's lock; another run waits up to ``wait`` seconds, then refuses."""
    from filelock import FileLock, Timeout

    path = project.root / LOCK
    try:
        with FileLock(str(path), timeout=wait):
            yield
    except Timeout:
        raise UsageError("locked", file=str(path), wait=wait) from None


def clean_leftovers(output: Path) -> list[str]:
    """Remove staging folders of killed runs; put back a dist/ moved aside but not replaced."""
    notes: list[str] = []
    parent = output.parent
    if not parent.is_dir():
        return notes
    for pattern in (f".{output.name}.building-*", f".{output.name}.release-*"):
        for leftover in parent.glob(pattern):
            shutil.rmtree(leftover, ignore_errors=True)
            notes.append(f"removed {leftover.name}, left by an interrupted run")
    backup = output.with_name(f".{output.name}.previous")
    if backup.exists():
        if output.exists():
            shutil.rmtree(backup, ignore_errors=True)
        else:
            backup.rename(output)
            notes.append(f"restored {output.name}/, which an interrupted build had moved aside")
    return notes


def begin_release(project: Project, version: str) -> None:
    """Write the journal of a release about to be recorded."""
    path = project.root / JOURNAL
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps({"version": version}) + "\n", encoding="utf-8")
    os.replace(tmp, path)


def end_release(project: Project) -> None:
    """The release is recorded and dist/ rebuilt: drop the journal."""
    (project.root / JOURNAL).unlink(missing_ok=True)


def pending_release(project: Project) -> tuple[str, bool] | None:
    """(version, recorded) of a release a crash interrupted, or None."""
    path = project.root / JOURNAL
    if not path.is_file():
        return None
    try:
        version = str(json.loads(path.read_text(encoding="utf-8"))["version"])
    except (OSError, ValueError, KeyError, TypeError):
        path.unlink(missing_ok=True)
        return None
    return version, (project.releases_dir / f"v{version}.json").is_file()


def recover(project: Project) -> tuple[list[str], bool]:
    """Say what an interrupted release left, rolling back one that was never recorded.

    Returns the notes and whether a recorded release awaits the build that follows (the
    caller's), which derives dist/ from the seeds and the release history.
    """
    pending = pending_release(project)
    if pending is None:
        return [], False
    version, recorded = pending
    if recorded:
        return [f"finishing interrupted release v{version}: rebuilding dist/"], True
    end_release(project)
    return [f"rolled back interrupted release v{version}: it was never recorded"], False
