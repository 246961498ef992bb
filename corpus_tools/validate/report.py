"""The validation report: problems with stable codes, tied to a file, a line and a record."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from corpus_tools.problems import Severity, sentence

SEVERITY_ORDER = {"error": 0, "warning": 1}

# A record's warning as the per-record work notes it: (code, file, line, record id, JSON
# Pointer). The report makes it a Problem, sentence and all, only if it keeps it: a build
# keeps the first few of each code, and a worker sends a tuple at a tenth of the cost.
Warned = tuple[str, str | None, int | None, str | None, str | None]


@dataclass(frozen=True, slots=True)  # slots: a large corpus can have many warnings
class Problem:
    """One finding. ``message`` is a sentence saying what is wrong and what to do."""

    code: str
    severity: Severity
    message: str
    check: str
    file: str | None = None
    line: int | None = None
    record: str | None = None
    path: str | None = None

    def one_line(self) -> str:
        """``file:line: severity [code] message`` for logs."""
        where = self.file or "<input>"
        if self.line:
            where += f":{self.line}"
        return f"{where}: {self.severity} [{self.code}] {self.message}"


def warning(
    code: str, file: str | None, line: int | None, record: str | None, path: str | None
) -> Problem:
    """The Problem of a record's warning (see ``Warned``)."""
    return Problem(
        code=code,
        severity="warning",
        message=sentence(code, record=record),
        check="corpus-tools",
        file=file,
        line=line,
        record=record,
        path=path,
    )


@dataclass(frozen=True, slots=True)
class Checked:
    """A record (or seed) that was checked, for per-record reports such as JUnit."""

    file: str
    record: str | None
    line: int | None = None


@dataclass
class Report:
    """Everything one validation run found."""

    target: str
    checked: list[Checked] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    _kept: Counter[str] = field(default_factory=Counter)
    # ``checked`` lists the checked records only when kept (JUnit needs them; a build does
    # not, and saves their memory); otherwise they are only counted.
    keep_checked: bool = True
    _uncounted: int = 0
    # A build keeps the first ``warning_cap`` warnings of each code and only counts the rest:
    # on a large corpus they would cost memory per record (validate keeps them all).
    warning_cap: int | None = None
    suppressed: Counter[str] = field(default_factory=Counter)

    def add_found(self, found: Sequence[Problem | Warned]) -> None:
        """Add problems in order: every error, and at most ``warning_cap`` warnings of each
        code."""
        cap = self.warning_cap
        for problem in found:
            if isinstance(problem, Problem) and problem.severity == "error":
                self.problems.append(problem)
                continue
            code = problem.code if isinstance(problem, Problem) else problem[0]
            if cap is not None and self._kept[code] >= cap:
                self.suppressed[code] += 1
                continue
            self._kept[code] += 1
            # A noted warning (a tuple) becomes a Problem only now that it is kept.
            self.problems.append(problem if isinstance(problem, Problem) else warning(*problem))

    @property
    def n_warnings(self) -> int:
        """How many warnings were found, kept or not."""
        return len(self.warnings) + sum(self.suppressed.values())

    def check(self, file: str, record: str | None, line: int | None = None) -> None:
        """Count one checked record or seed (and list it when ``keep_checked``)."""
        if self.keep_checked:
            self.checked.append(Checked(file, record, line))
        else:
            self._uncounted += 1

    def check_many(self, files: list[str], records: list[str | None]) -> None:
        """Count checked seeds, each with its record id (None where it has none)."""
        if self.keep_checked:
            self.checked.extend(map(Checked, files, records))
        else:
            self._uncounted += len(files)

    @property
    def n_checked(self) -> int:
        """How many records (or seeds) were checked."""
        return len(self.checked) + self._uncounted

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "warning"]

    def failed(self, strict: bool = False) -> bool:
        """True when the data must be rejected (warnings count only under strict)."""
        return bool(self.errors) or (strict and bool(self.warnings))

    def sorted_problems(self) -> list[Problem]:
        """Errors first, then by file, line and code: the order annotations are shown in."""
        return sorted(
            self.problems,
            key=lambda p: (
                SEVERITY_ORDER[p.severity],
                p.file or "",
                p.line or 0,
                p.code,
                p.path or "",
                p.message,
            ),
        )
