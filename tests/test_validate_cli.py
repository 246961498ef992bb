"""End-to-end tests of ``corpus-tools validate`` driven through the Typer CLI.

Every test runs from the repository root, on a copy of the project (``--project``), so that
the paths in messages read ``tests/fixtures/...`` exactly as a user (or a CI annotation) sees
them. The real-seed tests run inside a copy holding the five golden seeds.
"""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
import json
import shutil
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from corpus_tools.cli import app
from corpus_tools.convert.profiles import ProfileSet
from corpus_tools.convert.rules import convert_seed
from corpus_tools.ingest.seeds import Seed
from corpus_tools.record import Record as ArticleRecord
from corpus_tools.schema import Schema
from corpus_tools.validate.formats import (
    JSON_FORMAT,
    JSON_FORMAT_DOC,
    JSON_FORMAT_VERSION,
    render_json,
)
from tests.conftest import GOLDEN_SEEDS, ROOT, copy_project, load

SEED_FIXTURES = "tests/fixtures/seeds"
RECORD_FIXTURES = "tests/fixtures/records"
VALID_JSONL = ROOT / RECORD_FIXTURES / "valid.jsonl"

Record = dict[str, Any]
Mutation = Callable[[list[Record]], None]

runner = CliRunner()


@pytest.fixture(scope="module")
def golden_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A never-released copy of the project holding only the five golden seeds."""
    target = tmp_path_factory.mktemp("validate") / "corpus"
    return copy_project(target, releases=False, seeds=GOLDEN_SEEDS)


@pytest.fixture(autouse=True)
def _at_repo_root(monkeypatch: pytest.MonkeyPatch, golden_project: Path) -> None:
    """Run from the repo root on the copy; never append to a real CI step summary."""
    monkeypatch.chdir(ROOT)
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    monkeypatch.setitem(PROJECT, "root", golden_project)


# The project the CLI is pointed at (set for each test by ``_at_repo_root``).
PROJECT: dict[str, Path] = {}


@pytest.fixture
def in_project(monkeypatch: pytest.MonkeyPatch, golden_project: Path) -> Path:
    """Run from inside the golden copy, as a user in their project folder does."""
    monkeypatch.chdir(golden_project)
    return golden_project


def invoke(*args: str, env: dict[str, str] | None = None) -> Result:
    """Run ``corpus-tools validate ARGS -C PROJECT``; a crash (traceback) fails the test."""
    result = runner.invoke(app, ["validate", *args, "-C", str(PROJECT["root"])], env=env)
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(
        result.exception
    )
    return result


def run_json(*args: str) -> tuple[int, dict[str, Any]]:
    """Exit code and parsed ``--format json`` document (stdout must be pure JSON)."""
    result = invoke(*args, "--format", "json")
    document: dict[str, Any] = json.loads(result.stdout)
    assert document["valid"] is (result.exit_code == 0)
    return result.exit_code, document


def problem(
    code: str,
    message: str,
    *,
    file: str,
    check: str,
    severity: str = "error",
    line: int | None = None,
    record: str | None = None,
    path: str | None = None,
) -> dict[str, Any]:
    """A problem exactly as the JSON report spells it."""
    return {
        "code": code,
        "severity": severity,
        "message": message,
        "check": check,
        "file": file,
        "line": line,
        "record": record,
        "path": path,
    }


def errors_of(document: dict[str, Any]) -> list[dict[str, Any]]:
    return [p for p in document["problems"] if p["severity"] == "error"]


def load_valid_records() -> list[Record]:
    lines = VALID_JSONL.read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def write_jsonl(path: Path, records: list[Record]) -> str:
    """Write records one per line (raw UTF-8, as convert writes them); return the argument."""
    text = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)
    path.write_text(text, encoding="utf-8", newline="\n")
    return str(path)


def rejoin(record: Record) -> None:
    """Recompute text and its counts from the body, as the converter does."""
    record["text"] = "\n\n".join(block["text"] for block in record["body"])
    record["word_count"] = len(record["text"].split())
    record["char_count"] = len(record["text"])


# --------------------------------------------------------------------------- the real seeds

SEED_WARNINGS = [
    problem(
        "no-date",
        "record 0828cff762950d3a has no publication date; the page copy carries none, "
        "or its date format is missing from the profile",
        severity="warning",
        check="corpus-tools",
        file="seeds/000_0828cff762950d3a.txt",
        record="0828cff762950d3a",
        path="/published",
    ),
    problem(
        "no-title",
        "record 2ee008dd76835e94 has no title; the page copy lost its headline, or the "
        "profile's headline rule missed it",
        severity="warning",
        check="corpus-tools",
        file="seeds/002_2ee008dd76835e94.txt",
        record="2ee008dd76835e94",
        path="/title",
    ),
    problem(
        "no-date",
        "record 523f84f5b651b2cc has no publication date; the page copy carries none, "
        "or its date format is missing from the profile",
        severity="warning",
        check="corpus-tools",
        file="seeds/004_523f84f5b651b2cc.txt",
        record="523f84f5b651b2cc",
        path="/published",
    ),
]


def test_real_seeds_are_valid_with_only_warnings(in_project: Path) -> None:
    code, document = run_json("seeds")
    assert code == 0
    assert document["valid"] is True
    assert document["summary"] == {"checked": 5, "errors": 0, "warnings": 3}
    assert document["problems"] == SEED_WARNINGS


def test_real_seeds_fail_under_strict_because_of_the_warnings(in_project: Path) -> None:
    code, document = run_json("seeds", "--strict")
    assert code == 1
    assert document["valid"] is False
    assert document["strict"] is True
    assert document["problems"] == SEED_WARNINGS


def test_default_seeds_folder_is_seeds(in_project: Path) -> None:
    assert run_json() == run_json("seeds")


def test_human_format_ends_with_the_summary_line(in_project: Path) -> None:
    ok = invoke("seeds")
    assert ok.exit_code == 0
    assert ok.stdout.rstrip().splitlines()[-1] == "✓ 5 records checked: 3 warnings"
    strict = invoke("seeds", "--strict")
    assert strict.exit_code == 1
    assert strict.stdout.rstrip().splitlines()[-1] == (
        "✗ 5 records checked: 3 warnings (strict: warnings count as failures)"
    )


# --------------------------------------------------------------------------- bad seed folders


def _seed(case: str, name: str) -> str:
    return f"{SEED_FIXTURES}/{case}/{name}"


BAD_SEEDS: dict[str, dict[str, Any]] = {
    "empty": problem(
        "empty-file",
        "file is empty; add the article text or remove the file",
        check="conversion",
        file=_seed("empty", "000_00000000000000e1.txt"),
    ),
    "binary": problem(
        "binary-file",
        "file contains NUL bytes and is not a text file; replace it with the article "
        "copied as plain UTF-8 text",
        check="conversion",
        file=_seed("binary", "000_00000000000000b1.txt"),
    ),
    "latin1": problem(
        "not-utf8",
        "file is not UTF-8 text (byte 0xe9 at offset 107); re-save it as UTF-8, for "
        "example with iconv -f latin1 -t utf-8",
        check="conversion",
        file=_seed("latin1", "000_00000000000000c1.txt"),
        line=5,
    ),
    "furniture_only": problem(
        "no-body",
        "no article body: all 3 non-blank lines are page furniture or header fields for "
        "profile presstv; check that the file holds the article text, or extend the "
        "outlet profile",
        check="conversion",
        file=_seed("furniture_only", "000_00000000000000f1.txt"),
    ),
    "no_body": problem(
        "no-body",
        "no article body: all 4 non-blank lines are page furniture or header fields for "
        "profile generic; check that the file holds the article text, or extend the "
        "outlet profile",
        check="conversion",
        file=_seed("no_body", "000_0000000000000011.txt"),
    ),
    "bad_name": problem(
        "file-name",
        "file name does not follow NNN_<16 hex>.txt; rename it like "
        "005_0123456789abcdef.txt (an order number of three or more digits, underscore, 16 "
        "lower-case hex digits), or add the file with corpus-tools add",
        check="conversion",
        file=_seed("bad_name", "article.txt"),
    ),
}


@pytest.mark.parametrize(
    "case",
    sorted(BAD_SEEDS),
)
def test_bad_seed_is_reported_on_one_line_with_its_file(case: str) -> None:
    code, document = run_json(f"{SEED_FIXTURES}/{case}")
    assert code == 1
    assert document["target"] == f"{SEED_FIXTURES}/{case}"
    assert document["summary"] == {"checked": 1, "errors": 1, "warnings": 0}
    assert document["problems"] == [BAD_SEEDS[case]]
    assert "\n" not in BAD_SEEDS[case]["message"]


def test_future_date_points_at_the_date_line(golden_project: Path) -> None:
    project = load(golden_project, today=dt.date(2030, 6, 1), display_base=ROOT)
    report = project.validate(ROOT / SEED_FIXTURES / "future_date")
    assert report.failed()
    document = json.loads(render_json(report, False))
    assert document["target"] == f"{SEED_FIXTURES}/future_date"
    assert document["problems"] == [
        problem(
            "date-out-of-range",
            "record 00000000000000a1: publication date 2099-01-05 is after today "
            "(2030-06-01); check the date line in the seed",
            check="pandera",
            file=_seed("future_date", "000_00000000000000a1.txt"),
            line=3,
            record="00000000000000a1",
            path="/published/raw",
        )
    ]
    seed_lines = (ROOT / SEED_FIXTURES / "future_date" / "000_00000000000000a1.txt").read_text(
        encoding="utf-8"
    )
    assert "2099" in seed_lines.splitlines()[3 - 1]


def test_future_date_is_found_among_undated_records(tmp_path: Path) -> None:
    root = copy_project(tmp_path / "corpus", releases=False, seeds=GOLDEN_SEEDS)
    future = ROOT / SEED_FIXTURES / "future_date" / "000_00000000000000a1.txt"
    shutil.copy(future, root / "seeds" / "005_00000000000000a1.txt")
    report = load(root, today=dt.date(2030, 6, 1)).validate()
    assert [(p.code, p.record, p.line) for p in report.errors] == [
        ("date-out-of-range", "00000000000000a1", 3)
    ]


def test_duplicate_seeds_report_both_files() -> None:
    first = _seed("duplicate", "003_8566bcfe0396727f.txt")
    second = _seed("duplicate", "004_00000000000000d1.txt")
    code, document = run_json(f"{SEED_FIXTURES}/duplicate")
    assert code == 1
    assert document["summary"] == {"checked": 2, "errors": 4, "warnings": 0}
    assert document["problems"] == [
        problem(
            "duplicate-seed",
            "record 8566bcfe0396727f has the same seed bytes as 004_00000000000000d1.txt; "
            "remove the duplicate seed",
            check="pandera",
            file=first,
            record="8566bcfe0396727f",
            path="/seed_sha256",
        ),
        problem(
            "duplicate-text",
            "record 8566bcfe0396727f has the same article text as 004_00000000000000d1.txt "
            "(the same article under another id); remove one of the seeds",
            check="pandera",
            file=first,
            record="8566bcfe0396727f",
            path="/text",
        ),
        problem(
            "duplicate-seed",
            "record 00000000000000d1 has the same seed bytes as 003_8566bcfe0396727f.txt; "
            "remove the duplicate seed",
            check="pandera",
            file=second,
            record="00000000000000d1",
            path="/seed_sha256",
        ),
        problem(
            "duplicate-text",
            "record 00000000000000d1 has the same article text as 003_8566bcfe0396727f.txt "
            "(the same article under another id); remove one of the seeds",
            check="pandera",
            file=second,
            record="00000000000000d1",
            path="/text",
        ),
    ]


def test_crlf_and_bom_seed_is_valid_and_converts_like_the_original() -> None:
    code, document = run_json(f"{SEED_FIXTURES}/crlf_bom")
    assert code == 0
    assert errors_of(document) == []

    profiles: ProfileSet = load(PROJECT["root"]).profiles

    def convert(path: Path) -> ArticleRecord:
        return convert_seed(Seed(path.name, path.as_posix(), path.read_bytes()), profiles)

    original_path = ROOT / "seeds" / "000_0828cff762950d3a.txt"
    crlf_path = ROOT / SEED_FIXTURES / "crlf_bom" / "000_0828cff762950d3a.txt"
    assert crlf_path.read_bytes().startswith(b"\xef\xbb\xbf") and b"\r\n" in crlf_path.read_bytes()
    original, crlf = convert(original_path), convert(crlf_path)
    assert crlf["seed_sha256"] == hashlib.sha256(crlf_path.read_bytes()).hexdigest()
    assert crlf["seed_sha256"] != original["seed_sha256"]
    assert {k: v for k, v in dict(crlf).items() if k != "seed_sha256"} == {
        k: v for k, v in dict(original).items() if k != "seed_sha256"
    }


# --------------------------------------------------------------------------- output formats


def test_github_format_annotates_the_bad_seed() -> None:
    result = invoke(f"{SEED_FIXTURES}/latin1", "--format", "github")
    assert result.exit_code == 1
    assert result.stdout == (
        "::error file=tests/fixtures/seeds/latin1/000_00000000000000c1.txt,line=5,"
        "title=not-utf8::file is not UTF-8 text (byte 0xe9 at offset 107); re-save it as "
        "UTF-8, for example with iconv -f latin1 -t utf-8\n"
    )


def test_github_format_appends_a_markdown_table_to_the_step_summary(tmp_path: Path) -> None:
    summary = tmp_path / "summary.md"
    summary.write_text("earlier step\n", encoding="utf-8")
    result = invoke(
        f"{SEED_FIXTURES}/latin1", "--format", "github", env={"GITHUB_STEP_SUMMARY": str(summary)}
    )
    assert result.exit_code == 1
    assert result.stdout.startswith("::error file=tests/fixtures/seeds/latin1/")
    assert summary.read_text(encoding="utf-8") == (
        "earlier step\n"
        "\n"
        "## corpus-tools validate: tests/fixtures/seeds/latin1\n"
        "\n"
        "✗ 1 record checked: 1 error\n"
        "\n"
        "| Severity | File | Line | Record | Code | Path | Message |\n"
        "| --- | --- | ---: | --- | --- | --- | --- |\n"
        "| error | tests/fixtures/seeds/latin1/000_00000000000000c1.txt | 5 |  | not-utf8 |  "
        "| file is not UTF-8 text (byte 0xe9 at offset 107); re-save it as UTF-8, for example "
        "with iconv -f latin1 -t utf-8 |\n"
    )


def test_junit_format_has_one_failing_testcase_per_duplicate_seed() -> None:
    result = invoke(f"{SEED_FIXTURES}/duplicate", "--format", "junit")
    assert result.exit_code == 1
    root = ET.fromstring(result.stdout)
    suites = root.findall("testsuite")
    assert len(suites) == 1
    suite = suites[0]
    assert (suite.get("tests"), suite.get("failures"), suite.get("errors")) == ("2", "2", "0")
    cases = suite.findall("testcase")
    assert [(c.get("classname"), c.get("name")) for c in cases] == [
        (_seed("duplicate", "003_8566bcfe0396727f.txt"), "8566bcfe0396727f"),
        (_seed("duplicate", "004_00000000000000d1.txt"), "00000000000000d1"),
    ]
    for case in cases:
        failures = case.findall("failure")
        assert len(failures) == 1
        assert failures[0].get("type") == "duplicate-seed"
        body = failures[0].text or ""
        assert "[duplicate-seed]" in body and "[duplicate-text]" in body


def test_junit_format_for_valid_seeds_has_no_failures(in_project: Path) -> None:
    result = invoke("seeds", "--format", "junit")
    assert result.exit_code == 0
    suite = ET.fromstring(result.stdout).find("testsuite")
    assert suite is not None
    assert (suite.get("tests"), suite.get("failures")) == ("5", "0")
    assert suite.findall("testcase/failure") == []


def test_json_format_has_the_documented_keys() -> None:
    code, document = run_json(f"{SEED_FIXTURES}/duplicate")
    assert code == 1
    top = {"format", "format_version", "target", "valid", "strict", "summary", "problems"}
    assert set(document) == top
    assert document["format"] == JSON_FORMAT == "corpus-tools-validation"
    assert document["format_version"] == JSON_FORMAT_VERSION == 1
    assert document["target"] == f"{SEED_FIXTURES}/duplicate"
    assert document["valid"] is False
    assert document["strict"] is False
    assert set(document["summary"]) == {"checked", "errors", "warnings"}
    keys = {"code", "severity", "message", "check", "file", "line", "record", "path"}
    assert document["problems"]
    for item in document["problems"]:
        assert set(item) == keys
    documented = (
        (top - {"summary"}) | keys | {"summary.checked", "summary.errors", "summary.warnings"}
    )
    for key in documented:
        assert f"`{key}`" in JSON_FORMAT_DOC, key


# --------------------------------------------------------------------------- --records


def test_valid_records_file_passes() -> None:
    code, document = run_json("--records", f"{RECORD_FIXTURES}/valid.jsonl")
    assert code == 0
    assert document["summary"] == {"checked": 5, "errors": 0, "warnings": 3}
    assert errors_of(document) == []


def test_missing_field_and_wrong_type_are_both_reported() -> None:
    file = f"{RECORD_FIXTURES}/missing_and_wrong_type.jsonl"
    code, document = run_json("--records", file)
    assert code == 1
    assert document["problems"] == [
        problem(
            "schema-required",
            "record 0828cff762950d3a: $.title: 'title' is a required property; add the field "
            "(null where the value is unknown)",
            check="jsonschema",
            file=file,
            line=1,
            record="0828cff762950d3a",
            path="$.title",
        ),
        problem(
            "schema-type",
            "record 0828cff762950d3a: $.word_count: 'many' is not of type 'integer'; give the "
            "value the type the schema names",
            check="jsonschema",
            file=file,
            line=1,
            record="0828cff762950d3a",
            path="$.word_count",
        ),
    ]


def test_impossible_date_fails_the_format_check() -> None:
    file = f"{RECORD_FIXTURES}/malformed_date.jsonl"
    code, document = run_json("--records", file)
    assert code == 1
    assert document["problems"] == [
        problem(
            "schema-format",
            "record b8e32a01f76ace3e: $.published.date: '2017-11-31' is not a 'date'; write "
            "the value in the schema's format",
            check="jsonschema",
            file=file,
            line=1,
            record="b8e32a01f76ace3e",
            path="$.published.date",
        )
    ]


def test_schema_validator_really_checks_date_formats() -> None:
    validator = Schema.packaged().validator
    record = load_valid_records()[1]
    assert record["published"]["date"] == "2017-11-22"
    assert validator.is_valid(record)
    bad = copy.deepcopy(record)
    bad["published"]["date"] = "2017-13-01"
    errors = list(validator.iter_errors(bad))
    assert [(e.validator, e.json_path) for e in errors] == [("format", "$.published.date")]


def test_invalid_json_line_is_reported_with_its_line() -> None:
    file = f"{RECORD_FIXTURES}/not_json.jsonl"
    code, document = run_json("--records", file)
    assert code == 1
    (error,) = errors_of(document)
    assert (error["code"], error["check"], error["file"], error["line"]) == (
        "invalid-json",
        "jsonl",
        file,
        2,
    )
    assert error["message"].startswith(
        "line is not valid JSON (Expecting property name enclosed in double quotes at column "
    )
    assert error["message"].endswith("); write one JSON object per line")


def test_invalid_json_column_is_the_column_on_the_files_line() -> None:
    file = f"{RECORD_FIXTURES}/not_json.jsonl"
    _, document = run_json("--records", file)
    assert errors_of(document) == [
        problem(
            "invalid-json",
            "line is not valid JSON (Expecting property name enclosed in double quotes at "
            "column 14); write one JSON object per line",
            check="jsonl",
            file=file,
            line=2,
        )
    ]


# --------------------------------------------------------------------------- usage errors


def test_missing_seeds_folder_is_a_usage_error() -> None:
    folder = f"{SEED_FIXTURES}/does_not_exist"
    result = invoke(folder)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == (
        f"{folder}: seeds folder {folder} does not exist; pass the folder that holds the "
        "NNN_<16 hex>.txt files\n"
    )


def test_missing_records_file_is_a_usage_error() -> None:
    file = f"{RECORD_FIXTURES}/does_not_exist.jsonl"
    result = invoke("--records", file)
    assert result.exit_code == 2
    assert result.stdout == ""
    (line,) = result.stderr.splitlines()
    assert line.startswith(f"{file}: ")
    assert line.endswith(f"{file} does not exist; pass a .jsonl file made by corpus-tools convert")


def test_records_and_dataset_together_is_a_usage_error() -> None:
    result = invoke("--records", f"{RECORD_FIXTURES}/valid.jsonl", "--dataset", "dist")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == "use either --records or --dataset, not both; see --help\n"


def test_unknown_format_is_a_usage_error() -> None:
    result = invoke("seeds", "--format", "xml")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "Invalid value for '--format'" in result.stderr
    assert "'xml' is not one of" in result.stderr


# --------------------------------------------------------------------------- table checks


def _word_count_off_by_one(records: list[Record]) -> None:
    records[1]["word_count"] += 1


def _hour_precision_with_minutes(records: list[Record]) -> None:
    assert records[3]["published"]["precision"] == "hour"
    records[3]["published"]["time"] = "20:05"


def _outlet_country_changed(records: list[Record]) -> None:
    records[0]["outlet"]["country"] = "GB"


def _language_fr(records: list[Record]) -> None:
    records[2]["language"] = "fr"


def _furniture_appended(records: list[Record]) -> None:
    tehran = records[3]
    assert tehran["outlet"]["id"] == "tehrantimes"
    tehran["body"].append({"kind": "paragraph", "text": "Leave a Comment"})
    rejoin(tehran)


def _no_headline(records: list[Record]) -> None:
    for key in ("title", "kicker", "lead"):
        records[1][key] = None


TABLE_CASES: list[tuple[str, Mutation, int, str, str, str]] = [
    (
        "count-mismatch",
        _word_count_off_by_one,
        2,
        "b8e32a01f76ace3e",
        "/word_count",
        "record b8e32a01f76ace3e: word_count 313 or char_count 1872 disagrees with text; "
        "recompute them as len(text.split()) and len(text)",
    ),
    (
        "precision-mismatch",
        _hour_precision_with_minutes,
        4,
        "8566bcfe0396727f",
        "/published/precision",
        "record 8566bcfe0396727f: published.precision does not agree with published.time; "
        "use day with no time, hour with HH:00, minute with HH:MM",
    ),
    (
        "outlet-mismatch",
        _outlet_country_changed,
        1,
        "0828cff762950d3a",
        "/outlet",
        'record 0828cff762950d3a: outlet {"id": "presstv", "name": "Press TV", "domain": '
        '"presstv.ir", "country": "GB"} does not match the outlet registry (Press TV, '
        "presstv.ir, IR); fix the outlet fields or the profile",
    ),
    (
        "language",
        _language_fr,
        3,
        "2ee008dd76835e94",
        "/language",
        "record 2ee008dd76835e94: language 'fr' is not one of en; fix it or allow it in "
        "dataset.toml",
    ),
    (
        "furniture-in-body",
        _furniture_appended,
        4,
        "8566bcfe0396727f",
        "/body/19/text",
        "record 8566bcfe0396727f: body block 'Leave a Comment' is page furniture by the "
        "tehrantimes profile; remove it from body and text",
    ),
    (
        "no-headline",
        _no_headline,
        2,
        "b8e32a01f76ace3e",
        "/title",
        "record b8e32a01f76ace3e has no title, kicker or lead; check the seed's first lines "
        "or extend the outlet profile",
    ),
]


@pytest.mark.parametrize(
    ("code", "mutate", "line", "rid", "pointer", "message"),
    [pytest.param(*case, id=case[0]) for case in TABLE_CASES],
)
def test_table_check_through_records(
    tmp_path: Path,
    code: str,
    mutate: Mutation,
    line: int,
    rid: str,
    pointer: str,
    message: str,
) -> None:
    records = load_valid_records()
    mutate(records)
    file = write_jsonl(tmp_path / "records.jsonl", records)
    exit_code, document = run_json("--records", file)
    assert exit_code == 1
    assert errors_of(document) == [
        problem(
            code,
            message,
            check="pandera",
            file=file,
            line=line,
            record=rid,
            path=pointer,
        )
    ]
    assert rid in message


def test_unmodified_copy_of_valid_records_has_no_table_errors(tmp_path: Path) -> None:
    """The control for the table-check cases: the rewrite alone triggers nothing."""
    file = write_jsonl(tmp_path / "records.jsonl", load_valid_records())
    exit_code, document = run_json("--records", file)
    assert exit_code == 0
    assert errors_of(document) == []


def test_same_record_twice_is_a_duplicate_id(tmp_path: Path) -> None:
    records = load_valid_records()
    records.append(copy.deepcopy(records[1]))
    file = write_jsonl(tmp_path / "records.jsonl", records)
    exit_code, document = run_json("--records", file)
    assert exit_code == 1
    found = {(p["code"], p["line"], p["record"]) for p in errors_of(document)}
    rid = "b8e32a01f76ace3e"
    assert found == {
        (code, line, rid)
        for code in ("duplicate-id", "duplicate-seed", "duplicate-text")
        for line in (2, 6)
    }
    duplicate_id = [p for p in errors_of(document) if p["code"] == "duplicate-id"]
    assert [p["message"] for p in duplicate_id] == [
        f"record {rid} shares its id with 001_b8e32a01f76ace3e.txt; give each seed a unique id"
    ] * 2
    assert all(p["path"] == "/id" and p["file"] == file for p in duplicate_id)


def test_same_text_under_another_id_is_a_duplicate_text(tmp_path: Path) -> None:
    records = load_valid_records()
    twin = copy.deepcopy(records[1])
    twin["id"] = "00000000000000d2"
    twin["seed_file"] = "005_00000000000000d2.txt"
    twin["seed_sha256"] = "0" * 64
    records.append(twin)
    file = write_jsonl(tmp_path / "records.jsonl", records)
    exit_code, document = run_json("--records", file)
    assert exit_code == 1
    assert errors_of(document) == [
        problem(
            "duplicate-text",
            "record b8e32a01f76ace3e has the same article text as 005_00000000000000d2.txt "
            "(the same article under another id); remove one of the seeds",
            check="pandera",
            file=file,
            line=2,
            record="b8e32a01f76ace3e",
            path="/text",
        ),
        problem(
            "duplicate-text",
            "record 00000000000000d2 has the same article text as 001_b8e32a01f76ace3e.txt "
            "(the same article under another id); remove one of the seeds",
            check="pandera",
            file=file,
            line=6,
            record="00000000000000d2",
            path="/text",
        ),
    ]


# --------------------------------------------------------------------------- known bugs


def test_line_separator_inside_a_json_string_is_not_a_line_break(tmp_path: Path) -> None:
    records = load_valid_records()
    first = records[1]["body"][0]
    first["text"] = first["text"].replace(" has said", " has\u2028said", 1)
    rejoin(records[1])
    file = write_jsonl(tmp_path / "records.jsonl", records)
    assert "\u2028" in Path(file).read_text(encoding="utf-8")
    exit_code, document = run_json("--records", file)
    assert errors_of(document) == []
    assert exit_code == 0


def test_junit_fails_the_testcase_of_every_duplicate_record(tmp_path: Path) -> None:
    records = load_valid_records()
    records.append(copy.deepcopy(records[1]))
    file = write_jsonl(tmp_path / "records.jsonl", records)
    result = invoke("--records", file, "--format", "junit")
    assert result.exit_code == 1
    cases = ET.fromstring(result.stdout).findall("testsuite/testcase")
    assert len(cases) == 6
    failing = [c.get("name") for c in cases if c.find("failure") is not None]
    assert failing == ["b8e32a01f76ace3e", "b8e32a01f76ace3e"]


@pytest.fixture(scope="module")
def built_dist(golden_project: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    output = tmp_path_factory.mktemp("validate-dist") / "dist"
    load(golden_project).build(output)
    return output


def test_built_dataset_is_valid(built_dist: Path) -> None:
    code, document = run_json("--dataset", str(built_dist))
    assert code == 0
    assert document["summary"] == {"checked": len(GOLDEN_SEEDS), "errors": 0, "warnings": 3}


def test_dataset_with_a_broken_manifest_and_parquet_is_reported(
    tmp_path: Path, built_dist: Path
) -> None:
    broken = tmp_path / "dist"
    shutil.copytree(built_dist, broken)
    (broken / "manifest.json").write_text("{bad", encoding="utf-8")
    (broken / "data" / "train-00000-of-00001.parquet").write_bytes(b"not parquet")
    result = invoke("--dataset", str(broken), "--format", "json")
    assert result.exit_code == 1
    codes = [p["code"] for p in json.loads(result.stdout)["problems"]]
    assert sorted(codes) == ["bad-manifest", "bad-parquet"]


def test_dataset_with_an_edited_file_fails_its_checksum(tmp_path: Path, built_dist: Path) -> None:
    edited = tmp_path / "dist"
    shutil.copytree(built_dist, edited)
    with (edited / "README.md").open("a", encoding="utf-8") as card:
        card.write("\nEdited by hand.\n")
    code, document = run_json("--dataset", str(edited))
    assert code == 1
    assert [p["code"] for p in errors_of(document)] == ["checksum"]


def test_folder_without_parquet_is_not_a_dataset(tmp_path: Path) -> None:
    result = invoke("--dataset", str(tmp_path))
    assert result.exit_code == 2
    assert "holds no data/*.parquet" in result.stderr


def test_empty_records_file_has_no_records(tmp_path: Path) -> None:
    empty = tmp_path / "empty.jsonl"
    empty.write_text("\n", encoding="utf-8")
    code, document = run_json("--records", str(empty))
    assert code == 1
    assert [p["code"] for p in document["problems"]] == ["no-records"]


def test_the_console_script_leaves_its_heap_out_of_the_exit_collections(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """``corpus-tools`` is ``cli.run``: once the command is done, every object is frozen, so
    Python's collections at exit do not walk the libraries' heap (0.3 s after a build)."""
    import gc
    from importlib.metadata import entry_points

    from corpus_tools.cli import run

    (script,) = entry_points(group="console_scripts", name="corpus-tools")
    assert script.load() is run
    monkeypatch.setattr("sys.argv", ["corpus-tools", "--version"])
    gc.unfreeze()
    try:
        with pytest.raises(SystemExit) as stopped:
            run()
        assert stopped.value.code in (0, None)
        assert capsys.readouterr().out.startswith("corpus-tools ")
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
