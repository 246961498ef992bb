"""Table-level checks: Pandera over a compact table, one row per record.

The table holds what the checks need (ids, digests of the seed bytes and of the text, counts,
dates, outlet fields), never the texts. The checks of single rows run a few blocks of rows at
a time, after which only the keys stay (ids, seed file names and the two digests, which must
be unique across the table, about 125 bytes a record) with the rows that failed. Each check is
named by its problem code; every failure becomes a sentence from ``corpus_tools.problems``,
with duplicates grouped by dict (linear in the number of records).
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib
import json
import re
from collections.abc import Callable, Container, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from corpus_tools.convert.rules import furniture_rule
from corpus_tools.ingest.seeds import SEED_NAME
from corpus_tools.problems import sentence
from corpus_tools.record import TEXT_JOIN

if TYPE_CHECKING:
    import pandas as pd
    import pandera.pandas as pa

    from corpus_tools.project import Project

# Joins the outlet columns into one key (missing values as _NONE) for the outlet check.
_SEP, _NONE = "\x1f", "\x00"
_COLUMNS = (
    "id", "seed_file", "seed_sha256", "text_sha256", "outlet_id", "outlet_name",
    "outlet_domain", "outlet_country", "has_headline", "published_date", "published_time",
    "published_precision", "word_count", "char_count", "text_words", "text_chars",
    "text_is_body", "language", "furniture_block",
)  # fmt: skip


def compact_row(
    project: Project, record: Any, from_seed: bool = False, clean: Container[int] = ()
) -> dict[str, Any]:
    """What the table checks need from one schema-valid record, without its texts.

    Besides the columns: ``furniture_text`` (a short quote) and the seed lines of the date and
    of the furniture block, for messages; they are kept only for rows that fail. ``clean``:
    indexes of body blocks that the converter found no furniture rule can match.
    """
    published = record["published"] or {}
    text = record["text"]
    profile = project.profiles.by_id.get(record["outlet"]["id"])
    furniture = -1
    if profile is not None:
        for index, block in enumerate(record["body"]):
            if index in clean:
                continue
            # A seed's blocks are pieces of normalised lines (records from files may not be).
            if furniture_rule(profile, block["text"], normalised=from_seed) is not None:
                furniture = index
                break
    outlet = record["outlet"]
    furniture_text = ""
    if furniture >= 0:
        text_block = str(record["body"][furniture]["text"])
        furniture_text = text_block if len(text_block) <= 60 else text_block[:57] + "..."
    return {
        "furniture_text": furniture_text,
        "furniture_line": (
            (_line_of(record, f"/body/{furniture}/text") or 0)
            if from_seed and furniture >= 0
            else 0
        ),
        # Only a date's own failure (out of range) is reported at its line.
        "date_line": (_line_of(record, "/published/raw") or 0) if from_seed and published else 0,
        "id": record["id"],
        "seed_file": record["seed_file"],
        "seed_sha256": record["seed_sha256"],
        "text_sha256": hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest(),
        "outlet_id": outlet["id"],
        "outlet_name": outlet["name"],
        "outlet_domain": outlet["domain"],
        "outlet_country": outlet["country"],
        "has_headline": (
            record["title"] is not None
            or record["kicker"] is not None
            or record["lead"] is not None
        ),
        "published_date": published.get("date"),
        "published_time": published.get("time"),
        "published_precision": published.get("precision"),
        "word_count": record["word_count"],
        "char_count": record["char_count"],
        # The converter counts a seed's words with this very definition; only records from
        # files need the (slow, whole-text) recount.
        "text_words": record["word_count"] if from_seed else len(text.split()),
        "text_chars": len(text),
        # The converter makes a seed's text by this very join.
        "text_is_body": from_seed
        or text == TEXT_JOIN.join(block["text"] for block in record["body"]),
        "language": record["language"],
        "furniture_block": furniture,
    }


# What compact_row gives: the columns, the failure-message extras and the date's seed line.
ROW_FIELDS = (*_COLUMNS, "furniture_text", "furniture_line", "date_line")
# Where each row came from, kept beside the checked columns.
_ORIGIN = ("file", "line", "from_seed", "date_line")
_INTS = {"word_count", "char_count", "text_words", "text_chars", "furniture_block", "line",
         "date_line"}  # fmt: skip
_BOOLS = {"has_headline", "text_is_body", "from_seed"}
# What every row keeps until the end: the keys that must be unique across the whole table,
# and what a duplicate's message and location need. The other columns are checked a few
# blocks at a time and then dropped, except in the rows that failed.
_KEYS = ("id", "seed_file", "seed_sha256", "text_sha256", "file", "line", "from_seed")
# Keys compared only for equality, never shown: once their rows are checked, they are kept
# as 32 bytes (see _digest), and ``value`` gives them so.
_DIGESTS = ("seed_sha256", "text_sha256")
# Rows are gathered as Python values and sealed into Arrow arrays this many at a time, so the
# table costs a few hundred bytes per record, not a few thousand.
BLOCK = 8192
# Sealed blocks are checked (and their other columns dropped) this many at a time. Pandera
# has a fixed cost per call (about 30 ms), and a check takes about 540 bytes a row while it
# runs. 16,384 rows at a time take half as long again as 65,536, and a quarter of the memory:
# at 100,000 records, 0.69 against 0.44 s of checks, and a build peak of 248 against 271 MiB.
CHECK_BLOCKS = 2


def _duplicated(blocks: list[Any]) -> Any:
    """True for every row whose value occurs in another row too (like duplicated(keep=False);
    nulls are never duplicates), as a numpy array, for a key column given as Arrow blocks.

    Sorting the values themselves would copy the column: Arrow's take gathers a chunked
    array into one first, a few hundred megabytes at a million rows. Each row gets a 64-bit
    fingerprint instead (``_fingerprints``); only rows sharing one with another row (the
    duplicates, and the rarest of accidents) are compared by value. The search then takes
    about 25 bytes a row while it runs, plus, for each row that shares its value with
    another, a few microseconds and about a hundred bytes (an error path: each such row is
    a duplicate).
    """
    import numpy as np

    sizes = [len(block) for block in blocks]
    n = sum(sizes)
    flags = np.zeros(n, dtype=bool)
    if n < 2:
        return flags
    words = np.concatenate([_fingerprints(block) for block in blocks])
    order = np.argsort(words, kind="stable")
    words = words[order]
    same = words[1:] == words[:-1]
    del words
    shared = np.zeros(n, dtype=bool)
    shared[1:] |= same
    shared[:-1] |= same
    candidates = np.sort(order[shared])
    del order, shared, same
    starts = np.cumsum([0, *sizes])
    rows_by_value: dict[Any, list[int]] = {}
    for row in candidates.tolist():
        at = int(np.searchsorted(starts, row, side="right")) - 1
        value = blocks[at][row - int(starts[at])].as_py()
        if value is not None:
            rows_by_value.setdefault(value, []).append(row)
    for rows in rows_by_value.values():
        if len(rows) > 1:
            flags[rows] = True
    return flags


def _fingerprints(block: Any) -> Any:
    """A 64-bit number per value of a block, equal for equal values: the first 8 bytes of a
    32-byte digest; Python's hash of anything else (this process's, which is all it needs)."""
    import numpy as np
    import pyarrow as pa

    if pa.types.is_fixed_size_binary(block.type) and block.type.byte_width >= 8:
        width = block.type.byte_width
        data = block.buffers()[1]
        raw = np.frombuffer(
            data, dtype=np.uint8, count=width * len(block), offset=width * block.offset
        )
        return raw.reshape(len(block), width)[:, :8].copy().view(np.uint64).ravel()
    values = block.to_pylist()
    return np.fromiter((hash(v) for v in values), dtype=np.int64, count=len(values)).view(np.uint64)


# A digest as the converter writes it; only these are kept as their 32 bytes (see _digest).
_HEX64 = re.compile(r"[0-9a-f]{64}")
# ASCII code -> value of a lowercase hex digit.
_NIBBLES = bytes(int(c, 16) if c in "0123456789abcdef" else 0 for c in map(chr, range(256)))


def _digest(value: str | None) -> bytes | None:
    """A digest column's value in 32 bytes: the bytes a lowercase hex digest spells, or the
    SHA-256 of any other text (the schema allows none, but a caller may fill a table with
    rows that never went through it). Equal values stay equal and different ones stay
    different, barring a SHA-256 collision: the same ground on which texts are compared by
    digest at all."""
    if value is None:
        return None
    if _HEX64.fullmatch(value):
        return bytes.fromhex(value)
    return hashlib.sha256(b"\0" + value.encode("utf-8", "surrogatepass")).digest()


def _digest_block(block: Any) -> Any:
    """A block of a digest column as 32-byte binary values (see ``_digest``): 32 bytes a
    row instead of 68. Blocks of lowercase hex digests, as every seed's are, are converted
    in numpy; any other block value by value."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    # Kept for the whole run: from the system allocator, like the sealed blocks (see _seal).
    pool = pa.system_memory_pool()
    n = len(block)
    if (
        n == 0
        or block.null_count
        or not pc.all(pc.match_substring_regex(block, f"^{_HEX64.pattern}$")).as_py()
    ):
        return pa.array([_digest(v) for v in block.to_pylist()], pa.binary(32), memory_pool=pool)
    offsets = np.frombuffer(
        block.buffers()[1], dtype=np.int32, count=n + 1, offset=4 * block.offset
    )
    chars = np.frombuffer(block.buffers()[2], dtype=np.uint8, count=64 * n, offset=int(offsets[0]))
    nibbles = np.frombuffer(_NIBBLES, dtype=np.uint8)[chars].reshape(n, 32, 2)
    packed = (nibbles[:, :, 0] << 4) | nibbles[:, :, 1]
    # The buffer is the numpy array's own memory, not a copy of it.
    return pa.Array.from_buffers(pa.binary(32), n, [None, pa.py_buffer(packed)])


def _arrow_type(name: str) -> Any:
    import pyarrow as pa

    # 32-bit integers: counts and line numbers fit, in half the memory.
    return pa.int32() if name in _INTS else pa.bool_() if name in _BOOLS else pa.string()


def _to_pandas(columns: dict[str, Any], start: int) -> pd.DataFrame:
    """Arrow columns as typed pandas columns backed by Arrow (string, Int32, boolean), never
    object, indexed by their rows' numbers in the whole table."""
    import pandas as pd
    import pyarrow as pa

    mapping = {
        pa.string(): pd.StringDtype("pyarrow"),
        pa.int32(): pd.Int32Dtype(),
        pa.bool_(): pd.BooleanDtype(),
    }
    frame: pd.DataFrame = pa.table(columns).to_pandas(types_mapper=mapping.get)
    frame.index = pd.RangeIndex(start, start + len(frame))
    return frame


@dataclass
class CompactTable:
    """The rows of the table, column by column in Arrow; texts only for the rare failure.

    With ``project``, the checks of single rows run as the rows come, a few blocks at a
    time, and only the rows that fail keep their columns beyond the keys (``_KEYS``): memory
    then grows by the keys alone. Without it, they all run in ``table_failures``.
    """

    project: Project | None = None
    furniture_text: dict[int, str] = field(default_factory=dict)
    furniture_line: dict[int, int] = field(default_factory=dict)
    count: int = 0
    _pending: dict[str, list[Any]] = field(
        default_factory=lambda: {c: [] for c in (*_COLUMNS, *_ORIGIN)}
    )
    # Sealed blocks of the key columns, from row 0 on.
    _keys: dict[str, list[Any]] = field(default_factory=lambda: {c: [] for c in _KEYS})
    # Sealed blocks of the other columns whose rows are not checked yet, from row _checked on.
    _unchecked: dict[str, list[Any]] = field(
        default_factory=lambda: {c: [] for c in (*_COLUMNS, *_ORIGIN) if c not in _KEYS}
    )
    _checked: int = 0
    # What the row checks found: (code, row) pairs, and the failing rows' other columns.
    _found: set[tuple[str, int]] = field(default_factory=set)
    _kept: dict[int, dict[str, Any]] = field(default_factory=dict)
    _schema: Any = None  # the row checks' schema, made once
    # Called before the first check: a caller importing the checks in a thread joins it here,
    # so that two threads never import Pandera's modules at once.
    before_check: Callable[[], None] | None = None
    # The seeds' folder (as shown, with its slash): rows of seeds in it keep no file name of
    # their own (it is this prefix plus their seed_file).
    _seed_folder: str | None = None

    def add(self, row: dict[str, Any], file: str, line: int | None) -> None:
        """Append one compact row (from ``compact_row``) of a record read from ``file``."""
        self._extend({name: [value] for name, value in row.items()}, [file], [line], False)

    def add_seed_rows(self, folder: str, columns: dict[str, list[Any]]) -> None:
        """Append compact rows of seeds in ``folder`` (shown, with its trailing slash), given
        column by column as a worker gathers them (``Chunk.rows``)."""
        if self._seed_folder is None:
            self._seed_folder = folder
        n = len(columns["id"])
        if folder == self._seed_folder:
            files: list[str | None] = [None] * n
        else:
            files = [folder + name for name in columns["seed_file"]]
        self._extend(columns, files, [None] * n, True)

    def _extend(
        self,
        columns: dict[str, list[Any]],
        files: list[str | None],
        lines: list[int | None],
        seed: bool,
    ) -> None:
        pending = self._pending
        for index, block in enumerate(columns["furniture_block"]):
            if block >= 0:
                self.furniture_text[self.count + index] = columns["furniture_text"][index]
                self.furniture_line[self.count + index] = columns["furniture_line"][index]
        for name in _COLUMNS:
            pending[name].extend(columns[name])
        pending["file"].extend(files)
        pending["line"].extend(lines)
        pending["from_seed"].extend([seed] * len(files))
        pending["date_line"].extend(columns["date_line"])
        self.count += len(files)
        if len(pending["id"]) >= BLOCK:
            self._seal()

    def _seal(self) -> None:
        """Seal every whole block of pending rows (``value`` relies on each being BLOCK rows);
        check the sealed rows once there are CHECK_BLOCKS blocks of them."""
        import pyarrow as pa

        # The blocks live as long as the run; taken from the system allocator, they do not
        # sit among the large short-lived buffers of Arrow's default pool (row groups being
        # written), where they would keep that pool from returning its memory.
        pool = pa.system_memory_pool()
        while len(self._pending["id"]) >= BLOCK:
            for name, values in self._pending.items():
                block = pa.array(values[:BLOCK], type=_arrow_type(name), memory_pool=pool)
                (self._keys if name in _KEYS else self._unchecked)[name].append(block)
                del values[:BLOCK]
            if self.project is not None and len(self._unchecked["word_count"]) >= CHECK_BLOCKS:
                self._check_sealed(self.project)

    def _sealed_columns(self, first_block: int) -> dict[str, Any]:
        """The unchecked sealed rows, every column, as Arrow (key blocks from ``first_block``)."""
        import pyarrow as pa

        columns = {name: self._keys[name][first_block:] for name in _KEYS}
        columns.update(self._unchecked)
        return {
            name: pa.chunked_array(blocks, type=_arrow_type(name))
            for name, blocks in columns.items()
        }

    def _check_sealed(self, project: Project) -> None:
        """Run the row checks on the sealed rows not checked yet; keep what the failing rows
        need for their messages and drop the rest of their columns."""
        if not self._unchecked["word_count"]:
            return
        first = self._checked // BLOCK  # the first key block of these rows
        columns = self._sealed_columns(first)
        found = self._row_failures(project, columns, self._checked)
        self._found.update(found)
        for index in sorted({index for _code, index in found}):
            at = index - self._checked
            self._kept[index] = {name: columns[name][at].as_py() for name in self._unchecked}
        self._checked += len(columns["id"])
        for blocks in self._unchecked.values():
            blocks.clear()
        for name in _DIGESTS:
            keys = self._keys[name]
            keys[first:] = [_digest_block(block) for block in keys[first:]]

    def failures(self, project: Project) -> list[tuple[str, int]]:
        """(code, row index) of every failed check, in row order: the row checks not run
        yet, then the checks across rows (uniqueness)."""
        import pyarrow as pa

        self._check_sealed(project)
        found = set(self._found)
        pending = self._pending
        if pending["id"]:  # the rows of the last, partial block
            columns = {
                name: pa.array(values, type=_arrow_type(name)) for name, values in pending.items()
            }
            found.update(self._row_failures(project, columns, self._checked))
        flags = {}
        for key in _DUPLICATE_KEYS.values():
            rest = pa.array(pending[key], type=_arrow_type(key))
            if key in _DIGESTS:
                rest = _digest_block(rest)
            flags[f"{key}_duplicated"] = pa.array(_duplicated([*self._keys[key], rest]))
        found.update(_validate(key_schema(), _to_pandas(flags, 0)))
        return sorted(found, key=lambda item: (item[1], item[0]))

    def _row_failures(
        self, project: Project, columns: dict[str, Any], start: int
    ) -> set[tuple[str, int]]:
        """The row checks' failures among rows numbered from ``start``."""
        if self._schema is None:
            if self.before_check is not None:
                self.before_check()
            self._schema = row_schema(project)
        checked = {name: columns[name] for name in _COLUMNS}
        return _validate(self._schema, _to_pandas(checked, start))

    def origin(self, index: int) -> tuple[str, int | None]:
        """The file and line a row came from."""
        file = self.value("file", index)
        if file is None:
            file = f"{self._seed_folder}{self.value('seed_file', index)}"
        return str(file), self.value("line", index) or None

    def line_for(self, index: int, pointer: str | None, record_line: int | None) -> int | None:
        """The line to report a failure at: the seed line of the value, or the record's line."""
        if not self.value("from_seed", index):
            return record_line
        if pointer == "/published/raw":
            return self.value("date_line", index) or None
        if pointer is not None and pointer.startswith("/body/"):
            return self.furniture_line.get(index) or None
        return None

    def value(self, name: str, index: int) -> Any:
        """One cell as a plain Python value (None for a missing one). Beyond the keys, only
        rows that are not checked yet, or that failed a row check, still have their cells."""
        pending = self._pending[name]
        if name in _KEYS:
            sealed = self._keys[name]
            if index < len(sealed) * BLOCK:  # every sealed block is BLOCK rows
                value = sealed[index // BLOCK][index % BLOCK].as_py()
            else:
                value = pending[index - (self.count - len(pending))]
            return _digest(value) if name in _DIGESTS and isinstance(value, str) else value
        if index < self._checked:
            return self._kept[index][name]
        sealed = self._unchecked[name]
        at = index - self._checked
        if at < len(sealed) * BLOCK:
            return sealed[at // BLOCK][at % BLOCK].as_py()
        return pending[index - (self.count - len(pending))]

    def column(self, name: str) -> list[Any]:
        """A whole key column as Python values, as ``value`` gives them (for explanations,
        which are rare)."""
        values = [v for block in self._keys[name] for v in block.to_pylist()] + self._pending[name]
        if name in _DIGESTS:
            return [_digest(v) if isinstance(v, str) else v for v in values]
        return values

    def outlet(self, index: int) -> dict[str, Any]:
        return {k: self.value(f"outlet_{k}", index) for k in ("id", "name", "domain", "country")}

    def __len__(self) -> int:
        return self.count


def _validate(schema: pa.DataFrameSchema, frame: pd.DataFrame) -> set[tuple[str, int]]:
    """(code, row) of every failure of a lazy Pandera validation, without repeats."""
    from pandera.errors import SchemaErrors

    try:
        # inplace: no copy of the frame (Pandera would otherwise copy every column).
        schema.validate(frame, lazy=True, inplace=True)
    except SchemaErrors as exc:
        # A check on the whole frame gives a failure case per column of a failing row:
        # repeats are dropped in pandas, before any Python loop.
        cases = exc.failure_cases[["check", "index"]]
        cases = cases[cases["index"].notna()].drop_duplicates()
        pairs = zip(cases["check"], cases["index"], strict=True)
        return {(str(code), int(index)) for code, index in pairs}
    return set()


def import_checks() -> None:
    """Import what the table checks need (Pandera takes a second or more), so that a caller
    whose worker processes are busy can do it in a thread meanwhile instead of at the end.
    A failure is left for the real import to report."""
    for module in (
        "pandera.errors",
        "pandera.pandas",
        # What Pandera's first validate() imports to register its pandas backends (hypothesis
        # comes in through the built-in checks): private modules, so only a head start.
        "pandera.backends.pandas.builtin_checks",
        "pandera.backends.pandas.builtin_hypotheses",
        "pandera.api.geopandas.container",
        "pandera._pandas_deprecated",
    ):
        # Broken, or moved in another Pandera version: table_failures' own import decides.
        with contextlib.suppress(Exception):
            importlib.import_module(module)


def _check(fn: Any, code: str) -> pa.Check:
    import pandera.pandas as pa

    # The checks decide about missing values themselves; Pandera's own pass over the frame
    # for rows that are missing everything (which a row with an id never is) goes.
    return pa.Check(fn, name=code, error=code, ignore_na=False)


def key_schema() -> pa.DataFrameSchema:
    """The checks across rows: no two records share an id, seed bytes or text. They run on
    flags computed in Arrow (pandas' duplicated() would make a Python string of every value),
    one column per key: a failing row is one failure case."""
    import pandera.pandas as pa

    return pa.DataFrameSchema(
        columns={
            f"{key}_duplicated": pa.Column("boolean", _check(lambda s: ~s, code))
            for code, key in _DUPLICATE_KEYS.items()
        },
        strict=False,
    )


def row_schema(project: Project) -> pa.DataFrameSchema:
    """The checks of single rows, for this project's registry, languages and date."""
    import pandas as pd
    import pandera.pandas as pa

    registry = project.profiles.registry
    allowed = list(project.meta.allowed_languages)
    today = project.today

    # Vectorised: no Python object per row (on a large corpus these checks would cost more
    # memory and time than all the others).
    def outlet_ok(df: pd.DataFrame) -> pd.Series:
        cols = ("outlet_id", "outlet_name", "outlet_domain", "outlet_country")
        key = df[cols[0]].fillna(_NONE)
        for col in cols[1:]:
            key = key + _SEP + df[col].fillna(_NONE)
        verdicts = {}
        for combination in key.unique():  # a few outlets, however many rows
            oid, name, domain, country = (
                None if part == _NONE else part for part in str(combination).split(_SEP)
            )
            outlet = registry.get(oid) if oid is not None else None
            verdicts[combination] = outlet is not None and (
                outlet.name,
                outlet.domain,
                outlet.country,
            ) == (name, domain, country)
        return key.map(verdicts).astype(bool)

    def date_ok(df: pd.DataFrame) -> pd.Series:
        # Schema-valid dates are YYYY-MM-DD, which compare as strings in date order.
        dates = df["published_date"]
        founded = df["outlet_id"].map(
            {oid: outlet.founded or 0 for oid, outlet in registry.items()}
        )
        years = pd.to_numeric(dates.str.slice(0, 4), errors="coerce")
        in_range = (dates <= today.isoformat()) & (years >= founded.fillna(0))
        return (dates.isna() | in_range.fillna(False)).astype(bool)

    def precision_ok(df: pd.DataFrame) -> pd.Series:
        precision, time = df["published_precision"], df["published_time"]
        has_time = time.notna()
        day = precision.isna() | (precision == "day").fillna(False)
        hour = (precision == "hour").fillna(False)
        on_the_hour = time.str.endswith(":00").fillna(False)
        ok = (day & ~has_time) | (hour & has_time & on_the_hour) | (~day & ~hour & has_time)
        return ok.astype(bool)

    check = _check
    return pa.DataFrameSchema(
        columns={
            "id": pa.Column("string", nullable=False),
            "seed_sha256": pa.Column("string"),
            "text_sha256": pa.Column("string"),
        },
        checks=[
            check(
                lambda df: (
                    df["seed_file"].str.fullmatch(SEED_NAME.pattern).fillna(False)
                    & (df["seed_file"].str.slice(-20, -4) == df["id"]).fillna(False)
                ),
                "id-mismatch",
            ),
            check(lambda df: df["text_is_body"].fillna(False), "text-mismatch"),
            check(
                lambda df: (
                    (df["word_count"] == df["text_words"]) & (df["char_count"] == df["text_chars"])
                ),
                "count-mismatch",
            ),
            check(precision_ok, "precision-mismatch"),
            check(date_ok, "date-out-of-range"),
            check(outlet_ok, "outlet-mismatch"),
            check(lambda df: df["has_headline"].fillna(False), "no-headline"),
            check(lambda df: df["furniture_block"] < 0, "furniture-in-body"),
            check(lambda df: df["language"].isin(allowed), "language"),
        ],
        strict=False,
    )


_DUPLICATE_KEYS = {
    "duplicate-id": "id",
    "duplicate-seed": "seed_sha256",
    "duplicate-text": "text_sha256",
}


def table_failures(project: Project, table: CompactTable) -> list[tuple[str, int]]:
    """(code, row index) for every failed check, collected lazily, without repeats."""
    if not len(table):
        return []
    return table.failures(project)


class Explainer:
    """Failure sentences; duplicate partners are found by one dict per key, built once."""

    def __init__(self, project: Project, table: CompactTable) -> None:
        self.project, self.table = project, table
        # Digests are bytes (see CompactTable.value), the other keys strings.
        self._groups: dict[str, dict[Any, list[int]]] = {}

    def _others(self, key: str, index: int) -> str:
        if key not in self._groups:
            groups: dict[Any, list[int]] = {}
            for i, value in enumerate(self.table.column(key)):
                groups.setdefault(value, []).append(i)
            self._groups[key] = groups
        same = self._groups[key][self.table.value(key, index)]
        return ", ".join(self.table.value("seed_file", i) for i in same if i != index)

    def explain(self, code: str, index: int) -> tuple[str, str | None]:
        """The sentence for a failure and the JSON Pointer of the value it is about."""
        table = self.table
        rid = table.value("id", index)
        if code in _DUPLICATE_KEYS:  # only the keys are at hand for a row that passed the rest
            others = self._others(_DUPLICATE_KEYS[code], index)
            pointer = {"duplicate-id": "/id", "duplicate-seed": "/seed_sha256"}.get(code, "/text")
            return sentence(code, record=rid, others=others), pointer
        outlet_ref = table.outlet(index)
        outlet = self.project.profiles.registry.get(outlet_ref["id"])
        if code == "date-out-of-range":
            date = table.value("published_date", index) or "0000"
            founded = outlet.founded if outlet else None
            why = (
                f"before the outlet's founding year {founded}"
                if founded and int(date[:4]) < founded
                else f"after today ({self.project.today.isoformat()})"
            )
            return sentence(code, record=rid, date=date, why=why), "/published/raw"
        if code == "outlet-mismatch":
            expected = (
                f"{outlet.name}, {outlet.domain}, {outlet.country}"
                if outlet
                else "no such outlet id"
            )
            text = sentence(code, record=rid, outlet=json.dumps(outlet_ref), expected=expected)
            return text, "/outlet"
        if code == "furniture-in-body":
            block = table.value("furniture_block", index)
            short = table.furniture_text.get(index, "")
            text = sentence(code, record=rid, block=short, profile=outlet_ref["id"])
            return text, f"/body/{block}/text"
        if code == "language":
            allowed = ", ".join(self.project.meta.allowed_languages)
            language = table.value("language", index)
            return sentence(code, record=rid, language=language, allowed=allowed), "/language"
        pointers = {
            "id-mismatch": "/id",
            "text-mismatch": "/text",
            "count-mismatch": "/word_count",
            "precision-mismatch": "/published/precision",
            "no-headline": "/title",
        }
        fields = {
            "record": rid,
            "seed_file": table.value("seed_file", index),
            "word_count": table.value("word_count", index),
            "char_count": table.value("char_count", index),
        }
        return sentence(code, **fields), pointers.get(code)


def iter_failures(
    project: Project, table: CompactTable
) -> Iterator[tuple[str, int, str, str | None]]:
    """(code, row index, sentence, pointer) for every table failure, in row order."""
    explainer = Explainer(project, table)
    for code, index in table_failures(project, table):
        message, pointer = explainer.explain(code, index)
        yield code, index, message, pointer


def _line_of(record: Any, pointer: str) -> int | None:
    """The seed line a JSON Pointer's value came from, via the record's source map."""
    below = pointer + "/"
    for entry in record.get("source_map") or []:
        path = entry.get("path", "")
        if path == pointer or path.startswith(below):
            line = entry.get("line")
            return line if isinstance(line, int) else None
    return None
