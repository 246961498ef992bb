"""Table-level checks: a Pandera model over the records, one row per record.

Every check's failures are collected lazily and turned into sentences by ``explain``.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from typing import Any

import pandas as pd
import pandera.pandas as pa
from pandera.errors import SchemaErrors
from pandera.typing import Series

from corpus_tools.convert import Record, furniture_rule
from corpus_tools.metadata import project_meta
from corpus_tools.profiles import load_profiles, outlet_registry


def _today() -> dt.date:
    return dt.date.today()


def flatten(records: Sequence[Record]) -> pd.DataFrame:
    """One row per record, nested fields flattened to the columns the checks need."""
    rows = []
    for record in records:
        published = record["published"] or {}
        blocks = _furniture_blocks(record)
        furniture = record["body"][blocks[0]]["text"] if blocks else None
        rows.append(
            {
                "id": record["id"],
                "seed_file": record["seed_file"],
                "seed_sha256": record["seed_sha256"],
                "outlet_id": record["outlet"]["id"],
                "outlet_name": record["outlet"]["name"],
                "outlet_domain": record["outlet"]["domain"],
                "outlet_country": record["outlet"]["country"],
                "title": record["title"],
                "kicker": record["kicker"],
                "lead": record["lead"],
                "published_date": published.get("date"),
                "published_time": published.get("time"),
                "published_precision": published.get("precision"),
                "text": record["text"],
                "body_text": "\n\n".join(block["text"] for block in record["body"]),
                "word_count": record["word_count"],
                "char_count": record["char_count"],
                "language": record["language"],
                "furniture_block": furniture,
            }
        )
    return pd.DataFrame(rows, dtype=object)


class ArticleTable(pa.DataFrameModel):
    """Consistency of the records table. Check names are the report's problem codes."""

    id: Series[Any] = pa.Field(unique=True)
    seed_sha256: Series[Any] = pa.Field(unique=True)
    text: Series[Any] = pa.Field(unique=True)

    class Config:
        strict = False

    @pa.dataframe_check(error="id-mismatch")
    def id_matches_file_name(cls, df: pd.DataFrame) -> pd.Series:
        return df["seed_file"].str.slice(4, 20) == df["id"]

    @pa.dataframe_check(error="text-mismatch")
    def text_is_joined_body(cls, df: pd.DataFrame) -> pd.Series:
        return df["text"] == df["body_text"]

    @pa.dataframe_check(error="count-mismatch")
    def counts_agree_with_text(cls, df: pd.DataFrame) -> pd.Series:
        words = df["text"].map(lambda t: len(t.split()))
        chars = df["text"].map(len)
        return (df["word_count"] == words) & (df["char_count"] == chars)

    @pa.dataframe_check(error="precision-mismatch")
    def precision_agrees_with_time(cls, df: pd.DataFrame) -> pd.Series:
        return pd.Series(
            [
                _precision_ok(p, t)
                for p, t in zip(df["published_precision"], df["published_time"], strict=True)
            ],
            index=df.index,
        )

    @pa.dataframe_check(error="date-out-of-range")
    def date_in_range(cls, df: pd.DataFrame) -> pd.Series:
        registry = outlet_registry()
        return pd.Series(
            [
                _date_ok(d, registry[o].founded if o in registry else None)
                for d, o in zip(df["published_date"], df["outlet_id"], strict=True)
            ],
            index=df.index,
        )

    @pa.dataframe_check(error="outlet-mismatch")
    def outlet_in_registry(cls, df: pd.DataFrame) -> pd.Series:
        registry = outlet_registry()

        def ok(row: pd.Series) -> bool:
            outlet = registry.get(row["outlet_id"])
            return outlet is not None and (
                outlet.name,
                outlet.domain,
                outlet.country,
            ) == (row["outlet_name"], row["outlet_domain"], row["outlet_country"])

        return df.apply(ok, axis=1).astype(bool)

    @pa.dataframe_check(error="no-headline")
    def has_title_kicker_or_lead(cls, df: pd.DataFrame) -> pd.Series:
        return df[["title", "kicker", "lead"]].notna().any(axis=1)

    @pa.dataframe_check(error="furniture-in-body")
    def no_furniture_in_body(cls, df: pd.DataFrame) -> pd.Series:
        return df["furniture_block"].isna()

    @pa.dataframe_check(error="language")
    def language_allowed(cls, df: pd.DataFrame) -> pd.Series:
        return df["language"].isin(project_meta().allowed_languages)


def _precision_ok(precision: str | None, time: str | None) -> bool:
    if precision is None:
        return time is None
    if precision == "day":
        return time is None
    if precision == "hour":
        return time is not None and time.endswith(":00")
    return time is not None


def _date_ok(date: str | None, founded: int | None) -> bool:
    if date is None:
        return True
    day = dt.date.fromisoformat(date)
    return day <= _today() and (founded is None or day.year >= founded)


# Pandera's own names for the column checks, mapped to the report's codes.
_COLUMN_CODES = {
    ("id", "field_uniqueness"): "duplicate-id",
    ("seed_sha256", "field_uniqueness"): "duplicate-seed",
    ("text", "field_uniqueness"): "duplicate-text",
}


def table_failures(records: Sequence[Record]) -> list[tuple[str, int]]:
    """(code, row index) for every failed check, collected lazily, without repeats."""
    if not records:
        return []
    frame = flatten(records)
    try:
        ArticleTable.validate(frame, lazy=True)
    except SchemaErrors as exc:
        found: set[tuple[str, int]] = set()
        for case in exc.failure_cases.to_dict("records"):
            code = _COLUMN_CODES.get((case["column"], case["check"]), case["check"])
            if case["index"] is not None and not pd.isna(case["index"]):
                found.add((str(code), int(case["index"])))
        return sorted(found, key=lambda item: (item[1], item[0]))
    return []


def explain(code: str, index: int, records: Sequence[Record]) -> tuple[str, str | None]:
    """The sentence for a failure and the JSON Pointer of the value it is about."""
    record = records[index]
    rid = record["id"]

    def others(key: str) -> str:
        names = [r["seed_file"] for r in records if r is not record and r[key] == record[key]]
        return ", ".join(names)

    registry = outlet_registry()
    outlet = registry.get(record["outlet"]["id"])
    messages: dict[str, tuple[str, str | None]] = {
        "duplicate-id": (
            f"record {rid} shares its id with {others('id')}; give each seed a unique id",
            "/id",
        ),
        "duplicate-seed": (
            f"record {rid} has the same seed bytes as {others('seed_sha256')}; "
            "remove the duplicate seed",
            "/seed_sha256",
        ),
        "duplicate-text": (
            f"record {rid} has the same article text as {others('text')} (the same article "
            "under another id); remove one of the seeds",
            "/text",
        ),
        "id-mismatch": (
            f"record {rid} does not match its file name {record['seed_file']}; "
            "take the id from the file name",
            "/id",
        ),
        "text-mismatch": (
            f"record {rid}: text is not the body texts joined by a blank line; "
            "rebuild text from body",
            "/text",
        ),
        "count-mismatch": (
            f"record {rid}: word_count {record['word_count']} or char_count "
            f"{record['char_count']} disagrees with text; recompute them as len(text.split()) "
            "and len(text)",
            "/word_count",
        ),
        "precision-mismatch": (
            f"record {rid}: published.precision does not agree with published.time; use day "
            "with no time, hour with HH:00, minute with HH:MM",
            "/published/precision",
        ),
        "date-out-of-range": (
            f"record {rid}: publication date {_published_date(record)} is "
            + (
                f"before the outlet's founding year {outlet.founded}"
                if outlet and outlet.founded and int(_published_date(record)[:4]) < outlet.founded
                else f"after today ({_today().isoformat()})"
            )
            + "; check the date line in the seed",
            "/published/raw",
        ),
        "outlet-mismatch": (
            f"record {rid}: outlet {json.dumps(record['outlet'])} does not match the outlet "
            "registry "
            + (
                f"({outlet.name}, {outlet.domain}, {outlet.country})"
                if outlet
                else "(no such outlet id)"
            )
            + "; fix the outlet fields or the profile",
            "/outlet",
        ),
        "no-headline": (
            f"record {rid} has no title, kicker or lead; check the seed's first lines or "
            "extend the outlet profile",
            "/title",
        ),
        "furniture-in-body": (
            f"record {rid}: body block {_short(record)!r} is page furniture by the "
            f"{record['outlet']['id']} profile; remove it from body and text",
            _furniture_path(record),
        ),
        "language": (
            f"record {rid}: language {record['language']!r} is not one of "
            f"{', '.join(project_meta().allowed_languages)}; fix it or allow it in dataset.toml",
            "/language",
        ),
    }
    return messages.get(code, (f"record {rid} fails table check {code}", None))


def _published_date(record: Record) -> str:
    return str((record["published"] or {}).get("date") or "0000")


def _furniture_blocks(record: Record) -> list[int]:
    profile = {p.id: p for p in load_profiles()}.get(record["outlet"]["id"])
    if profile is None:
        return []
    return [
        i for i, b in enumerate(record["body"]) if furniture_rule(profile, b["text"]) is not None
    ]


def _furniture_path(record: Record) -> str | None:
    blocks = _furniture_blocks(record)
    return f"/body/{blocks[0]}/text" if blocks else None


def _short(record: Record) -> str:
    blocks = _furniture_blocks(record)
    text = str(record["body"][blocks[0]]["text"]) if blocks else ""
    return text if len(text) <= 60 else text[:57] + "..."
