"""Errors that carry a one-line, actionable message for the user, built from ``problems``."""

from __future__ import annotations

from corpus_tools.problems import code as lookup
from corpus_tools.problems import render


class CorpusToolsError(Exception):
    """A problem the user can fix, reported without a traceback.

    ``code`` names an entry of ``corpus_tools.problems``; ``fields`` fill its template.
    """

    def __init__(
        self, code: str, /, *, file: str | None = None, line: int | None = None, **fields: object
    ) -> None:
        self.code = code
        self.message, self.hint = render(code, **fields)
        self.file = file
        self.line = line
        self.exit_code = lookup(code).exit_code
        super().__init__(self.one_line())

    def one_line(self) -> str:
        """``file:line: message; hint`` on one line."""
        where = ""
        if self.file:
            where = f"{self.file}:{self.line}: " if self.line else f"{self.file}: "
        return f"{where}{self.message}; {self.hint}"

    def lines(self) -> list[str]:
        """Every line to show the user (one here; several for a group of problems)."""
        return [self.one_line()]


class ConversionError(CorpusToolsError):
    """A seed cannot become a record (bad name, bytes or content)."""


class UsageError(CorpusToolsError):
    """The command was called wrongly, or the project's own files are wrong (exit 2)."""


class ProjectErrors(UsageError):
    """Several problems in a project's files (dataset.toml, profiles), reported together."""

    def __init__(self, errors: list[CorpusToolsError]) -> None:
        first = errors[0]
        super().__init__("bad-metadata", file=first.file, line=first.line, what=first.message)
        self.code, self.message, self.hint = first.code, first.message, first.hint
        self.errors = errors
        self.exit_code = max(e.exit_code for e in errors)

    def lines(self) -> list[str]:
        return [line for error in self.errors for line in error.lines()]
