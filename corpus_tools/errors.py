"""Errors that carry a one-line, actionable message for the user."""

from __future__ import annotations


class CorpusToolsError(Exception):
    """Base class: a problem the user can fix, reported without a traceback."""

    exit_code = 1

    def __init__(
        self, code: str, message: str, hint: str, file: str | None = None, line: int | None = None
    ) -> None:
        self.code = code
        self.message = message
        self.hint = hint
        self.file = file
        self.line = line
        super().__init__(self.one_line())

    def one_line(self) -> str:
        """``file:line: message; hint`` on one line."""
        where = ""
        if self.file:
            where = f"{self.file}:{self.line}: " if self.line else f"{self.file}: "
        return f"{where}{self.message}; {self.hint}"


class ConversionError(CorpusToolsError):
    """A seed cannot become a record (bad name, bytes or content)."""


class ProfileError(CorpusToolsError):
    """An outlet profile is malformed: a maintainer's mistake, not a data problem."""

    exit_code = 2


class UsageError(CorpusToolsError):
    """The command was called wrongly (missing folder, bad option)."""

    exit_code = 2
