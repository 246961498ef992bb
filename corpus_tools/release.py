"""corpus-tools release: compare the build with the last release, bump, record, restamp."""

from __future__ import annotations

import datetime as dt
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from corpus_tools.build import build
from corpus_tools.changes import BUMPS, Changes, bump_version, diff
from corpus_tools.errors import CorpusToolsError, UsageError
from corpus_tools.manifest import MANIFEST, RELEASES, dumps, read_json, release_history
from corpus_tools.metadata import load_meta, set_version
from corpus_tools.validation import Progress

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
    seeds: Path,
    dist: Path,
    metadata: Path,
    bump: str = "auto",
    today: dt.date | None = None,
    progress: Progress | None = None,
) -> ReleaseResult:
    """Build, diff against the last release, write the release manifest and rebuild."""
    if bump not in BUMP_CHOICES:
        raise UsageError("bad-bump", f"unknown bump {bump!r}", f"use {', '.join(BUMP_CHOICES)}")
    meta = load_meta(metadata)
    history_dir = dist / RELEASES
    history = release_history(history_dir)
    # Probe build beside dist/: a refused release must leave dist/ exactly as it was.
    probe_parent = Path(tempfile.mkdtemp(prefix=f".{dist.name}.release-", dir=dist.parent))
    try:
        build(seeds, probe_parent / dist.name, meta, history_dir, progress)  # refuses bad data
        current = read_json(probe_parent / dist.name / MANIFEST)
    finally:
        shutil.rmtree(probe_parent)
    last = history[-1] if history else None
    changes = diff(last, current)
    if last is not None and changes.empty:
        raise ReleaseRefused(
            "unchanged",
            f"nothing changed since v{last['version']}",
            "change seeds or the schema before releasing",
        )
    needed = changes.needed_bump() or "patch"
    chosen = needed if bump == "auto" else bump
    if last is not None and _RANK[chosen] < _RANK[needed]:
        raise ReleaseRefused(
            "bump-too-small",
            f"--bump {bump} is too small: the changes need a {needed} release",
            f"run corpus-tools release --bump {needed} (or auto)",
        )
    previous = last["version"] if last else None
    version = bump_version(previous, chosen)
    entry = {
        "version": version,
        "previous": previous,
        "bump": chosen if last else "initial",
        "date": (today or dt.date.today()).isoformat(),
        "schema_sha256": current["schema_sha256"],
        "metadata_sha256": current["metadata_sha256"],
        "fields": current["fields"],
        "records": current["records"],
        "changes": changes.to_json(),
    }
    history_dir.mkdir(parents=True, exist_ok=True)
    release_file = history_dir / f"v{version}.json"
    release_file.write_text(dumps(entry), encoding="utf-8", newline="\n")
    set_version(metadata, version)
    try:
        build(seeds, dist, load_meta(metadata), history_dir, progress)
    except BaseException:
        release_file.unlink(missing_ok=True)
        set_version(metadata, meta.version)
        raise
    return ReleaseResult(version=version, previous=previous, bump=entry["bump"], changes=changes)
