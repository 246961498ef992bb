"""The card's compact statistics (id lists, counted word counts) give what plain lists would."""

from __future__ import annotations

import itertools
import pickle
import statistics
from collections import Counter
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from corpus_tools.package.card import CardStats, IdList, word_stats

_HEX = st.text(alphabet="0123456789abcdef", min_size=16, max_size=16)
_IDS = st.lists(_HEX | st.text(max_size=20), max_size=40)


@given(_IDS, _IDS)
def test_an_id_list_is_the_list_of_its_ids(first: list[str], second: list[str]) -> None:
    ids = IdList(first)
    assert list(ids) == first and len(ids) == len(first)
    assert ids[:20] == first[:20]
    if first:
        assert ids[0] == first[0] and ids[-1] == first[-1]
    ids.extend(IdList(second))  # how a worker's counts are merged
    assert list(pickle.loads(pickle.dumps(ids))) == first + second


def test_hex_ids_take_eight_bytes_each() -> None:
    ids = IdList(f"{n:016x}" for n in range(1000))
    assert len(ids._packed) == 8000 and ids._plain is None
    assert ids[999] == f"{999:016x}"


@given(st.lists(st.integers(0, 3000), min_size=1), st.lists(st.integers(0, 3000)))
def test_counted_word_counts_give_the_statistics_of_the_counts_one_by_one(
    first: list[int], second: list[int]
) -> None:
    # The card keeps how many records have each word count, not one number per record; its
    # figures must be those of the whole list, also across the merge of a worker's counts.
    stats, other = CardStats(), CardStats()
    stats.words.update(first)
    other.words.update(second)
    stats.merge(other)
    counts = first + second
    assert stats.words == Counter(counts)
    low, median, mean, high = word_stats(stats.words)
    assert (low, high) == (min(counts), max(counts))
    assert median == statistics.median(counts) and type(median) is type(statistics.median(counts))
    assert f"{median:g}" == f"{statistics.median(counts):g}"
    assert mean == statistics.fmean(counts)


_RECORDS = st.lists(
    st.fixed_dictionaries(
        {
            "id": _HEX,
            "outlet": st.fixed_dictionaries({"id": st.sampled_from(["a", "b", "c"])}),
            "word_count": st.integers(0, 50),
            "published": st.none()
            | st.fixed_dictionaries(
                {
                    "precision": st.sampled_from(["minute", "day", "month"]),
                    "date": st.dates().map(lambda d: d.isoformat()),
                    "raw": st.text(max_size=5),
                }
            ),
            "title": st.none() | st.just("t"),
            "converter": st.fixed_dictionaries({"fallback": st.booleans()}),
            "boilerplate": st.lists(
                st.fixed_dictionaries({"kind": st.sampled_from(["share", "tags"])}), max_size=3
            ),
        }
    ),
    max_size=30,
)


@given(_RECORDS, st.lists(st.integers(0, 30), max_size=4))
def test_records_counted_in_chunks_give_the_counts_of_the_records_one_by_one(
    records: list[dict[str, Any]], cuts: list[int]
) -> None:
    # Workers count their chunks at once and the build merges them: the card's figures are
    # those of the plain per-record definitions, wherever the chunks were cut.
    stats = CardStats()
    edges = [0, *sorted(cuts), len(records)]
    for start, end in itertools.pairwise(edges):
        chunk = CardStats()
        chunk.add_many(records[start:end])
        stats.merge(chunk)
    dated = [r for r in records if r["published"]]
    assert stats.n == len(records)
    assert stats.outlets == Counter(r["outlet"]["id"] for r in records)
    assert stats.words == Counter(r["word_count"] for r in records)
    for outlet in stats.outlets:
        counts = [r["word_count"] for r in records if r["outlet"]["id"] == outlet]
        assert stats.words_by_outlet[outlet] == [min(counts), max(counts)]
    assert stats.dated_by_outlet == Counter(r["outlet"]["id"] for r in dated)
    assert stats.precision == Counter(r["published"]["precision"] for r in dated)
    dates = [r["published"]["date"] for r in dated]
    assert (stats.first_date, stats.last_date) == (
        (min(dates), max(dates)) if dates else (None, None)
    )
    coarse = [r for r in dated if r["published"]["precision"] != "minute"]
    assert list(stats.coarse) == [r["id"] for r in coarse]
    assert stats.coarse_raw == [r["published"]["raw"] for r in coarse]
    assert list(stats.undated) == [r["id"] for r in records if not r["published"]]
    assert list(stats.untitled) == [r["id"] for r in records if r["title"] is None]
    assert list(stats.fallback) == [r["id"] for r in records if r["converter"]["fallback"]]
    kinds = [b["kind"] for r in records for b in r["boilerplate"]]
    assert stats.boilerplate == Counter(kinds)
    assert (stats.first is None) == (not records)
