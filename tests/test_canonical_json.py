"""The fast encoder of the content hash writes exactly the bytes of its json-module definition,
so released hashes do not change with the encoder."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from corpus_tools.package.manifest import canonical_json, content_sha256

# Any text without lone surrogates (which no seed can hold), and integers past 64 bits.
_TEXT = st.text(st.characters(exclude_categories=["Cs"]), max_size=40)
_SCALARS = st.none() | st.booleans() | st.integers(-(2**70), 2**70) | _TEXT
_PLAIN = st.recursive(
    _SCALARS,
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(_TEXT, inner, max_size=5),
    max_leaves=30,
)


def _definition(content: Any) -> bytes:
    text = json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return text.encode("utf-8")


@settings(max_examples=400, deadline=None)
@given(_PLAIN)
def test_plain_content_encodes_as_its_definition(content: Any) -> None:
    assert canonical_json(content, plain=True) == _definition(content)
    assert canonical_json(content) == _definition(content)


def test_every_character_escapes_as_its_definition() -> None:
    # Control characters, quotes, backslashes, U+2028/9 and astral characters, each in a key
    # and a value.
    chars = "".join(chr(c) for c in range(0x110000) if not 0xD800 <= c < 0xE000)
    for start in range(0, len(chars), 4096):
        piece = chars[start : start + 4096]
        content = {piece: piece, "a": [piece[::-1]]}
        assert canonical_json(content, plain=True) == _definition(content)


def test_floats_keep_the_json_module_spelling() -> None:
    # orjson would write 0.00001 and 1.5e-7; a record from a file may hold such numbers.
    record = {"id": "x", "converter": {}, "n": 1e16, "m": [1e-05, 0.5, 1.5e-07]}
    assert canonical_json({"n": 1e-05, "m": 1.5e-07}) == b'{"m":1.5e-07,"n":1e-05}'
    expected = json.dumps(
        {"id": "x", "n": 1e16, "m": [1e-05, 0.5, 1.5e-07]},
        ensure_ascii=False,
        sort_keys=True,
        separators=(",", ":"),
    )
    assert content_sha256(record) == hashlib.sha256(expected.encode()).hexdigest()


def test_records_read_back_from_parquet_hash_alike_on_both_paths() -> None:
    # validate --dataset hashes parquet records with the fast encoder when the file has no
    # float (or date or bytes) column: the same hashes as the manifest's.
    from pathlib import Path

    import pyarrow.parquet as pq

    from corpus_tools.validate.dataset import _plain_type

    dist = Path(__file__).resolve().parents[1] / "dist" / "data"
    tables = [pq.read_table(path) for path in sorted(dist.glob("*.parquet"))]
    assert all(_plain_type(field.type) for table in tables for field in table.schema)
    records = [r for table in tables for r in table.to_pylist()]
    assert records
    for record in records:
        assert content_sha256(record, plain=True) == content_sha256(record)


def test_only_strings_integers_and_booleans_make_plain_parquet() -> None:
    import pyarrow as pa

    from corpus_tools.validate.dataset import _plain_type

    assert _plain_type(pa.struct([("a", pa.list_(pa.int32())), ("b", pa.large_string())]))
    for other in (pa.list_(pa.list_(pa.float64())), pa.timestamp("s"), pa.binary()):
        assert not _plain_type(other)
        assert not _plain_type(pa.struct([("x", pa.string()), ("y", other)]))


def test_a_records_line_with_a_float_is_not_plain(tmp_path: Any) -> None:
    # A record from a file takes the fast encoder only when its line holds no float (which
    # orjson would spell differently, such as 1e-05 as 0.00001).
    import datetime as dt
    from pathlib import Path

    from corpus_tools.project import Project
    from corpus_tools.validate.records import read_jsonl
    from corpus_tools.validate.report import Report

    lines = ['{"id": "a", "n": 1}', '{"id": "b", "n": 1e-05}', '{"id": "c", "n": NaN}', "[2]"]
    path = tmp_path / "records.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    project = Project.load(Path(__file__).resolve().parents[1], today=dt.date(2026, 11, 21))
    read = list(read_jsonl(project, path, Report(target="t")))
    assert [origin.plain for origin, _ in read] == [True, False, False, True]
    assert read[1][1] == {"id": "b", "n": 1e-05}


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(), min_size=4, max_size=4), st.booleans())
def test_manifest_lines_are_written_as_the_json_module_writes_them(
    values: list[str], other: bool
) -> None:
    # A build writes its entries with orjson's strings: the manifest's bytes (and so the
    # releases' diffs) are those of json.dumps, lone surrogates included.
    from corpus_tools.package.manifest import ENTRY_KEYS, record_line

    entry: dict[str, Any] = dict(zip(ENTRY_KEYS, values, strict=True))
    if other:  # an entry of another shape takes the json module itself
        entry = {"id": values[0], "n": 1e-05, "seed_file": values[1]}
    assert record_line(entry) == json.dumps(entry, ensure_ascii=False)
    entry["title"] = "\ud800" + values[2]
    assert record_line(entry) == json.dumps(entry, ensure_ascii=False)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.lists(st.text(), min_size=4, max_size=4), max_size=12),
    st.integers(1, 64),
)
def test_a_manifest_streamed_in_pieces_is_the_manifest_line_by_line(
    rows: list[list[str]], block: int
) -> None:
    # A build spools its manifest lines and streams them into manifest.json many at a time,
    # in blocks that split lines (and characters' bytes) anywhere.
    import io

    from corpus_tools.package.build import manifest_pieces
    from corpus_tools.package.manifest import ENTRY_KEYS, dump_lines, record_line

    lines = [record_line(dict(zip(ENTRY_KEYS, row, strict=True))) for row in rows]
    spool = io.BytesIO("".join(line + "\n" for line in lines).encode("utf-8", "surrogatepass"))
    data = {"name": "x", "records": [], "files": {}}
    expected = "".join(dump_lines(data, record_lines=iter(lines)))
    assert "".join(dump_lines(data, record_lines=manifest_pieces(spool, block))) == expected
