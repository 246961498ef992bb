"""Seed files: naming, listing and decoding, with one-line errors for bad input."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from corpus_tools.errors import ConversionError, UsageError

SEED_NAME = re.compile(r"^(?P<order>[0-9]{3})_(?P<id>[0-9a-f]{16})\.txt$")


@dataclass(frozen=True)
class Seed:
    """One seed file's name, display path and raw bytes."""

    name: str
    path: str
    data: bytes

    @property
    def id(self) -> str:
        """The 16-hex id from the file name."""
        return check_name(self.name, self.path).group("id")

    @property
    def sha256(self) -> str:
        """SHA-256 of the file's bytes."""
        return hashlib.sha256(self.data).hexdigest()


def check_name(name: str, path: str | None = None) -> re.Match[str]:
    """Match a seed file name or raise a ConversionError that says the expected form."""
    match = SEED_NAME.match(name)
    if match is None:
        raise ConversionError(
            "file-name",
            "file name does not follow NNN_<16 hex>.txt",
            "rename it like 005_0123456789abcdef.txt (three digits, underscore, 16 lower-case "
            "hex digits)",
            file=path or name,
        )
    return match


def decode(seed: Seed) -> str:
    """Decode a seed's bytes as UTF-8 text, rejecting empty and binary files."""
    if not seed.data.strip():
        raise ConversionError(
            "empty-file",
            "file is empty",
            "add the article text or remove the file",
            file=seed.path,
        )
    if b"\x00" in seed.data:
        raise ConversionError(
            "binary-file",
            "file contains NUL bytes and is not a text file",
            "replace it with the article copied as plain UTF-8 text",
            file=seed.path,
        )
    try:
        return seed.data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = seed.data[: exc.start].count(b"\n") + 1
        raise ConversionError(
            "not-utf8",
            f"file is not UTF-8 text (byte 0x{seed.data[exc.start]:02x} at offset {exc.start})",
            "re-save it as UTF-8, for example with iconv -f latin1 -t utf-8",
            file=seed.path,
            line=line,
        ) from None


def list_seeds(folder: Path) -> list[Path]:
    """The folder's entries in name order, hidden ones left out (subfolders are reported later
    by ``read_seed``, so that no seed silently drops out of the corpus)."""
    if not folder.is_dir():
        what = "is not a folder" if folder.exists() else "does not exist"
        raise UsageError(
            "no-seeds-folder",
            f"seeds folder {folder} {what}",
            "pass the folder that holds the NNN_<16 hex>.txt files",
            file=str(folder),
        )
    files = sorted(p for p in folder.iterdir() if not p.name.startswith("."))
    if not files:
        raise UsageError(
            "no-seeds",
            f"seeds folder {folder} holds no files",
            "add seed files named NNN_<16 hex>.txt",
            file=str(folder),
        )
    return files


def read_seed(path: Path, shown: str | None = None) -> Seed:
    """Read one seed file, turning a folder or an unreadable file into a ConversionError."""
    shown = shown or str(path)
    if path.is_dir():
        raise ConversionError(
            "not-a-file",
            "is a folder, not a seed file",
            "move it out of the seeds folder",
            file=shown,
        )
    try:
        return Seed(name=path.name, path=shown, data=path.read_bytes())
    except OSError as exc:
        raise ConversionError(
            "unreadable",
            f"cannot be read ({exc.strerror or exc})",
            "fix the file (a broken link?) or remove it",
            file=shown,
        ) from None


def read_seeds(folder: Path) -> Iterator[Seed]:
    """Yield each seed of a folder, one file in memory at a time."""
    for path in list_seeds(folder):
        yield read_seed(path)
