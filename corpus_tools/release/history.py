"""The release history: one JSON file per version in the project's releases/ folder.

It is the only record of the dataset's versions. It lives in the project, outside what a build
replaces, and a build copies it into dist/releases/.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from corpus_tools.errors import UsageError
from corpus_tools.package.manifest import read_json

_RELEASE_FILE = re.compile(r"v(?P<version>(?:0|[1-9]\d*)\.(?:0|[1-9]\d*)\.(?:0|[1-9]\d*))\.json")
UNRELEASED = "0.0.0"


def release_history(folder: Path) -> list[dict[str, Any]]:
    """Release manifests in version order (oldest first)."""
    if not folder.is_dir():
        return []
    releases = []
    for path in sorted(folder.iterdir()):
        if path.name.startswith("."):
            continue  # .gitkeep and editor files
        match = _RELEASE_FILE.fullmatch(path.name)
        try:
            entry = read_json(path) if match else None
        except (ValueError, OSError):
            entry = None
        if (
            match is None
            or not isinstance(entry, dict)
            or entry.get("version") != match.group("version")
            or not isinstance(entry.get("records"), list)
        ):
            raise UsageError("bad-release-file", file=str(path))
        releases.append(entry)
    return sorted(releases, key=lambda r: tuple(int(x) for x in r["version"].split(".")))


def current_version(history: list[dict[str, Any]]) -> str:
    """The latest released version, or 0.0.0 before the first release."""
    return str(history[-1]["version"]) if history else UNRELEASED
