"""The card's compact statistics (id lists, counted word counts) give what plain lists would."""

from __future__ import annotations

import pickle
import statistics
from collections import Counter

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
