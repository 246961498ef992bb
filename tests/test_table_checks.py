"""The vectorised table checks give, row by row, the verdicts of their plain definitions."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from hypothesis import example, given, settings
from hypothesis import strategies as st

from corpus_tools.project import Project
from corpus_tools.validate import table as table_module
from corpus_tools.validate.table import CompactTable, iter_failures, table_failures

ROOT = Path(__file__).resolve().parents[1]
PROJECT = Project.load(ROOT, today=dt.date(2026, 11, 21))
REGISTRY = PROJECT.profiles.registry
OUTLET_IDS = sorted(REGISTRY)


def _precision_ok(precision: str | None, time: str | None) -> bool:
    if precision in (None, "day"):
        return time is None
    if precision == "hour":
        return time is not None and time.endswith(":00")
    return time is not None


def _date_ok(date: str | None, outlet_id: str) -> bool:
    if date is None:
        return True
    day = dt.date.fromisoformat(date)
    outlet = REGISTRY.get(outlet_id)
    founded = outlet.founded if outlet else None
    return day <= PROJECT.today and (founded is None or day.year >= founded)


def _outlet_ok(oid: str, name: str, domain: str | None, country: str) -> bool:
    outlet = REGISTRY.get(oid)
    return outlet is not None and (outlet.name, outlet.domain, outlet.country) == (
        name,
        domain,
        country,
    )


@st.composite
def rows(draw: st.DrawFn) -> dict[str, Any]:
    oid = draw(st.sampled_from([*OUTLET_IDS, "nosuchoutlet"]))
    outlet = REGISTRY.get(oid)
    name = draw(st.sampled_from([outlet.name if outlet else "X", "Other Name"]))
    domain = draw(st.sampled_from([outlet.domain if outlet else None, None, "other.example"]))
    country = draw(st.sampled_from([outlet.country if outlet else "ZZ", "US"]))
    date = draw(st.one_of(st.none(), st.dates(dt.date(1950, 1, 1), dt.date(2030, 12, 31))))
    precision = draw(st.sampled_from([None, "day", "hour", "minute"]))
    time = draw(st.sampled_from([None, "20:00", "20:05", "00:00"]))
    return {
        "outlet_id": oid,
        "outlet_name": name,
        "outlet_domain": domain,
        "outlet_country": country,
        "published_date": date.isoformat() if date else None,
        "published_precision": precision,
        "published_time": time,
    }


def _row(index: int, values: dict[str, Any]) -> dict[str, Any]:
    rid = f"{index:016x}"
    return {
        "id": rid,
        "seed_file": f"{index:03d}_{rid}.txt",
        "seed_sha256": f"{index:064x}",
        "text_sha256": f"{index + 1:064x}",
        "has_headline": True,
        "word_count": 3,
        "char_count": 10,
        "text_words": 3,
        "text_chars": 10,
        "text_is_body": True,
        "language": "en",
        "furniture_block": -1,
        "furniture_text": "",
        "furniture_line": 0,
        "date_line": 0,
        **values,
    }


@settings(max_examples=60, deadline=None)
@given(st.lists(rows(), min_size=1, max_size=40))
def test_outlet_date_and_precision_checks_match_their_definitions(
    values: list[dict[str, Any]],
) -> None:
    table = CompactTable()
    for index, row in enumerate(values):
        table.add(_row(index, row), f"r{index}.jsonl", 1)
    found = set(table_failures(PROJECT, table))
    for index, row in enumerate(values):
        outlet = (
            row["outlet_id"],
            row["outlet_name"],
            row["outlet_domain"],
            row["outlet_country"],
        )
        expected = {
            "outlet-mismatch": not _outlet_ok(*outlet),
            "date-out-of-range": not _date_ok(row["published_date"], row["outlet_id"]),
            "precision-mismatch": not _precision_ok(
                row["published_precision"], row["published_time"]
            ),
        }
        for code, failing in expected.items():
            assert ((code, index) in found) == failing, (code, row)


def test_a_record_whose_seed_file_names_another_id_is_an_id_mismatch() -> None:
    outlet = REGISTRY[OUTLET_IDS[0]]
    facts = {
        "outlet_id": outlet.id,
        "outlet_name": outlet.name,
        "outlet_domain": outlet.domain,
        "outlet_country": outlet.country,
        "published_date": None,
        "published_precision": None,
        "published_time": None,
    }
    table = CompactTable()
    table.add(_row(0, facts), "r.jsonl", 1)
    other = _row(1, {**facts, "seed_file": "001_00000000000000ff.txt"})
    table.add(other, "r.jsonl", 2)
    odd_name = _row(2, facts)
    odd_name["seed_file"] = f"x{odd_name['seed_file']}"  # the id is there, the name is not
    table.add(odd_name, "r.jsonl", 3)
    mismatches = [index for code, index in table_failures(PROJECT, table) if code == "id-mismatch"]
    assert mismatches == [1, 2]


def test_the_background_import_of_the_checks_never_raises(monkeypatch: Any) -> None:
    # It runs in a thread while workers convert seeds: a broken Pandera install, or one that
    # moved its private modules, must surface once, at the real import, not as a thread's
    # traceback.
    import importlib

    from corpus_tools.validate.table import import_checks

    tried: list[str] = []

    def broken(name: str, *args: Any, **kwargs: Any) -> Any:
        tried.append(name)
        raise ImportError(f"{name} is broken")

    monkeypatch.setattr(importlib, "import_module", broken)
    import_checks()  # returns quietly
    assert "pandera.pandas" in tried
    assert "pandera.backends.pandas.builtin_checks" in tried  # one failure stops nothing


@st.composite
def mixed_rows(draw: st.DrawFn) -> list[dict[str, Any]]:
    """Rows of which some fail the row checks and some share a key with another row."""
    values = draw(st.lists(rows(), min_size=1, max_size=30))
    table_rows = [_row(index, row) for index, row in enumerate(values)]
    for row in table_rows:
        if draw(st.booleans()):
            other = table_rows[draw(st.integers(0, len(table_rows) - 1))]
            key = draw(st.sampled_from(["id", "seed_sha256", "text_sha256"]))
            row[key] = other[key]
        if draw(st.integers(0, 4)) == 0:
            row["word_count"] += 1  # a count mismatch
        if draw(st.integers(0, 4)) == 0:
            row["furniture_block"], row["furniture_text"] = 0, "Share this article"
    return table_rows


def _report(table: CompactTable) -> list[tuple[Any, ...]]:
    return [
        (code, index, message, pointer, table.origin(index), table.line_for(index, pointer, 1))
        for code, index, message, pointer in iter_failures(PROJECT, table)
    ]


@contextmanager
def _blocks(block: int, every: int) -> Iterator[None]:
    """Seal every ``block`` rows and check every ``every`` sealed blocks."""
    old = table_module.BLOCK, table_module.CHECK_BLOCKS
    table_module.BLOCK, table_module.CHECK_BLOCKS = block, every
    try:
        yield
    finally:
        table_module.BLOCK, table_module.CHECK_BLOCKS = old


@settings(max_examples=15, deadline=None)
@given(mixed_rows())
def test_rows_checked_a_few_blocks_at_a_time_give_the_report_of_one_check_at_the_end(
    table_rows: list[dict[str, Any]],
) -> None:
    # A large table is checked as it grows, and then keeps only its keys and its failing
    # rows; the report must be the one a check of the whole table at the end gives.
    def report(project: Project | None) -> list[tuple[Any, ...]]:
        table = CompactTable(project)
        for index, row in enumerate(table_rows):
            table.add(dict(row), f"r{index % 3}.jsonl", index + 1)
        return _report(table)

    whole = report(None)  # one block (the default holds thousands), checked at the end
    for block, every in ((2, 3), (3, 2), (7, 1)):
        with _blocks(block, every):
            assert report(PROJECT) == whole
            assert report(None) == whole  # sealed, but all checked at the end


_HEX_DIGITS = "0123456789abcdef"
# Digest-like values: lowercase hex digests (as the converter writes them), a few of them
# equal, and other text, which rows given to a table directly (not through the schema) may hold.
_DIGEST_VALUES = st.one_of(
    st.sampled_from([c * 64 for c in "0a7fAF"]),
    st.text(alphabet=_HEX_DIGITS, min_size=64, max_size=64),
    st.text(alphabet=_HEX_DIGITS.upper(), min_size=64, max_size=64),
    st.text(max_size=70),
    st.none(),
)


def _split(values: list[Any], cuts: list[int]) -> list[list[Any]]:
    """``values`` in consecutive blocks, cut at the given positions."""
    edges = [0, *sorted({c % (len(values) + 1) for c in cuts}), len(values)]
    return [values[a:b] for a, b in itertools.pairwise(edges)]


def _repeated(values: list[Any]) -> list[bool]:
    """The plain definition: a value (not a missing one) that occurs more than once."""
    return [v is not None and values.count(v) > 1 for v in values]


@settings(max_examples=60, deadline=None)
@given(st.lists(_DIGEST_VALUES, max_size=40), st.lists(st.integers(0, 40), max_size=4))
@example(["f" * 64, "F" * 64, None, "f" * 64, "é"], [2])
def test_digests_kept_in_32_bytes_stay_equal_exactly_where_the_text_was(
    values: list[str | None], cuts: list[int]
) -> None:
    # A table keeps each digest in 32 bytes once its rows are checked: equal digests must
    # stay equal and different ones different (upper-case hex is not the same text), whether
    # a block is converted at once or value by value.
    import pyarrow as pa

    kept: list[Any] = []
    for part in _split(values, cuts):
        block = pa.array(["x", *part], type=pa.string()).slice(1)  # an offset, as slices have
        kept.extend(table_module._digest_block(block).to_pylist())
    assert kept == [table_module._digest(v) for v in values]
    assert all(k is None or len(k) == 32 for k in kept)
    for a, b in zip(values, kept, strict=True):
        assert (a is None) == (b is None)
    pairs = {(a, b) for a, b in zip(values, kept, strict=True)}
    assert len({a for a, _ in pairs}) == len(pairs) == len({b for _, b in pairs})  # one-to-one


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.one_of(st.sampled_from(["a", "b", "ab", ""]), st.text(max_size=3), st.none())),
    st.lists(st.integers(0, 40), max_size=4),
    st.booleans(),
)
def test_duplicates_are_the_values_that_repeat_even_when_fingerprints_collide(
    values: list[str | None], cuts: list[int], colliding: bool
) -> None:
    # Rows are compared by a 64-bit fingerprint first; rows that share one are compared by
    # value, so a collision (forced here for every pair of equal lengths) flags nothing.
    import numpy as np
    import pyarrow as pa

    blocks = [pa.array(part, type=pa.string()) for part in _split(values, cuts)]
    real = table_module._fingerprints
    if colliding:
        table_module._fingerprints = lambda block: np.array(
            [len(v or "") for v in block.to_pylist()], dtype=np.uint64
        )
    try:
        flags = table_module._duplicated(blocks)
    finally:
        table_module._fingerprints = real
    assert flags.tolist() == _repeated(values)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.sampled_from(range(6)), max_size=40), st.lists(st.integers(0, 40), max_size=4))
def test_duplicate_digests_are_found_even_when_they_share_their_first_bytes(
    picks: list[int], cuts: list[int]
) -> None:
    # Six digests, each beginning with the same 8 bytes as one other: only equal ones are
    # duplicates.
    import pyarrow as pa

    digests = [bytes([n % 3]) * 8 + bytes([n]) * 24 for n in range(6)]
    values = [digests[p] for p in picks]
    # Each block a slice (an offset into its buffer), whose first value is never counted.
    blocks = [
        pa.array([digests[0], *part], type=pa.binary(32)).slice(1) for part in _split(values, cuts)
    ]
    assert table_module._duplicated(blocks).tolist() == _repeated(values)
