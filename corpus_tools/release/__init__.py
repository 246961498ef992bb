"""Release: semantic versions from what changed, recorded in the project's releases/."""

from corpus_tools.release.changes import Changes, bump_version, diff
from corpus_tools.release.cut import BUMP_CHOICES, ReleaseRefused, ReleaseResult, release
from corpus_tools.release.history import current_version, release_history

__all__ = [
    "BUMP_CHOICES",
    "Changes",
    "ReleaseRefused",
    "ReleaseResult",
    "bump_version",
    "current_version",
    "diff",
    "release",
    "release_history",
]
