"""Atomic writing: outputs appear whole or not at all, and a write failure is one message."""

from __future__ import annotations

import contextlib
import errno
import json
import os
import tempfile
from pathlib import Path
from types import TracebackType
from typing import IO, Any

from corpus_tools.errors import CorpusToolsError


def dumps_record(record: Any) -> str:
    """One record as one JSON line (UTF-8, field order kept)."""
    return json.dumps(record, ensure_ascii=False, separators=(",", ":"))


def current_umask() -> int:
    """The process umask (reading it means setting it, so it is set back at once)."""
    mask = os.umask(0)
    os.umask(mask)
    return mask


# Output paths the user chose wrongly (a usage error, exit 2); any other OSError on output
# (no space, a read-only file system, an I/O error) is a fault of the run (exit 1).
_USAGE_ERRNOS = {errno.EISDIR, errno.ENOTDIR, errno.ENAMETOOLONG, errno.EACCES, errno.EPERM}


def write_error(path: Path, exc: OSError) -> CorpusToolsError:
    """An OSError on output as one line naming the path and the cause."""
    code = "bad-output" if exc.errno in _USAGE_ERRNOS else "cannot-write"
    return CorpusToolsError(
        code, file=str(path), path=path, reason=exc.strerror or type(exc).__name__
    )


class AtomicWriter:
    """A text file written beside its target and renamed into place on success.

    ``abort()`` (or an exception) discards it; an OSError becomes a ``cannot-write`` error.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._tmp: Path | None = None
        self._handle: IO[str] | None = None
        self._aborted = False

    def __enter__(self) -> AtomicWriter:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=f".{self.path.name}.", dir=self.path.parent)
        except OSError as exc:
            raise write_error(self.path, exc) from None
        self._tmp = Path(tmp)
        self._handle = os.fdopen(fd, "w", encoding="utf-8", newline="\n")
        return self

    def write(self, text: str) -> None:
        assert self._handle is not None
        try:
            self._handle.write(text)
        except OSError as exc:
            raise write_error(self.path, exc) from None

    def abort(self) -> None:
        self._aborted = True

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        assert self._handle is not None and self._tmp is not None
        try:
            if kind is None and not self._aborted:
                try:
                    self._handle.close()
                    os.chmod(self._tmp, 0o666 & ~current_umask())  # mkstemp makes it private
                    os.replace(self._tmp, self.path)
                except OSError as exc:
                    raise write_error(self.path, exc) from None
        finally:
            if not self._handle.closed:
                with contextlib.suppress(OSError):
                    self._handle.close()
            self._tmp.unlink(missing_ok=True)
