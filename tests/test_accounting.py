"""Lossless conversion: every non-blank seed line is accounted for in the record."""

from __future__ import annotations

import copy

import pytest

from corpus_tools.convert.accounting import unaccounted
from corpus_tools.ingest.text import normalise
from corpus_tools.record import Record
from tests.conftest import SEEDS, seed_files


def _lines(seed_file: str) -> list[str]:
    return normalise((SEEDS / seed_file).read_text(encoding="utf-8"))


@pytest.mark.parametrize("seed_file", seed_files())
def test_every_seed_line_is_accounted_for(seed_records: dict[str, Record], seed_file: str) -> None:
    record = seed_records[seed_file]
    assert unaccounted(record, _lines(seed_file)) == []
    mapped = {entry["line"] for entry in record["source_map"]}
    non_blank = {n for n, line in enumerate(_lines(seed_file), start=1) if line}
    assert mapped == non_blank


def test_a_dropped_line_is_detected(seed_records: dict[str, Record]) -> None:
    record = copy.deepcopy(seed_records["003_8566bcfe0396727f.txt"])
    record["boilerplate"].pop()
    record["source_map"] = [e for e in record["source_map"] if e["line"] != 45]
    assert unaccounted(record, _lines("003_8566bcfe0396727f.txt")) == ["line 45 lands nowhere"]


def test_a_reworded_value_is_detected(seed_records: dict[str, Record]) -> None:
    record = copy.deepcopy(seed_records["001_b8e32a01f76ace3e.txt"])
    record["title"] = "Khamenei: Collapse of Daesh is the defeat of US"
    assert unaccounted(record, _lines("001_b8e32a01f76ace3e.txt")) == [
        "line 3: /title is not the text it maps to"
    ]


def test_normalisation_only_touches_whitespace() -> None:
    raw = "\ufeffNews \u00a0/\u00a0 Politics \r\nA  line\twith\u202fspaces. \rLast"
    assert normalise(raw) == ["News / Politics", "A line with spaces.", "Last"]
