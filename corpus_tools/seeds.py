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
    """The folder's files in name order, hidden files left out."""
    if not folder.is_dir():
        raise UsageError(
            "no-seeds-folder",
            f"seeds folder {folder} does not exist",
            "pass the folder that holds the NNN_<16 hex>.txt files",
            file=str(folder),
        )
    files = sorted(p for p in folder.iterdir() if p.is_file() and not p.name.startswith("."))
    if not files:
        raise UsageError(
            "no-seeds",
            f"seeds folder {folder} holds no files",
            "add seed files named NNN_<16 hex>.txt",
            file=str(folder),
        )
    return files


def read_seeds(folder: Path) -> Iterator[Seed]:
    """Yield each seed of a folder, one file in memory at a time."""
    for path in list_seeds(folder):
        yield Seed(name=path.name, path=str(path), data=path.read_bytes())
