"""Render a validation ``Report`` for people and for machines (JSON, GitHub Actions, JUnit).

Every renderer is a pure function of the report and the ``strict`` flag: the output is
deterministic (no timestamps, no durations, no host names), and problems always appear in
``Report.sorted_problems()`` order, errors first.  The JSON layout is documented in
``JSON_FORMAT_DOC`` below, which is also the text of the README section about it.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from corpus_tools.validate.report import Checked, Problem, Report

FORMATS: tuple[str, ...] = ("human", "json", "github", "junit")

JSON_FORMAT = "corpus-tools-validation"
JSON_FORMAT_VERSION = 1

JSON_FORMAT_DOC = """\
`corpus-tools validate --format json` prints one JSON object (UTF-8, two-space indent):

```json
{
  "format": "corpus-tools-validation",
  "format_version": 1,
  "target": "seeds",
  "valid": false,
  "strict": false,
  "summary": {"checked": 5, "errors": 2, "warnings": 1},
  "problems": [
    {
      "code": "schema-required",
      "severity": "error",
      "message": "record 8566bcfe0396727f: $.title: 'title' is a required property; ...",
      "check": "jsonschema",
      "file": "records.jsonl",
      "line": 4,
      "record": "8566bcfe0396727f",
      "path": "$.title"
    }
  ]
}
```

Top-level fields:

- `format` (string): always `"corpus-tools-validation"`; identifies the document.
- `format_version` (integer): `1`. It changes only when a field is removed or changes
  meaning; new fields may be added without a version change, so ignore unknown keys.
- `target` (string): what was validated (the path given on the command line).
- `valid` (boolean): `true` when the data is accepted. It is `false` when there is at least
  one error, or, with `--strict`, at least one warning. The exit status agrees with it.
- `strict` (boolean): whether `--strict` was given (warnings count as failures).
- `summary.checked` (integer): how many records were checked.
- `summary.errors` / `summary.warnings` (integers): how many problems of each severity.
- `problems` (array): every problem, errors first, then by file, line and code.

Fields of each problem (`null` when not known or not applicable):

- `code` (string): a stable identifier of the kind of problem, e.g. `schema-required`;
  safe to match on in scripts.
- `severity` (string): `"error"` (the data is rejected) or `"warning"` (rejected only
  with `--strict`).
- `message` (string): a plain-language sentence saying what is wrong and how to fix it.
- `check` (string): which check found the problem (e.g. the record schema or a
  table-level check).
- `file` (string or null): the file to fix, as a path relative to where the command ran;
  `null` for problems about the whole table.
- `line` (integer or null): the 1-based line in `file`.
- `record` (string or null): the id of the record concerned.
- `path` (string or null): where inside the record the problem is (the field, e.g.
  `$.title` for schema errors, a JSON Pointer such as `/published/raw` for table
  checks); `null` when it concerns the whole record, file or table.
"""

#: GitHub shows at most 10 error and 10 warning annotations per step; we emit at most this
#: many error/warning annotations in total, the most important first.
GITHUB_ANNOTATION_LIMIT = 10
#: GitHub rejects a step summary over 1 MiB; stop adding table rows before reaching it.
STEP_SUMMARY_MAX_BYTES = 1_000_000
JUNIT_SUITE_NAME = "corpus-tools validate"
JUNIT_TABLE_CASE = "table"

_NOT_ANNOTATED_HINT = "see the step summary or run corpus-tools validate --format json"


# --------------------------------------------------------------------------- shared helpers


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def summary_line(report: Report, strict: bool) -> str:
    """One line such as ``✗ 5 records checked: 2 errors, 1 warning``."""
    mark = "✗" if report.failed(strict) else "✓"
    n_errors, n_warnings = len(report.errors), report.n_warnings
    counts = [_plural(n, word) for n, word in ((n_errors, "error"), (n_warnings, "warning")) if n]
    found = ", ".join(counts) if counts else "no problems"
    line = f"{mark} {_plural(report.n_checked, 'record')} checked: {found}"
    if strict and n_warnings:
        line += " (strict: warnings count as failures)"
    return line


def _where(problem: Problem) -> str:
    """``file:line``, ``file``, or an empty string for table-wide problems."""
    if problem.file is None:
        return ""
    if problem.line is not None:
        return f"{problem.file}:{problem.line}"
    return problem.file


def _details(problem: Problem) -> str:
    """Every field of a problem on one line, for plain-text contexts (JUnit bodies)."""
    parts = [f"{problem.severity} [{problem.code}]"]
    if where := _where(problem):
        parts.append(f"at {where}")
    if problem.record is not None:
        parts.append(f"record {problem.record}")
    if problem.path is not None:
        parts.append(f"field {problem.path}")
    parts.append(f"check {problem.check}")
    return ", ".join(parts) + f": {problem.message}"


# --------------------------------------------------------------------------- human


_SEVERITY_STYLE = {"error": "bold red", "warning": "yellow"}


def plain_line(problem: Problem, target: str) -> str:
    """``path:line: severity code: message``, as ruff and mypy print, for logs and grep."""
    where = _where(problem) or target
    return f"{where}: {problem.severity} {problem.code}: {problem.message}"


#: On a terminal, at most this many problems of each code are shown, then a count.
HUMAN_PER_CODE = 10


def _first_of_each_code(problems: list[Problem]) -> tuple[list[Problem], dict[str, int]]:
    """The first problems of each code, and how many of each code are left out."""
    seen: dict[str, int] = {}
    shown = []
    for problem in problems:
        seen[problem.code] = seen.get(problem.code, 0) + 1
        if seen[problem.code] <= HUMAN_PER_CODE:
            shown.append(problem)
    hidden = {code: n - HUMAN_PER_CODE for code, n in seen.items() if n > HUMAN_PER_CODE}
    return shown, hidden


def _suppressed_line(code: str, count: int) -> str:
    return (
        f"{_plural(count, 'more warning')} {code} not listed (corpus-tools validate lists them all)"
    )


def render_human(report: Report, console: Console, strict: bool) -> None:
    """A table of problems and a summary on a terminal; one plain line per problem otherwise.

    Piped or in a CI log, nothing is wrapped or padded, so each file name stays whole on its
    line for grep and for clickable paths; the summary is the last line.
    """
    problems = report.sorted_problems()
    if not console.is_terminal:
        lines = [plain_line(p, report.target) for p in problems]
        lines += [_suppressed_line(code, n) for code, n in sorted(report.suppressed.items())]
        lines.append(summary_line(report, strict))
        console.file.write("".join(line + "\n" for line in lines))
        return
    shown, hidden = _first_of_each_code(problems)
    if problems:
        # The file name is never wrapped (it must stay clickable); the message may be.
        table = Table(show_header=True, header_style="bold", box=box.SIMPLE_HEAD, expand=False)
        table.add_column("where", no_wrap=True)
        table.add_column("problem", no_wrap=True)
        table.add_column("message", overflow="fold", ratio=1, min_width=20)
        for p in shown:
            # Text() cells: messages are data, never Rich markup.
            table.add_row(
                Text(_where(p) or "—"),
                Text(f"{p.severity} {p.code}", style=_SEVERITY_STYLE[p.severity]),
                Text(p.message),
            )
        console.print(table)
        for code, count in (Counter(hidden) + report.suppressed).items():
            console.print(Text(f"… and {_plural(count, 'more problem')} {code}"))
        if hidden:
            console.print(Text("(corpus-tools validate | cat, or --format json, lists all)"))
    style = "bold red" if report.failed(strict) else "bold green"
    console.print(Text(summary_line(report, strict), style=style))


# --------------------------------------------------------------------------- json


def _problem_dict(problem: Problem) -> dict[str, Any]:
    return {
        "code": problem.code,
        "severity": problem.severity,
        "message": problem.message,
        "check": problem.check,
        "file": problem.file,
        "line": problem.line,
        "record": problem.record,
        "path": problem.path,
    }


def render_json(report: Report, strict: bool) -> str:
    """The machine-readable report described in ``JSON_FORMAT_DOC``, newline-terminated."""
    document: dict[str, Any] = {
        "format": JSON_FORMAT,
        "format_version": JSON_FORMAT_VERSION,
        "target": report.target,
        "valid": not report.failed(strict),
        "strict": strict,
        "summary": {
            "checked": report.n_checked,
            "errors": len(report.errors),
            "warnings": report.n_warnings,
        },
        "problems": [_problem_dict(p) for p in report.sorted_problems()],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


# --------------------------------------------------------------------------- github


def escape_github_data(value: str) -> str:
    """Escape the message part of a workflow command (after ``::``)."""
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_github_property(value: str) -> str:
    """Escape a property value of a workflow command (``file=``, ``title=``...)."""
    return escape_github_data(value).replace(":", "%3A").replace(",", "%2C")


def _annotation_message(problem: Problem) -> str:
    where = []
    if problem.record is not None:
        where.append(f"record {problem.record}")
    if problem.path is not None:
        where.append(f"field {problem.path}")
    if problem.file is None and problem.record is None:
        where.append("whole table")
    suffix = f" ({', '.join(where)})" if where else ""
    return problem.message + suffix


def _annotation(problem: Problem) -> str:
    props: list[str] = []
    if problem.file is not None:
        props.append(f"file={escape_github_property(problem.file)}")
        if problem.line is not None:
            props.append(f"line={problem.line}")
    props.append(f"title={escape_github_property(problem.code)}")
    message = escape_github_data(_annotation_message(problem))
    return f"::{problem.severity} {','.join(props)}::{message}"


def _md_cell(value: object) -> str:
    """Make any value safe inside one GitHub-Flavored-Markdown table cell."""
    if value is None:
        return ""
    text = str(value)
    for old, new in (("\\", "\\\\"), ("&", "&amp;"), ("<", "&lt;"), (">", "&gt;")):
        text = text.replace(old, new)
    text = text.replace("|", "\\|")
    return re.sub(r"\r\n|\r|\n", "<br>", text)


def _md_row(cells: Iterable[object]) -> str:
    return "| " + " | ".join(_md_cell(c) for c in cells) + " |\n"


def step_summary_markdown(
    report: Report, strict: bool, max_bytes: int = STEP_SUMMARY_MAX_BYTES
) -> str:
    """Markdown for ``$GITHUB_STEP_SUMMARY``: heading, summary line, table of all problems.

    Rows are dropped (with a note saying how many) only if the table would exceed
    ``max_bytes``, because GitHub discards a step summary larger than 1 MiB entirely.
    """
    head = f"## corpus-tools validate: {_md_cell(report.target)}\n\n"
    head += f"{_md_cell(summary_line(report, strict))}\n\n"
    problems = report.sorted_problems()
    if not problems:
        return head
    table = _md_row(("Severity", "File", "Line", "Record", "Code", "Path", "Message"))
    table += "| --- | --- | ---: | --- | --- | --- | --- |\n"
    size = len((head + table).encode()) + 200  # room for the truncation note
    rows: list[str] = []
    for p in problems:
        row = _md_row((p.severity, p.file, p.line, p.record, p.code, p.path, p.message))
        size += len(row.encode())
        if size > max_bytes:
            break
        rows.append(row)
    text = head + table + "".join(rows)
    if (left := len(problems) - len(rows)) > 0:
        text += (
            f"\n{_plural(left, 'more problem')} not shown (the summary size is limited); "
            "run `corpus-tools validate --format json` to see all of them.\n"
        )
    return text


def render_github(report: Report, strict: bool, summary_path: Path | None) -> str:
    """GitHub Actions annotations, one workflow command per line.

    At most ``GITHUB_ANNOTATION_LIMIT`` error/warning annotations, most important first,
    then a ``::notice`` saying how many were left out.  When ``summary_path`` is given
    (``$GITHUB_STEP_SUMMARY``), a Markdown summary of all problems is appended to it.
    """
    problems = report.sorted_problems()
    lines = [_annotation(p) for p in problems[:GITHUB_ANNOTATION_LIMIT]]
    if (left := len(problems) - GITHUB_ANNOTATION_LIMIT) > 0:
        title = escape_github_property("corpus-tools validate")
        note = escape_github_data(
            f"{_plural(left, 'more problem')} not annotated; {_NOT_ANNOTATED_HINT}"
        )
        lines.append(f"::notice title={title}::{note}")
    if summary_path is not None:
        markdown = step_summary_markdown(report, strict)
        with summary_path.open("a", encoding="utf-8") as out:
            if out.tell() > 0:
                out.write("\n")
            out.write(markdown)
    return "".join(line + "\n" for line in lines)


# --------------------------------------------------------------------------- junit

# Characters XML 1.0 cannot contain at all, even escaped.
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _xml_text(value: str) -> str:
    return _XML_INVALID.sub("\ufffd", value)


class _CheckedIndex:
    """Finds the checked entry a problem belongs to, through dicts built once (linear)."""

    def __init__(self, checked: list[Checked]) -> None:
        self.checked = checked
        self.by_record: dict[str, list[int]] = {}
        self.by_file: dict[str, int] = {}
        for i, c in enumerate(checked):
            if c.record is not None:
                self.by_record.setdefault(c.record, []).append(i)
            else:
                self.by_file.setdefault(c.file, i)

    def match(self, problem: Problem) -> int | None:
        """Index of the checked entry of ``problem``, or None.

        Two records of one JSON Lines file may share an id; the line tells them apart.
        """
        if problem.record is not None:
            found = [
                i
                for i in self.by_record.get(problem.record, [])
                if problem.file in (None, self.checked[i].file)
            ]
            exact = [i for i in found if self.checked[i].line is not None
                     and self.checked[i].line == problem.line]  # fmt: skip
            if exact or found:
                return (exact or found)[0]
        if problem.file is not None:
            return self.by_file.get(problem.file)
        return None


def render_junit(report: Report, strict: bool) -> str:
    """JUnit XML: one testcase per checked record, failing when it has a problem.

    Problems that belong to no checked entry get extra testcases: one per unmatched
    file/record, and one named ``table`` for table-wide problems.  Each testcase has at
    most one ``<failure>`` (most CI tools show only the first): its ``type`` and
    ``message`` come from the most important problem and its text lists every problem.
    Warnings are failures only under ``strict``; otherwise they go to ``<system-out>``.
    """
    # (classname, name) of each testcase, with the problems attached to it.
    cases: list[tuple[str, str, list[Problem]]] = [
        (c.file, c.record if c.record is not None else c.file, []) for c in report.checked
    ]
    extra: dict[tuple[str | None, str | None], list[Problem]] = {}
    index_of = _CheckedIndex(report.checked)
    for p in report.sorted_problems():
        index = index_of.match(p)
        if index is None:
            extra.setdefault((p.file, p.record), []).append(p)
        else:
            cases[index][2].append(p)
    for (file, record), problems in sorted(
        extra.items(), key=lambda kv: (kv[0][0] is None, kv[0][0] or "", kv[0][1] or "")
    ):
        name = record or file or JUNIT_TABLE_CASE
        cases.append((file or report.target, name, problems))

    root = ET.Element("testsuites")
    suite = ET.SubElement(root, "testsuite", name=JUNIT_SUITE_NAME)
    n_failed = 0
    for classname, name, problems in cases:
        case = ET.SubElement(suite, "testcase", classname=_xml_text(classname))
        case.set("name", _xml_text(name))
        failing = [p for p in problems if p.severity == "error" or strict]
        passing = [p for p in problems if not (p.severity == "error" or strict)]
        if failing:
            n_failed += 1
            first = failing[0]
            message = first.message
            if len(failing) > 1:
                message += f" (and {_plural(len(failing) - 1, 'more problem')})"
            failure = ET.SubElement(
                case, "failure", type=_xml_text(first.code), message=_xml_text(message)
            )
            failure.text = _xml_text("\n".join(_details(p) for p in failing))
        if passing:
            out = ET.SubElement(case, "system-out")
            out.text = _xml_text("\n".join(_details(p) for p in passing))
    suite.set("tests", str(len(cases)))
    suite.set("failures", str(n_failed))
    suite.set("errors", "0")
    suite.set("skipped", "0")
    ET.indent(root, space="  ")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, "unicode") + "\n"
