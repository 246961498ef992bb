"""Dataset metadata from dataset.toml: the one versioned file for name, version and license."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from corpus_tools.errors import UsageError

METADATA_FILE = "dataset.toml"
VERSION = re.compile(r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$")


@dataclass(frozen=True)
class DatasetMeta:
    """What dataset.toml says about the dataset."""

    name: str
    pretty_name: str
    version: str
    summary: str
    allowed_languages: tuple[str, ...]
    task_categories: tuple[str, ...]
    tags: tuple[str, ...]
    source_datasets: tuple[str, ...]
    annotations_creators: tuple[str, ...]
    citation_authors: tuple[str, ...]
    license_id: str
    license_name: str
    license_details: str


def load_meta(path: Path = Path(METADATA_FILE)) -> DatasetMeta:
    """Read dataset.toml, or raise a UsageError that names the missing piece."""
    if not path.is_file():
        raise UsageError(
            "no-metadata",
            f"{path} not found",
            "run the command from the project folder that holds dataset.toml",
            file=str(path),
        )
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
        meta = DatasetMeta(
            name=raw["name"],
            pretty_name=raw["pretty_name"],
            version=raw["version"],
            summary=raw["summary"],
            allowed_languages=tuple(raw["allowed_languages"]),
            task_categories=tuple(raw["task_categories"]),
            tags=tuple(raw["tags"]),
            source_datasets=tuple(raw["source_datasets"]),
            annotations_creators=tuple(raw["annotations_creators"]),
            citation_authors=tuple(raw["citation_authors"]),
            license_id=raw["license"]["id"],
            license_name=raw["license"]["name"],
            license_details=raw["license"]["details"],
        )
    except (tomllib.TOMLDecodeError, KeyError, TypeError) as exc:
        raise UsageError(
            "bad-metadata",
            f"dataset.toml is incomplete or malformed ({exc})",
            "compare it with the keys documented in README.md",
            file=str(path),
        ) from None
    if not VERSION.match(meta.version):
        raise UsageError(
            "bad-metadata",
            f"version {meta.version!r} is not MAJOR.MINOR.PATCH",
            "write a semantic version such as 1.0.0",
            file=str(path),
        )
    return meta


def set_version(path: Path, version: str) -> None:
    """Rewrite only the version line of dataset.toml, keeping comments and layout."""
    text = path.read_text(encoding="utf-8")
    new, count = re.subn(r'(?m)^version = "[^"]*"$', f'version = "{version}"', text, count=1)
    if count != 1:
        raise UsageError(
            "bad-metadata",
            "no top-level version line",
            'add a line version = "0.0.0"',
            file=str(path),
        )
    path.write_text(new, encoding="utf-8")


def project_meta() -> DatasetMeta:
    """dataset.toml of the current folder, else the one shipped with the package."""
    local = Path(METADATA_FILE)
    if local.is_file():
        return load_meta(local)
    repo = Path(__file__).resolve().parent.parent / METADATA_FILE
    packaged = Path(__file__).resolve().parent / "_data" / METADATA_FILE
    return load_meta(repo if repo.is_file() else packaged)
