"""Tests for the validation report renderers (human, json, github, junit)."""

from __future__ import annotations

import io
import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from rich.console import Console

from corpus_tools.validate.formats import (
    FORMATS,
    GITHUB_ANNOTATION_LIMIT,
    JSON_FORMAT_DOC,
    escape_github_data,
    escape_github_property,
    render_github,
    render_human,
    render_json,
    render_junit,
    step_summary_markdown,
    summary_line,
)
from corpus_tools.validate.report import Checked, Problem, Report

TRICKY = "bad value 100%, see: a,b\nsecond line\r"


def small_report() -> Report:
    """Two errors and one warning over three checked records, in scrambled order."""
    return Report(
        target="seeds",
        checked=[
            Checked("seeds/a.txt", "rec-a"),
            Checked("seeds/b.txt", "rec-b"),
            Checked("seeds/c.txt", "rec-c"),
        ],
        problems=[
            Problem(
                "short-body",
                "warning",
                "The body is short; check the conversion.",
                "table",
                file="seeds/c.txt",
                line=None,
                record="rec-c",
                path="/body",
            ),
            Problem(
                "bad-date",
                "error",
                TRICKY,
                "schema",
                file="seeds/b.txt",
                line=3,
                record="rec-b",
                path="/published",
            ),
            Problem(
                "duplicate-url",
                "error",
                "Two records share one URL; remove one of them.",
                "table",
            ),
        ],
    )


def big_report(n_errors: int = 8, n_warnings: int = 5) -> Report:
    checked = [Checked(f"seeds/{i:03d}.txt", f"r{i}") for i in range(n_errors + n_warnings)]
    problems = [
        Problem("w-code", "warning", f"warning {i}", "table", f"seeds/{i:03d}.txt", 1, f"r{i}")
        for i in range(n_errors, n_errors + n_warnings)
    ] + [
        Problem("e-code", "error", f"error {i}", "schema", f"seeds/{i:03d}.txt", 2, f"r{i}")
        for i in range(n_errors)
    ]
    return Report(target="seeds", checked=checked, problems=problems)


def clean_report() -> Report:
    return Report(target="seeds", checked=[Checked("seeds/a.txt", "rec-a")])


# --------------------------------------------------------------------------- summary


def test_formats() -> None:
    assert FORMATS == ("human", "json", "github", "junit")


def test_summary_line() -> None:
    assert summary_line(small_report(), strict=False) == "✗ 3 records checked: 2 errors, 1 warning"
    assert summary_line(clean_report(), strict=False) == "✓ 1 record checked: no problems"
    warn_only = Report("seeds", [Checked("f", "r")], [Problem("w", "warning", "m", "c")])
    assert summary_line(warn_only, strict=False) == "✓ 1 record checked: 1 warning"
    assert summary_line(warn_only, strict=True) == (
        "✗ 1 record checked: 1 warning (strict: warnings count as failures)"
    )


# --------------------------------------------------------------------------- human


def human(report: Report, strict: bool = False) -> str:
    """What a terminal shows."""
    console = Console(record=True, width=200, color_system=None, force_terminal=True)
    render_human(report, console, strict)
    return console.export_text()


def piped(report: Report, strict: bool = False) -> str:
    """What a pipe or a CI log receives."""
    out = io.StringIO()
    console = Console(file=out, width=40, color_system=None)
    assert not console.is_terminal
    render_human(report, console, strict)
    return out.getvalue()


def test_human_table_and_summary() -> None:
    text = human(small_report())
    assert "seeds/b.txt:3" in text
    assert "error bad-date" in text and "warning short-body" in text
    assert text.rstrip().endswith("✗ 3 records checked: 2 errors, 1 warning")
    for header in ("where", "problem", "message"):
        assert header in text
    # Errors first: both error rows come before the warning row.
    assert text.index("bad-date") < text.index("short-body")
    assert text.index("duplicate-url") < text.index("short-body")


def test_human_does_not_interpret_markup() -> None:
    report = Report(
        "seeds",
        [Checked("f.txt", "r")],
        [Problem("x", "error", "use [bold]title[/bold] here", "c", "f.txt", 1, "r")],
    )
    assert "use [bold]title[/bold] here" in human(report)


def test_human_no_table_without_problems() -> None:
    text = human(clean_report())
    assert text.strip() == "✓ 1 record checked: no problems"


def test_human_strict_summary() -> None:
    report = Report("seeds", [Checked("f.txt", "r")], [Problem("w", "warning", "m", "c", "f.txt")])
    assert "✓ 1 record checked: 1 warning" in human(report, strict=False)
    assert "✗ 1 record checked: 1 warning (strict: warnings count as failures)" in human(
        report, strict=True
    )


def test_piped_human_output_is_one_plain_line_per_problem() -> None:
    long_name = "seeds/" + "x" * 120 + ".txt"
    long_message = " ".join(["a long message"] * 10)
    report = Report(
        target="seeds",
        checked=[Checked("seeds/a.txt", "a"), Checked(long_name, "b")],
        problems=[
            Problem("w-code", "warning", "use [bold]title[/bold] here", "c", "seeds/a.txt"),
            Problem("e-code", "error", long_message, "c", long_name, 7, "b"),
            Problem("t-code", "error", "whole table", "table"),
        ],
    )
    text = piped(report)
    assert text.endswith("\n")
    # A narrow console neither wraps nor pads: each problem is one grep-able line.
    assert text.splitlines() == [
        "seeds: error t-code: whole table",
        f"{long_name}:7: error e-code: {long_message}",
        "seeds/a.txt: warning w-code: use [bold]title[/bold] here",
        "✗ 2 records checked: 2 errors, 1 warning",
    ]


def test_piped_human_output_without_problems_is_the_summary() -> None:
    assert piped(clean_report()) == "✓ 1 record checked: no problems\n"


# --------------------------------------------------------------------------- json


def test_json_document() -> None:
    text = render_json(small_report(), strict=False)
    assert text.endswith("}\n")
    doc = json.loads(text)
    assert list(doc) == [
        "format",
        "format_version",
        "target",
        "valid",
        "strict",
        "summary",
        "problems",
    ]
    assert doc["format"] == "corpus-tools-validation"
    assert doc["format_version"] == 1
    assert doc["target"] == "seeds"
    assert doc["valid"] is False
    assert doc["strict"] is False
    assert doc["summary"] == {"checked": 3, "errors": 2, "warnings": 1}
    assert [p["code"] for p in doc["problems"]] == ["duplicate-url", "bad-date", "short-body"]
    assert doc["problems"][1] == {
        "code": "bad-date",
        "severity": "error",
        "message": TRICKY,
        "check": "schema",
        "file": "seeds/b.txt",
        "line": 3,
        "record": "rec-b",
        "path": "/published",
    }
    assert doc["problems"][0]["file"] is None and doc["problems"][0]["line"] is None


def test_json_valid_and_strict() -> None:
    warn_only = Report("seeds", [Checked("f", "r")], [Problem("w", "warning", "m", "c")])
    assert json.loads(render_json(warn_only, strict=False))["valid"] is True
    strict_doc = json.loads(render_json(warn_only, strict=True))
    assert strict_doc["valid"] is False and strict_doc["strict"] is True
    assert json.loads(render_json(clean_report(), strict=False))["problems"] == []


def test_json_is_deterministic_and_unicode() -> None:
    report = Report("seeds", [], [Problem("x", "error", "Überschrift fehlt — “title”", "c")])
    assert render_json(report, False) == render_json(report, False)
    assert "Überschrift fehlt — “title”" in render_json(report, False)


def test_json_doc_mentions_every_field() -> None:
    doc = json.loads(render_json(small_report(), strict=False))
    names = list(doc) + list(doc["summary"]) + list(doc["problems"][0])
    for name in names:
        documented = (f"`{name}`", f"`{name}.", f"`summary.{name}`", f"/ `summary.{name}`")
        assert any(form in JSON_FORMAT_DOC for form in documented), name


# --------------------------------------------------------------------------- github


def test_github_escaping() -> None:
    assert escape_github_data("a%b\r\nc,d:e") == "a%25b%0D%0Ac,d:e"
    assert escape_github_property("a%b\r\nc,d:e") == "a%25b%0D%0Ac%2Cd%3Ae"


def test_github_annotations() -> None:
    lines = render_github(small_report(), strict=False, summary_path=None).splitlines()
    assert len(lines) == 3
    assert lines[0] == (
        "::error title=duplicate-url::Two records share one URL; remove one of them. (whole table)"
    )
    assert lines[1].startswith("::error file=seeds/b.txt,line=3,title=bad-date::")
    assert lines[1].endswith(
        "::bad value 100%25, see: a,b%0Asecond line%0D (record rec-b, field /published)"
    )
    assert lines[2].startswith("::warning file=seeds/c.txt,title=short-body::")
    assert "line=" not in lines[2]


def test_github_escapes_properties() -> None:
    report = Report(
        "seeds",
        [],
        [Problem("x", "error", "m", "c", file="seeds/a,b:c%.txt", line=7)],
    )
    out = render_github(report, strict=False, summary_path=None)
    assert out == "::error file=seeds/a%2Cb%3Ac%25.txt,line=7,title=x::m\n"


def test_github_annotation_cap() -> None:
    report = big_report(n_errors=8, n_warnings=5)
    lines = render_github(report, strict=False, summary_path=None).splitlines()
    annotations = [ln for ln in lines if ln.startswith(("::error", "::warning"))]
    assert len(annotations) == GITHUB_ANNOTATION_LIMIT == 10
    assert len(lines) == 11
    # All 8 errors first, then the first 2 warnings.
    assert all(ln.startswith("::error ") for ln in annotations[:8])
    assert all(ln.startswith("::warning ") for ln in annotations[8:])
    assert lines[-1].startswith("::notice title=corpus-tools validate::3 more problems not")
    assert "corpus-tools validate --format json" in lines[-1]


def test_github_no_notice_at_exactly_the_cap() -> None:
    lines = render_github(big_report(6, 4), strict=False, summary_path=None).splitlines()
    assert len(lines) == 10
    assert not any(ln.startswith("::notice") for ln in lines)


def test_github_clean_report() -> None:
    assert render_github(clean_report(), strict=False, summary_path=None) == ""


def test_github_step_summary(tmp_path: Path) -> None:
    summary = tmp_path / "summary.md"
    summary.write_text("# Earlier step\n", encoding="utf-8")
    report = big_report(n_errors=8, n_warnings=5)
    render_github(report, strict=False, summary_path=summary)
    text = summary.read_text(encoding="utf-8")
    assert text.startswith("# Earlier step\n\n## corpus-tools validate: seeds\n")
    assert "✗ 13 records checked: 8 errors, 5 warnings" in text
    rows = [ln for ln in text.splitlines() if ln.startswith("| ") and "-code" in ln]
    assert len(rows) == 13  # every problem, not just the annotated ones
    assert rows[0].startswith("| error | seeds/000.txt | 2 | r0 | e-code |")
    assert rows[-1].startswith("| warning | seeds/012.txt | 1 | r12 | w-code |")
    # Appends, never overwrites.
    render_github(clean_report(), strict=False, summary_path=summary)
    again = summary.read_text(encoding="utf-8")
    assert again.startswith(text)
    assert again.endswith("✓ 1 record checked: no problems\n\n")


def _unescaped_pipes(row: str) -> int:
    return len(re.findall(r"(?<!\\)(?:\\\\)*\|", row))


def test_step_summary_escapes_cells() -> None:
    report = Report(
        "seeds",
        [],
        [Problem("x", "error", "a | b\nc <d> \\|", "c", "seeds/a.txt", 1, "r", "/t")],
    )
    text = step_summary_markdown(report, strict=False)
    rows = [ln for ln in text.splitlines() if ln.startswith("| error")]
    assert len(rows) == 1
    assert _unescaped_pipes(rows[0]) == 8  # 7 columns
    assert "a \\| b<br>c &lt;d&gt; \\\\\\|" in rows[0]


def test_step_summary_size_cap() -> None:
    report = big_report(n_errors=50, n_warnings=0)
    full = step_summary_markdown(report, strict=False)
    assert full.count("| e-code |") == 50
    capped = step_summary_markdown(report, strict=False, max_bytes=len(full.encode()) // 2)
    shown = capped.count("| e-code |")
    assert 0 < shown < 50
    assert f"{50 - shown} more problems not shown" in capped
    assert len(capped.encode()) <= len(full.encode()) // 2


def test_step_summary_without_problems_has_no_table() -> None:
    text = step_summary_markdown(clean_report(), strict=False)
    assert "|" not in text
    assert "✓ 1 record checked: no problems" in text


# --------------------------------------------------------------------------- junit


def junit(report: Report, strict: bool) -> ET.Element:
    text = render_junit(report, strict)
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<testsuites>')
    return ET.fromstring(text.split("\n", 1)[1])


def cases_by_name(root: ET.Element) -> dict[str, ET.Element]:
    return {c.attrib["name"]: c for c in root.iter("testcase")}


def test_junit_structure() -> None:
    root = junit(small_report(), strict=False)
    assert root.tag == "testsuites"
    suites = root.findall("testsuite")
    assert len(suites) == 1
    suite = suites[0]
    assert suite.attrib == {
        "name": "corpus-tools validate",
        "tests": "4",  # 3 checked records + the table-wide testcase
        "failures": "2",
        "errors": "0",
        "skipped": "0",
    }
    cases = cases_by_name(root)
    assert list(cases) == ["rec-a", "rec-b", "rec-c", "table"]
    assert cases["rec-b"].attrib["classname"] == "seeds/b.txt"
    assert list(cases["rec-a"]) == []
    failure = cases["rec-b"].find("failure")
    assert failure is not None
    assert failure.attrib["type"] == "bad-date"
    assert failure.attrib["message"] == TRICKY
    assert failure.text is not None and "at seeds/b.txt:3" in failure.text
    assert cases["table"].find("failure") is not None
    assert cases["table"].attrib["classname"] == "seeds"
    # A warning is not a failure without strict; it is reported in system-out.
    assert cases["rec-c"].find("failure") is None
    out = cases["rec-c"].find("system-out")
    assert out is not None and out.text is not None and "short-body" in out.text


def test_junit_strict_turns_warnings_into_failures() -> None:
    root = junit(small_report(), strict=True)
    suite = root.find("testsuite")
    assert suite is not None and suite.attrib["failures"] == "3"
    cases = cases_by_name(root)
    failure = cases["rec-c"].find("failure")
    assert failure is not None and failure.attrib["type"] == "short-body"
    assert cases["rec-c"].find("system-out") is None


def test_junit_one_testcase_per_checked_record() -> None:
    report = big_report(n_errors=8, n_warnings=5)
    root = junit(report, strict=False)
    cases = root.findall("testsuite/testcase")
    assert len(cases) == 13
    assert [c.attrib["name"] for c in cases] == [f"r{i}" for i in range(13)]
    assert sum(c.find("failure") is not None for c in cases) == 8


def test_junit_several_problems_on_one_record() -> None:
    report = Report(
        "seeds",
        [Checked("seeds/a.txt", "a"), Checked("seeds/b.txt", None)],
        [
            Problem("second", "error", "later", "schema", "seeds/a.txt", 9, "a"),
            Problem("first", "error", "earlier", "schema", "seeds/a.txt", 2, "a"),
            Problem("file-level", "error", "unreadable", "schema", "seeds/b.txt"),
            Problem("orphan", "error", "unknown file", "schema", "seeds/z.txt", 1),
        ],
    )
    root = junit(report, strict=False)
    cases = root.findall("testsuite/testcase")
    assert [(c.attrib["classname"], c.attrib["name"]) for c in cases] == [
        ("seeds/a.txt", "a"),
        ("seeds/b.txt", "seeds/b.txt"),
        ("seeds/z.txt", "seeds/z.txt"),
    ]
    failures = cases[0].findall("failure")
    assert len(failures) == 1
    assert failures[0].attrib["type"] == "first"
    assert failures[0].attrib["message"] == "earlier (and 1 more problem)"
    assert failures[0].text is not None
    assert failures[0].text.index("earlier") < failures[0].text.index("later")
    assert all(c.find("failure") is not None for c in cases)


def test_junit_is_deterministic_and_xml_safe() -> None:
    report = Report(
        "seeds",
        [Checked("seeds/a.txt", "a")],
        [Problem("ctl", "error", "bad byte \x00\x1b here & <there>", "c", "seeds/a.txt", 1, "a")],
    )
    text = render_junit(report, strict=False)
    assert text == render_junit(report, strict=False)
    failure = ET.fromstring(text.split("\n", 1)[1]).find("testsuite/testcase/failure")
    assert failure is not None
    assert failure.attrib["message"] == "bad byte \ufffd\ufffd here & <there>"


@pytest.mark.parametrize("strict", [False, True])
def test_clean_report_everywhere(strict: bool) -> None:
    report = clean_report()
    assert json.loads(render_json(report, strict))["valid"] is True
    root = junit(report, strict)
    suite = root.find("testsuite")
    assert suite is not None
    assert suite.attrib["tests"] == "1" and suite.attrib["failures"] == "0"


def test_a_build_keeps_the_first_warnings_of_each_code_and_counts_the_rest() -> None:
    # Workers send warnings as tuples; the report makes Problems of the ones it keeps, in
    # order, with errors never capped.
    from corpus_tools.problems import sentence
    from corpus_tools.validate.report import Warned

    report = Report(target="seeds", warning_cap=2)
    error = Problem("file-name", "error", "bad name", "corpus-tools", file="seeds/x")
    found: list[Problem | Warned] = [
        ("no-date", f"seeds/{i}.txt", None, f"r{i}", "/published") for i in range(4)
    ]
    found.insert(1, ("no-title", "seeds/t.txt", 3, "rt", "/title"))
    found.insert(3, error)
    report.add_found(found)
    # Warnings that come as Problems (from records files) share the count of their code.
    titled = Problem("no-title", "warning", "no title", "corpus-tools", file="r.jsonl", line=2)
    report.add_found([("no-date", "seeds/9.txt", None, "r9", "/published"), error, titled, titled])
    assert [p.code for p in report.problems] == [
        "no-date", "no-title", "no-date", "file-name", "file-name", "no-title"
    ]  # fmt: skip
    assert report.problems[1] == Problem(
        code="no-title",
        severity="warning",
        message=sentence("no-title", record="rt"),
        check="corpus-tools",
        file="seeds/t.txt",
        line=3,
        record="rt",
        path="/title",
    )
    assert report.problems[-1] is titled
    assert report.suppressed == {"no-date": 3, "no-title": 1}
    assert report.n_warnings == 8 and len(report.errors) == 2
