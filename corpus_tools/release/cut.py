"""corpus-tools release: compare a build with the last release, bump, record, rebuild.

The release history in the project's ``releases/`` is the only record of versions. A release
is recorded by one atomic rename of its file into ``releases/``; dist/ is derived from the
seeds and the history, so a release interrupted before its final build is finished by the next
build.
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from corpus_tools.errors import CorpusToolsError, UsageError
from corpus_tools.package.atomic import AtomicWriter
from corpus_tools.package.build import build
from corpus_tools.package.manifest import MANIFEST, dumps, read_json
from corpus_tools.release.changes import BUMPS, Changes, bump_version, diff
from corpus_tools.release.history import release_history
from corpus_tools.state import begin_release, checkpoint, end_release

if TYPE_CHECKING:
    from corpus_tools.project import Progress, Project

BUMP_CHOICES = ("auto", *BUMPS)
_RANK = {"patch": 0, "minor": 1, "major": 2}


class ReleaseRefused(CorpusToolsError):
    """Nothing to release, or the requested bump is too small for the changes."""


@dataclass(frozen=True)
class ReleaseResult:
    """The release that was made."""

    version: str
    previous: str | None
    bump: str
    changes: Changes


def release(
    project: Project, bump: str = "auto", progress: Progress | None = None, jobs: int = 1
) -> ReleaseResult:
    """Build, diff against the last release, record the release and rebuild dist/."""
    if bump not in BUMP_CHOICES:
        raise UsageError("bad-bump", bump=bump, choices=", ".join(BUMP_CHOICES))
    dist = project.dist_dir
    history = release_history(project.releases_dir, lean=True)
    # Probe build beside dist/: a refused release must leave dist/ exactly as it was.
    dist.parent.mkdir(parents=True, exist_ok=True)
    probe_parent = Path(tempfile.mkdtemp(prefix=f".{dist.name}.release-", dir=dist.parent))
    try:
        build(
            project, project.seeds_dir, probe_parent / dist.name, progress, jobs
        )  # refuses bad data
        current = read_json(probe_parent / dist.name / MANIFEST)
    finally:
        shutil.rmtree(probe_parent, ignore_errors=True)
    last = history[-1] if history else None
    changes = diff(last, current)
    if last is not None and changes.empty:
        raise ReleaseRefused("unchanged", version=last["version"])
    needed = changes.needed_bump() or "patch"
    chosen = needed if bump == "auto" else bump
    if last is not None and _RANK[chosen] < _RANK[needed]:
        raise ReleaseRefused("bump-too-small", bump=bump, needed=needed)
    previous = last["version"] if last else None
    version = bump_version(previous, chosen)
    entry = {
        "version": version,
        "previous": previous,
        "bump": chosen if last else "initial",
        "date": project.today.isoformat(),
        "schema_sha256": current["schema_sha256"],
        "metadata_sha256": current["metadata_sha256"],
        "fields": current["fields"],
        "records": current["records"],
        "changes": changes.to_json(),
    }
    begin_release(project, version)
    checkpoint("release.journaled")
    # The commit point: the release exists once its file is renamed into releases/.
    with AtomicWriter(project.releases_dir / f"v{version}.json") as out:
        out.write(dumps(entry))
    checkpoint("release.recorded")
    build(project, project.seeds_dir, dist, progress, jobs)
    end_release(project)
    return ReleaseResult(version=version, previous=previous, bump=entry["bump"], changes=changes)
