"""Seed files: naming, listing, safe reading and decoding, and adding page copies.

A seed is named ``<order>_<id>.txt``: an order number of three or more digits (``000`` ...
``999``, then ``1000`` ...) and 16 lower-case hex digits. ``corpus-tools add`` takes the id
from the first 16 hex digits of the SHA-256 of the file's bytes; older names stay valid.
"""

from __future__ import annotations

import codecs
import hashlib
import os
import re
import stat
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from corpus_tools.compiled import rebuilt
from corpus_tools.errors import ConversionError, CorpusToolsError, UsageError

if TYPE_CHECKING:
    from corpus_tools.project import Project

SEED_NAME = re.compile(r"^(?P<order>[0-9]{3,})_(?P<id>[0-9a-f]{16})\.txt$")
Show = Callable[[Path], str]
# Byte-order marks of encodings that are not UTF-8, longest first (UTF-32 LE starts like UTF-16 LE).
_BOMS = (
    (codecs.BOM_UTF32_LE, "UTF-32 LE"),
    (codecs.BOM_UTF32_BE, "UTF-32 BE"),
    (codecs.BOM_UTF16_LE, "UTF-16 LE"),
    (codecs.BOM_UTF16_BE, "UTF-16 BE"),  # iconv names them without the space
)


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

    def __reduce__(self) -> tuple[Any, ...]:
        return rebuilt(self)  # a compiled frozen class pickles only through its constructor


def check_name(name: str, path: str | None = None) -> re.Match[str]:
    """Match a seed file name or raise a ConversionError that says the expected form."""
    match = SEED_NAME.match(name)
    if match is None:
        raise ConversionError("file-name", file=path or name)
    return match


def decode(seed: Seed) -> str:
    """Decode a seed's bytes as UTF-8 text, rejecting empty, binary and UTF-16/32 files."""
    for bom, encoding in _BOMS:
        if seed.data.startswith(bom):
            raise ConversionError(
                "not-utf8",
                file=seed.path,
                detail=f"it is {encoding}, by its byte-order mark",
                source=encoding.replace(" ", ""),
            )
    if not seed.data.strip():
        raise ConversionError("empty-file", file=seed.path)
    if b"\x00" in seed.data:
        raise ConversionError("binary-file", file=seed.path)
    try:
        return seed.data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = seed.data[: exc.start].count(b"\n") + 1
        detail = f"byte 0x{seed.data[exc.start]:02x} at offset {exc.start}"
        raise ConversionError(
            "not-utf8", file=seed.path, line=line, detail=detail, source="latin1"
        ) from None


def _order(name: str) -> tuple[int, str]:
    """Seeds by order number (999 before 1000), then any other entry by name."""
    match = SEED_NAME.match(name)
    return (int(match.group("order")), name) if match else (-1, name)


class SeedNames:
    """Entry names in seed order, held as one string.

    A million names as a list of strings take about 80 MB; and as a build frees them in seed
    order, not in the order they were listed, the memory Python holds them in stays taken
    until nearly all are gone. Joined, they take a byte or so per character, freed at once.
    """

    def __init__(self, names: list[str]) -> None:
        # NUL cannot stand in a file name, on any system.
        self._joined = "\0".join(names)
        self._count = len(names)

    def __len__(self) -> int:
        return self._count

    def __iter__(self) -> Iterator[str]:
        if not self._count:
            return
        joined, start = self._joined, 0
        while (end := joined.find("\0", start)) >= 0:
            yield joined[start:end]
            start = end + 1
        yield joined[start:]


def _in_seed_order(names: list[str]) -> bool:
    """Whether ``names`` are already in seed order (see ``_order``)."""
    if _one_width(names):
        return True
    previous: tuple[int, str] | None = None
    for name in names:
        key = _order(name)
        if previous is not None and key < previous:
            return False
        previous = key
    return True


# What each character of a seed name whose order number has ``n`` digits may be, position by
# position: ``n`` digits, then these. A name ending in a newline (which the "$" of SEED_NAME
# lets through) fails this test, and the slow path orders it.
_DIGITS = b"0123456789"
_AFTER_ORDER = (b"_", *[b"0123456789abcdef"] * 16, b".", b"t", b"x", b"t")


def _one_width(names: list[str]) -> bool:
    """Whether every name is a seed name and all have one length: a seed name's id has a
    fixed length, so their order numbers have one width, and text order is seed order.

    Checked one character position at a time across all the names (C loops over every
    name's character at that position): this runs before any worker can start, and one regex
    over the joined names took 88 ms at 100,000 names against 18-20 ms.
    """
    if not names:
        return False
    width = len(names[0])
    allowed = [_DIGITS] * (width - len(_AFTER_ORDER)) + list(_AFTER_ORDER)
    if len(allowed) - len(_AFTER_ORDER) < 3 or set(map(len, names)) != {width}:
        return False
    try:
        joined = "".join(names).encode("ascii")
    except UnicodeEncodeError:
        return False
    # Deleting the allowed characters leaves nothing when every name has one there.
    return not any(joined[at::width].translate(None, chars) for at, chars in enumerate(allowed))


def seed_names(folder: Path) -> SeedNames:
    """The folder's entry names in seed order, hidden ones left out (subfolders and other
    non-files are reported by ``read_seed``, so that no seed silently drops out)."""
    if not folder.is_dir():
        what = "is not a folder" if folder.exists() else "does not exist"
        raise UsageError("no-seeds-folder", file=str(folder), folder=folder, what=what)
    try:
        names = [name for name in os.listdir(folder) if not name.startswith(".")]
    except OSError as exc:
        raise UsageError(
            "no-seeds-folder", file=str(folder), folder=folder, what=f"cannot be read ({exc})"
        ) from None
    if not names:
        raise UsageError("no-seeds", file=str(folder), folder=folder)
    # Order numbers of one width (0000 to 9999) sort as text: then no key is made per name
    # (a million keys take about 90 MB), only checked one at a time.
    names.sort()
    if not _in_seed_order(names):
        names.sort(key=_order)
    return SeedNames(names)


def list_seeds(folder: Path) -> list[Path]:
    """The folder's entries in seed order (see ``seed_names``), as paths."""
    return [folder / name for name in seed_names(folder)]


def read_seed(path: str | Path, shown: str | None = None, max_bytes: int | None = None) -> Seed:
    """Read one seed safely: a regular file inside its folder, no larger than ``max_bytes``.

    Symlinks are resolved and must stay inside the seeds folder; FIFOs, devices and sockets
    are refused without being opened, so that none can hang or flood the program. ``path``
    may be a plain string: a build hands out one per seed, cheaper to make and send than a
    Path.
    """
    shown = shown or str(path)
    try:
        info = os.lstat(path)
        real: str | Path = path
        if stat.S_ISLNK(info.st_mode):  # rare: resolve it and keep it inside the folder
            link = Path(path)
            real, folder = link.resolve(strict=True), link.parent.resolve(strict=True)
            if real.parent != folder and folder not in real.parents:
                reason = "a link to a file outside seeds/"
                raise ConversionError("unreadable", file=shown, reason=reason)
            info = os.stat(real)
    except (OSError, RuntimeError) as exc:  # RuntimeError: a symlink loop on older Pythons
        reason = getattr(exc, "strerror", None) or str(exc)
        raise ConversionError("unreadable", file=shown, reason=reason) from None
    _check_kind(info, shown, max_bytes)
    try:
        # O_NOFOLLOW and O_NONBLOCK: if the file was swapped for a link or a FIFO since it was
        # checked, open() fails or returns at once instead of following or blocking; fstat()
        # then checks what was really opened.
        fd = os.open(real, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0))
        try:  # the descriptor itself: a file object per seed costs more than the read
            opened = os.fstat(fd)
            _check_kind(opened, shown, max_bytes)
            data = _read_at_most(fd, opened.st_size, max_bytes)
        finally:
            os.close(fd)
    except OSError as exc:
        raise ConversionError("unreadable", file=shown, reason=exc.strerror or str(exc)) from None
    if max_bytes is not None and len(data) > max_bytes:
        raise ConversionError("unreadable", file=shown, reason="grew over max_seed_bytes")
    return Seed(name=os.path.basename(path), path=shown, data=data)


def _read_at_most(fd: int, size: int, max_bytes: int | None) -> bytes:
    """The file's bytes, or the first ``max_bytes + 1`` of them when it holds more.

    Asking for ``max_bytes + 1`` bytes at once would make Python allocate that much (and
    the system map and unmap it) for every seed; the size fstat saw is asked for, plus one
    byte to notice a file that grew since, and then more in steps of 1 MiB.
    """
    limit = None if max_bytes is None else max_bytes + 1
    want = size + 1 if limit is None else min(size + 1, limit)
    pieces: list[bytes] = []
    got = 0
    while limit is None or got < limit:
        piece = os.read(fd, want - got)
        if not piece:
            break
        pieces.append(piece)
        got += len(piece)
        if got >= want:
            want = got + (1 << 20) if limit is None else min(got + (1 << 20), limit)
    return pieces[0] if len(pieces) == 1 else b"".join(pieces)


def _check_kind(info: os.stat_result, shown: str, max_bytes: int | None) -> None:
    """Refuse anything but a regular file within the size limit."""
    if stat.S_ISDIR(info.st_mode):
        raise ConversionError("not-a-file", file=shown)
    if not stat.S_ISREG(info.st_mode):
        raise ConversionError("unreadable", file=shown, reason="not a regular file")
    if max_bytes is not None and info.st_size > max_bytes:
        reason = f"{info.st_size} bytes, over the limit of {max_bytes} (max_seed_bytes)"
        raise ConversionError("unreadable", file=shown, reason=reason)


def read_seeds(folder: Path, show: Show = str, max_bytes: int | None = None) -> Iterator[Seed]:
    """Yield each seed of a folder, one file in memory at a time."""
    for path in list_seeds(folder):
        yield read_seed(path, show(path), max_bytes)


# ---------------------------------------------------------------------- corpus-tools add


def seed_name(order: int, data: bytes) -> str:
    """``<order>_<first 16 hex of sha256>.txt``, the order with at least three digits."""
    return f"{order:03d}_{hashlib.sha256(data).hexdigest()[:16]}.txt"


def _existing(folder: Path) -> tuple[int, dict[str, Path]]:
    """The next free order number and the seeds already present, by SHA-256 of their bytes."""
    next_order = 0
    by_digest: dict[str, Path] = {}
    for path in sorted(folder.iterdir()) if folder.is_dir() else []:
        match = SEED_NAME.match(path.name)
        if match is None or not path.is_file():
            continue
        next_order = max(next_order, int(match.group("order")) + 1)
        by_digest[hashlib.sha256(path.read_bytes()).hexdigest()] = path
    return next_order, by_digest


def add_files(project: Project, files: Sequence[Path]) -> list[Path]:
    """Copy page copies into the project's seeds/ with the next order numbers.

    Every file is checked first (readable, UTF-8, not already in the corpus, not given twice);
    if any is refused, nothing is copied and every problem is raised together.
    """
    from corpus_tools.errors import ProjectErrors

    folder = project.seeds_dir
    next_order, by_digest = _existing(folder)
    errors: list[CorpusToolsError] = []
    planned: list[tuple[Path, bytes]] = []
    for source in files:
        shown = project.show(source)
        if not source.is_file():
            what = "is not a file" if source.exists() else "does not exist"
            errors.append(UsageError("no-input-file", file=shown, path=shown, what=what))
            continue
        try:
            seed = read_seed(source, shown, project.meta.max_seed_bytes)
            decode(seed)
        except CorpusToolsError as error:
            errors.append(error)
            continue
        digest = hashlib.sha256(seed.data).hexdigest()
        if digest in by_digest:
            other = project.show(by_digest[digest])
            errors.append(CorpusToolsError("duplicate-bytes", file=shown, other=other))
            continue
        by_digest[digest] = source
        planned.append((source, seed.data))
    if errors:
        raise ProjectErrors(errors)
    folder.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    try:
        for offset, (_source, data) in enumerate(planned):
            target = folder / seed_name(next_order + offset, data)
            tmp = target.with_name(f".{target.name}.tmp")
            tmp.write_bytes(data)
            os.replace(tmp, target)
            written.append(target)
    except OSError as exc:
        for path in written:  # all or nothing
            path.unlink(missing_ok=True)
        raise CorpusToolsError(
            "cannot-write", file=str(folder), path=folder, reason=exc.strerror or str(exc)
        ) from None
    return written
