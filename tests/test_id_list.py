"""The card's compact id lists behave as plain lists of the ids added, in order."""

from __future__ import annotations

import pickle

from hypothesis import given
from hypothesis import strategies as st

from corpus_tools.package.card import IdList

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
