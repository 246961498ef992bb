"""Publication dates: parse with a profile's formats and keep only the precision the page gives."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from typing import Any

from dateutil import parser as dateutil_parser

Published = dict[str, Any]


_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"),
            ("may",), ("june", "jun"), ("july", "jul"), ("august", "aug"),
            ("september", "sep", "sept"), ("october", "oct"), ("november", "nov"),
            ("december", "dec"),
        ),
        start=1,
    )
    for name in names
}  # fmt: skip


def _month(text: str) -> int | None:
    if text.isdigit():
        return int(text)
    known = _MONTHS.get(text.lower().rstrip("."))
    if known is not None:
        return known
    try:
        # dateutil knows full and abbreviated English month names.
        return dateutil_parser.parse(f"{text} 1 2000").month
    except (ValueError, OverflowError):
        return None


def parse_published(
    raw: str, formats: Iterable[re.Pattern[str]], timezone: str | None
) -> Published | None:
    """Parse a date line with the first matching format, or return None.

    A one-digit minute ("20:5") is a truncated time: the hour is kept and the precision drops
    to ``hour``; the minutes are never guessed.
    """
    for pattern in formats:
        match = pattern.fullmatch(raw)
        if match is None:
            continue
        parts = match.groupdict()
        month = _month(parts["month"] or "")
        if month is None:
            continue
        try:
            date = dt.date(int(parts["year"]), month, int(parts["day"]))
        except ValueError:
            continue
        time, precision = _time(parts)
        if time is False:
            continue
        return {
            "raw": raw,
            "date": date.isoformat(),
            "time": time,
            "precision": precision,
            "timezone": timezone,
        }
    return None


def _time(parts: dict[str, str | None]) -> tuple[str | bool | None, str]:
    hour_text, minute_text = parts.get("hour"), parts.get("minute")
    if hour_text is None:
        return None, "day"
    hour = int(hour_text)
    ampm = (parts.get("ampm") or "").lower().replace(".", "")
    if ampm:
        if not 1 <= hour <= 12:
            return False, "day"
        hour = hour % 12 + (12 if ampm == "pm" else 0)
    if hour > 23:
        return False, "day"
    if minute_text is None or len(minute_text) < 2:
        return f"{hour:02d}:00", "hour"
    minute = int(minute_text)
    if minute > 59:
        return False, "day"
    return f"{hour:02d}:{minute:02d}", "minute"
