"""Table-level checks: Pandera over a compact table, one row per record.

The table holds what the checks need (ids, digests of the seed bytes and of the text, counts,
dates, outlet fields), never the texts, so memory grows by a few hundred bytes per record.
Each check is named by its problem code; every failure becomes a sentence from
``corpus_tools.problems``, with duplicates grouped by dict (linear in the number of records).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from corpus_tools.convert.rules import furniture_rule
from corpus_tools.problems import sentence

if TYPE_CHECKING:
    import pandas as pd
    import pandera.pandas as pa

    from corpus_tools.project import Project

_SEED_ID = re.compile(r"^[0-9]+_(?P<id>[0-9a-f]{16})\.txt$")
_COLUMNS = (
    "id", "seed_file", "seed_sha256", "text_sha256", "outlet_id", "outlet_name",
    "outlet_domain", "outlet_country", "has_headline", "published_date", "published_time",
    "published_precision", "word_count", "char_count", "text_words", "text_chars",
    "text_is_body", "language", "furniture_block",
)  # fmt: skip


def compact_row(project: Project, record: Any, from_seed: bool = False) -> dict[str, Any]:
    """What the table checks need from one schema-valid record, without its texts.

    Besides the columns: ``furniture_text`` (a short quote) and the seed lines of the date and
    of the furniture block, for messages; they are kept only for rows that fail.
    """
    published = record["published"] or {}
    text = record["text"]
    profile = project.profiles.by_id.get(record["outlet"]["id"])
    furniture = -1
    if profile is not None:
        for index, block in enumerate(record["body"]):
            if furniture_rule(profile, block["text"]) is not None:
                furniture = index
                break
    outlet = record["outlet"]
    furniture_text = ""
    if furniture >= 0:
        text_block = str(record["body"][furniture]["text"])
        furniture_text = text_block if len(text_block) <= 60 else text_block[:57] + "..."
    return {
        "furniture_text": furniture_text,
        "furniture_line": (_line_of(record, f"/body/{furniture}/text") or 0) if from_seed else 0,
        "date_line": (_line_of(record, "/published/raw") or 0) if from_seed else 0,
        "id": record["id"],
        "seed_file": record["seed_file"],
        "seed_sha256": record["seed_sha256"],
        "text_sha256": hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest(),
        "outlet_id": outlet["id"],
        "outlet_name": outlet["name"],
        "outlet_domain": outlet["domain"],
        "outlet_country": outlet["country"],
        "has_headline": any(record[k] is not None for k in ("title", "kicker", "lead")),
        "published_date": published.get("date"),
        "published_time": published.get("time"),
        "published_precision": published.get("precision"),
        "word_count": record["word_count"],
        "char_count": record["char_count"],
        # The converter counts a seed's words with this very definition; only records from
        # files need the (slow, whole-text) recount.
        "text_words": record["word_count"] if from_seed else len(text.split()),
        "text_chars": len(text),
        "text_is_body": text == "\n\n".join(block["text"] for block in record["body"]),
        "language": record["language"],
        "furniture_block": furniture,
    }


# Where each row came from, kept beside the checked columns.
_ORIGIN = ("file", "line", "from_seed", "date_line")
_INTS = {"word_count", "char_count", "text_words", "text_chars", "furniture_block", "line",
         "date_line"}  # fmt: skip
_BOOLS = {"has_headline", "text_is_body", "from_seed"}
# Rows are gathered as Python values and sealed into Arrow arrays this many at a time, so the
# table costs a few hundred bytes per record, not a few thousand.
BLOCK = 8192


def _arrow_type(name: str) -> Any:
    import pyarrow as pa

    return pa.int64() if name in _INTS else pa.bool_() if name in _BOOLS else pa.string()


@dataclass
class CompactTable:
    """The rows of the table, column by column in Arrow; texts only for the rare failure."""

    furniture_text: dict[int, str] = field(default_factory=dict)
    furniture_line: dict[int, int] = field(default_factory=dict)
    count: int = 0
    _pending: dict[str, list[Any]] = field(
        default_factory=lambda: {c: [] for c in (*_COLUMNS, *_ORIGIN)}
    )
    _sealed: dict[str, list[Any]] = field(
        default_factory=lambda: {c: [] for c in (*_COLUMNS, *_ORIGIN)}
    )
    _frame: pd.DataFrame | None = None

    def add(self, row: dict[str, Any], file: str, line: int | None, seed: bool) -> None:
        """Append one compact row (from ``compact_row``) and where it came from."""
        pending = self._pending
        for name in _COLUMNS:
            pending[name].append(row[name])
        if row["furniture_block"] >= 0:
            self.furniture_text[self.count] = row["furniture_text"]
            self.furniture_line[self.count] = row["furniture_line"]
        pending["file"].append(file)
        pending["line"].append(line)
        pending["from_seed"].append(seed)
        pending["date_line"].append(row["date_line"])
        self.count += 1
        self._frame = None
        if len(pending["id"]) >= BLOCK:
            self._seal()

    def _seal(self) -> None:
        import pyarrow as pa

        for name, values in self._pending.items():
            self._sealed[name].append(pa.array(values, type=_arrow_type(name)))
            values.clear()

    def origin(self, index: int) -> tuple[str, int | None]:
        """The file and line a row came from."""
        return str(self.value("file", index)), self.value("line", index) or None

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
        """One cell as a plain Python value (None for a missing one)."""
        value: Any = self.frame()[name].iat[index]
        if _missing(value):
            return None
        return value.item() if hasattr(value, "item") else value

    def column(self, name: str) -> list[Any]:
        """A whole column as Python values (for explanations, which are rare)."""
        return [None if _missing(v) else v for v in self.frame()[name].tolist()]

    def outlet(self, index: int) -> dict[str, Any]:
        return {k: self.value(f"outlet_{k}", index) for k in ("id", "name", "domain", "country")}

    def __len__(self) -> int:
        return self.count

    def frame(self) -> pd.DataFrame:
        """Typed pandas columns backed by Arrow (string, Int64, boolean), never object."""
        if self._frame is None:
            import pandas as pd
            import pyarrow as pa

            if self._pending["id"]:
                self._seal()
            mapping = {
                pa.string(): pd.StringDtype("pyarrow"),
                pa.int64(): pd.Int64Dtype(),
                pa.bool_(): pd.BooleanDtype(),
            }
            columns = {
                name: pa.chunked_array(arrays, type=_arrow_type(name))
                for name, arrays in self._sealed.items()
            }
            table = pa.table(columns)
            self._frame = table.to_pandas(types_mapper=mapping.get)
        return self._frame


def _missing(value: Any) -> bool:
    """None, NaN or pandas' NA (``NA != NA`` raises, so compare nothing)."""
    import pandas as pd

    return value is None or bool(pd.isna(value))


def _precision_ok(precision: Any, time: Any) -> bool:
    precision = None if _missing(precision) else precision
    time = None if _missing(time) else time
    if precision in (None, "day"):
        return time is None
    if precision == "hour":
        return time is not None and str(time).endswith(":00")
    return time is not None


def _date_ok(date: Any, founded: int | None, today: dt.date) -> bool:
    if _missing(date):
        return True
    day = dt.date.fromisoformat(str(date))
    return day <= today and (founded is None or day.year >= founded)


def table_schema(project: Project) -> pa.DataFrameSchema:
    """The table's Pandera schema for this project's registry, languages and date."""
    import pandas as pd
    import pandera.pandas as pa

    registry = project.profiles.registry
    allowed = list(project.meta.allowed_languages)
    today = project.today

    def outlet_ok(df: pd.DataFrame) -> pd.Series:
        def ok(oid: Any, name: Any, domain: Any, country: Any) -> bool:
            outlet = registry.get(oid)
            domain = None if domain is pd.NA else domain
            return outlet is not None and (outlet.name, outlet.domain, outlet.country) == (
                name,
                domain,
                country,
            )

        cols = ("outlet_id", "outlet_name", "outlet_domain", "outlet_country")
        values = [ok(*row) for row in zip(*(df[c] for c in cols), strict=True)]
        return pd.Series(values, index=df.index, dtype=bool)

    def date_ok(df: pd.DataFrame) -> pd.Series:
        values = [
            _date_ok(d, registry[o].founded if o in registry else None, today)
            for d, o in zip(df["published_date"].astype(object), df["outlet_id"], strict=True)
        ]
        return pd.Series(values, index=df.index, dtype=bool)

    def precision_ok(df: pd.DataFrame) -> pd.Series:
        values = [
            _precision_ok(p, t)
            for p, t in zip(
                df["published_precision"].astype(object),
                df["published_time"].astype(object),
                strict=True,
            )
        ]
        return pd.Series(values, index=df.index, dtype=bool)

    def check(fn: Any, code: str) -> pa.Check:
        return pa.Check(fn, name=code, error=code)

    return pa.DataFrameSchema(
        columns={
            "id": pa.Column("string", unique=True, nullable=False),
            "seed_sha256": pa.Column("string", unique=True),
            "text_sha256": pa.Column("string", unique=True),
        },
        checks=[
            check(
                lambda df: df["seed_file"].str.extract(_SEED_ID.pattern)["id"] == df["id"],
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


_COLUMN_CODES = {
    ("id", "field_uniqueness"): "duplicate-id",
    ("seed_sha256", "field_uniqueness"): "duplicate-seed",
    ("text_sha256", "field_uniqueness"): "duplicate-text",
}
_DUPLICATE_KEYS = {
    "duplicate-id": "id",
    "duplicate-seed": "seed_sha256",
    "duplicate-text": "text_sha256",
}


def table_failures(project: Project, table: CompactTable) -> list[tuple[str, int]]:
    """(code, row index) for every failed check, collected lazily, without repeats."""
    if not len(table):
        return []
    import pandas as pd
    from pandera.errors import SchemaErrors

    try:
        table_schema(project).validate(table.frame(), lazy=True)
    except SchemaErrors as exc:
        found: set[tuple[str, int]] = set()
        cases = exc.failure_cases
        for column, check_name, index in zip(
            cases["column"], cases["check"], cases["index"], strict=True
        ):
            code = _COLUMN_CODES.get((column, check_name), check_name)
            if index is not None and not pd.isna(index):
                found.add((str(code), int(index)))
        return sorted(found, key=lambda item: (item[1], item[0]))
    return []


class Explainer:
    """Failure sentences; duplicate partners are found by one dict per key, built once."""

    def __init__(self, project: Project, table: CompactTable) -> None:
        self.project, self.table = project, table
        self._groups: dict[str, dict[str, list[int]]] = {}

    def _others(self, key: str, index: int) -> str:
        if key not in self._groups:
            groups: dict[str, list[int]] = {}
            for i, value in enumerate(self.table.column(key)):
                groups.setdefault(value, []).append(i)
            self._groups[key] = groups
        same = self._groups[key][self.table.value(key, index)]
        return ", ".join(self.table.value("seed_file", i) for i in same if i != index)

    def explain(self, code: str, index: int) -> tuple[str, str | None]:
        """The sentence for a failure and the JSON Pointer of the value it is about."""
        table = self.table
        rid = table.value("id", index)
        outlet_ref = table.outlet(index)
        outlet = self.project.profiles.registry.get(outlet_ref["id"])
        if code in _DUPLICATE_KEYS:
            others = self._others(_DUPLICATE_KEYS[code], index)
            pointer = {"duplicate-id": "/id", "duplicate-seed": "/seed_sha256"}.get(code, "/text")
            return sentence(code, record=rid, others=others), pointer
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
    for entry in record.get("source_map") or []:
        path = entry.get("path", "")
        if path == pointer or path.startswith(pointer + "/"):
            line = entry.get("line")
            return line if isinstance(line, int) else None
    return None
