"""Property tests: any text converts to a schema-valid, fully accounted record, or fails cleanly."""

from __future__ import annotations

import re
import shutil
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from corpus_tools.convert.accounting import unaccounted
from corpus_tools.convert.profiles import load_profiles
from corpus_tools.convert.rules import (
    convert_run,
    convert_seed,
    convert_seed_noting,
    furniture_rule,
)
from corpus_tools.errors import ConversionError
from corpus_tools.ingest.seeds import Seed
from corpus_tools.ingest.text import normalise
from corpus_tools.schema import Schema
from tests.conftest import SEEDS, seed_files

# The built-in profiles and this project's outlet profiles, so that their rules fire too.
PROFILES = load_profiles(Path(__file__).resolve().parents[1] / "profiles")
SCHEMA = Schema.packaged()

NAME = "000_0123456789abcdef.txt"
# Lines that look like page furniture, dates, datelines and headlines, so that the rules fire.
LINES = st.sampled_from(
    [
        "Leave a Comment",
        "Tags",
        "News / Politics",
        "TEHRAN - Officials met on Monday.",
        "April 20, 2020 - 20:5",
        "18 December 2016 - 15:21",
        "November 22, 2017 at 9:00 pm",
        "News ID: 12345",
        "By Jane Doe",
        "NA/PA",
        "RNA - The talks ended.",
        "– A list item.",
        "Iran: headline of another article",
        "end of message/",
        "Press TV’s website can also be accessed at the following alternate addresses:",
        "",
        "\u00a0",
    ]
)
TEXT = st.lists(st.one_of(LINES, st.text(max_size=80)), max_size=12).map("\n".join)


def _check(data: bytes) -> None:
    try:
        record = convert_seed(Seed(NAME, NAME, data), PROFILES)
    except ConversionError as error:
        assert error.file == NAME
        assert "\n" not in error.one_line()
        return
    assert list(SCHEMA.iter_errors(record)) == []
    # What the table checks demand of every record (the build trusts a seed's own counts).
    text = record["text"]
    assert record["word_count"] == len(text.split())
    assert record["char_count"] == len(text)
    assert text == "\n\n".join(block["text"] for block in record["body"])
    assert unaccounted(record, normalise(data.decode("utf-8-sig"))) == []


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(TEXT)
@example("")
@example("\x00")
@example("Headline only")
@example("Leave a Comment\nName\nEmail")
@example("\ufeffHeadline\r\n\r\nA paragraph.")
def test_any_text_converts_or_fails_with_a_conversion_error(text: str) -> None:
    _check(text.encode("utf-8"))


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=200))
def test_any_bytes_convert_or_fail_with_a_conversion_error(data: bytes) -> None:
    _check(data)


@settings(max_examples=50, deadline=None)
@given(st.sampled_from(seed_files()), st.data())
def test_seed_with_lines_removed_still_converts_or_fails_cleanly(
    seed_file: str, data: st.DataObject
) -> None:
    lines = (SEEDS / seed_file).read_text(encoding="utf-8").split("\n")
    keep = data.draw(st.lists(st.booleans(), min_size=len(lines), max_size=len(lines)))
    _check("\n".join(line for line, k in zip(lines, keep, strict=True) if k).encode("utf-8"))


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(TEXT)
def test_blocks_the_converter_calls_clean_hold_no_furniture(text: str) -> None:
    # The build skips the furniture check on these blocks: it must be right about each.
    try:
        record, clean = convert_seed_noting(Seed(NAME, NAME, text.encode("utf-8")), PROFILES)
    except ConversionError:
        return
    profile = PROFILES.by_id[record["outlet"]["id"]]
    assert clean <= set(range(len(record["body"])))
    for index in clean:
        assert furniture_rule(profile, record["body"][index]["text"], normalised=True) is None


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(TEXT.map(str.encode), st.binary(max_size=40)), max_size=6))
@example([b"Headline\nA paragraph.", b"", b"\xff", b"A\x00B", b"Leave a Comment"])
def test_a_run_of_seeds_converts_as_each_seed_alone(contents: list[bytes]) -> None:
    """The build converts seeds a run at a time, step by step: every seed's record, clean
    blocks or error must be what converting it alone gives, whatever its neighbours do
    (empty, undecodable, binary or bodiless ones among them)."""
    seeds = [Seed(f"{i:03d}_0123456789abcdef.txt", f"s{i}", c) for i, c in enumerate(contents)]
    together = convert_run(seeds, PROFILES)
    assert len(together) == len(seeds)
    for seed, result in zip(seeds, together, strict=True):
        try:
            alone = convert_seed_noting(seed, PROFILES)
        except ConversionError as error:
            assert isinstance(result, ConversionError)
            assert result.one_line() == error.one_line()
        else:
            assert result == alone


_SEED_NAMES = st.lists(
    st.builds(
        lambda order, hexid, tail: f"{order}_{hexid}{tail}",
        st.sampled_from(["000", "007", "999", "1000", "0012", "12", "00a"]),
        st.sampled_from(["0123456789abcdef", "fedcba9876543210", "0123456789ABCDEF"]),
        st.sampled_from([".txt", ".txt", ".txt", ".md", ".txt\n"]),
    ),
    min_size=1,
    max_size=12,
)


@given(_SEED_NAMES)
def test_seed_names_come_in_seed_order(names: list[str]) -> None:
    """By order number (999 before 1000, 0012 with 012), then by name; names that are not
    seeds' (too few digits, a letter, upper-case hex, another extension) come first."""
    from corpus_tools.ingest.seeds import seed_names

    def key(name: str) -> tuple[int, str]:
        # As SEED_NAME takes them: its "$" lets a final newline through.
        seed = re.fullmatch(r"([0-9]{3,})_[0-9a-f]{16}\.txt\n?", name)
        return (int(seed[1]), name) if seed else (-1, name)

    folder = Path(tempfile.mkdtemp())
    try:
        for name in set(names):
            (folder / name).write_text("x", encoding="utf-8")
        expected = sorted(set(names), key=key)
        assert list(seed_names(folder)) == expected
    finally:
        shutil.rmtree(folder)


_NAME_CHARS = "0123456789abcdefF_.tx\n٣"


@given(
    st.integers(min_value=1, max_value=6).flatmap(
        lambda digits: st.lists(
            st.one_of(
                st.builds(
                    lambda order, hexid: f"{order}_{hexid}.txt",
                    st.text("0123456789", min_size=digits, max_size=digits),
                    st.text("0123456789abcdef", min_size=16, max_size=16),
                ),
                st.text(_NAME_CHARS, min_size=digits + 20, max_size=digits + 22),
            ),
            min_size=1,
            max_size=8,
        )
    )
)
def test_the_fast_seed_order_check_agrees_with_the_seed_name_pattern(names: list[str]) -> None:
    """The listing's shortcut (all names seed names of one width, checked position by
    position) holds exactly when each name matches SEED_NAME without its final-newline
    allowance and all have one length."""
    from corpus_tools.ingest.seeds import SEED_NAME, _one_width

    expected = len({len(name) for name in names}) == 1 and all(
        SEED_NAME.match(name) and not name.endswith("\n") for name in names
    )
    assert _one_width(names) == expected
