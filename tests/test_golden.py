"""Golden tests: what a reader comparing each seed with its record must find."""

from __future__ import annotations

from typing import Any

import pytest

from corpus_tools.record import Record
from corpus_tools.schema import Schema
from tests.conftest import GOLDEN_SEEDS, seed_files

GOLDEN: dict[str, dict[str, Any]] = {
    "000_0828cff762950d3a.txt": {
        "outlet": "presstv",
        "title": "Iran: Afghanistan-like escape awaits US troops in Syria, Iraq",
        "kicker": None,
        "section": "News / Politics",
        "lead": None,
        "published": None,
        "dateline": None,
        "byline": None,
        "source_article_id": None,
        "captions": ["Major General Yahya Rahim Safavi"],
        "first": "A top military adviser to the Leader of the Islamic Revolution",
        "last": "The Israeli regime has also ramped up its aggression across the occupied "
        "territories, since its brutal assault against Gaza.",
        "blocks": 10,
        "removed": {
            (27, "footer", "presstv.mirror_addresses"),
            (29, "footer", "presstv.app_links"),
        },
    },
    "001_b8e32a01f76ace3e.txt": {
        "outlet": "middleeastmonitor",
        "title": "Khamenei: Collapse of Daesh is defeat of US",
        "kicker": None,
        "section": None,
        "lead": None,
        "published": {
            "raw": "November 22, 2017 at 9:00 pm",
            "date": "2017-11-22",
            "time": "21:00",
            "precision": "minute",
            "timezone": "Europe/London",
        },
        "dateline": None,
        "byline": None,
        "source_article_id": None,
        "captions": [],
        "first": "Iran’s Supreme Leader Ayatollah Ali Khamenei has said the victory",
        "last": "Khamenei also warned against what he called the enemy’s deceit, adding that "
        "those who made a huge investment to create the IS would try to re-hatch their evil "
        "plots in another part of the region or in other forms.",
        "blocks": 10,
        "removed": {
            (1, "tagline", "middleeastmonitor.tagline"),
            (17, "related_headline", "middleeastmonitor.inserted_headline"),
        },
    },
    "002_2ee008dd76835e94.txt": {
        "outlet": "rasanews",
        "title": None,
        "kicker": "IRGC Deputy Top Commander:",
        "section": None,
        "lead": "Lieutenant Commander of the Islamic Revolution Guards Corps (IRGC) Brigadier "
        "General Hossein Salami described the Syrian army and its allies' liberation of Aleppo "
        "as a strategic victory, and said it defused the US plots to disintegrate Syria.",
        "published": {
            "raw": "18 December 2016 - 15:21",
            "date": "2016-12-18",
            "time": "15:21",
            "precision": "minute",
            "timezone": "Asia/Tehran",
        },
        "dateline": None,
        "byline": None,
        "source_article_id": "425867",
        "captions": ["Brigadier General Hossein Salami"],
        "first": "\"The US and the terrorists' coalition are taking their last breaths",
        "last": "He said Syrians will not forget the Iranian nation and government, who stood "
        "by Syria during its hardest times.",
        "blocks": 12,
        "removed": {
            (2, "label", "rasanews.news_id"),
            (4, "agency_credit", "rasanews.lead_with_agency_credit"),
            (7, "agency_credit", "rasanews.agency_credit"),
            (43, "comment_form", "common.comment_form_start"),
            (44, "comment_form", "common.comment_form_field"),
            (45, "comment_form", "common.comment_policy"),
            (46, "comment_form", "common.comment_policy"),
        },
    },
    "003_8566bcfe0396727f.txt": {
        "outlet": "tehrantimes",
        "title": "Military chief predicts resistance front will expel U.S. from Iraq",
        "kicker": None,
        "section": None,
        "lead": None,
        "published": {
            "raw": "April 20, 2020 - 20:5",
            "date": "2020-04-20",
            "time": "20:00",
            "precision": "hour",
            "timezone": "Asia/Tehran",
        },
        "dateline": "TEHRAN",
        "byline": "NA/PA",
        "source_article_id": None,
        "captions": [],
        "first": "Chief of Staff of Iran’s Armed Forces Major General Mohammad Bagheri",
        "last": "“This region does not accept the presence of the United States. The people in "
        "the region and the regional governments rising from the people do not accept this "
        "issue,” the Leader pointed out.",
        "blocks": 19,
        "removed": {(45, "comment_form", "common.comment_form_start")},
    },
    "004_523f84f5b651b2cc.txt": {
        "outlet": "rahnam",
        "title": "Washington’s great defeat in Iraq/ How does the resistance escape the "
        "American invaders?",
        "kicker": None,
        "section": None,
        "lead": None,
        "published": None,
        "dateline": None,
        "byline": None,
        "source_article_id": None,
        "captions": [],
        "first": "According to the report of rahnam International News Agency, the Ministry",
        "last": "At the end of this note, it is emphasized that Great Iraq is making a strong "
        "return to its leadership position in the region and the Arab world, and this return "
        "will clearly culminate with the elimination of the presence of colonialists in this "
        "country.",
        "blocks": 16,
        "removed": {
            (1, "site_suffix", "rahnam.headline_with_site_suffix"),
            (35, "end_marker", "rahnam.end_of_message"),
            (37, "comment_form", "common.comment_form_start"),
        },
    },
}

FIELDS: tuple[str, ...] = ("title", "kicker", "section", "lead", "published", "dateline")
FIELDS += ("byline", "source_article_id", "captions")
# Furniture strings that must never reach the article text.
FURNITURE = (
    "News / Politics",
    "Creating new perspectives",
    "News ID",
    "Send comment",
    "Leave a Comment",
    "end of message",
    "alternate addresses",
    "Roku",
    "NA/PA",
    "Mattis: US to fight Daesh",
    "– rahnam",
    "RNA -",
    "Rasa -",
    "TEHRAN -",
    "Please type in your comments",
)


@pytest.mark.parametrize("seed_file", sorted(GOLDEN))
def test_fields_match_the_seed(seed_records: dict[str, Record], seed_file: str) -> None:
    record, want = seed_records[seed_file], GOLDEN[seed_file]
    assert record["outlet"]["id"] == want["outlet"]
    assert record["converter"]["fallback"] is False
    fields: dict[str, Any] = dict(record)
    for name in FIELDS:
        assert fields[name] == want[name], name


@pytest.mark.parametrize("seed_file", sorted(GOLDEN))
def test_body_starts_and_ends_where_the_article_does(
    seed_records: dict[str, Record], seed_file: str
) -> None:
    record, want = seed_records[seed_file], GOLDEN[seed_file]
    assert record["body"][0]["text"].startswith(want["first"])
    assert record["body"][-1]["text"] == want["last"]
    assert len(record["body"]) == want["blocks"]
    assert record["text"] == "\n\n".join(block["text"] for block in record["body"])
    assert record["word_count"] == len(record["text"].split())
    assert record["char_count"] == len(record["text"])


@pytest.mark.parametrize("seed_file", sorted(GOLDEN))
def test_furniture_is_removed_with_its_rule(
    seed_records: dict[str, Record], seed_file: str
) -> None:
    record = seed_records[seed_file]
    removed = {(b["line"], b["kind"], b["rule"]) for b in record["boilerplate"]}
    assert removed == GOLDEN[seed_file]["removed"]
    for furniture in FURNITURE:
        assert furniture not in record["text"], furniture


def test_rahnam_keeps_real_subheadings_and_list_items(
    seed_records: dict[str, Record],
) -> None:
    body = seed_records["004_523f84f5b651b2cc.txt"]["body"]
    subheadings = [b["text"] for b in body if b["kind"] == "subheading"]
    assert subheadings == [
        "The resistance drove the American invaders out of Iraq",
        "How did the resistance surprise the Americans in Iraq?",
        "Washington’s big defeat in Iraq",
    ]
    items = [b["text"] for b in body if b["kind"] == "list_item"]
    assert [i[:16] for i in items] == ["The first order ", "The second order"]


def test_body_dates_are_not_publication_dates(seed_records: dict[str, Record]) -> None:
    # rahnam mentions "Thursday (5th of February)" in its body; the page gives no date.
    record = seed_records["004_523f84f5b651b2cc.txt"]
    assert "5th of February" in record["text"]
    assert record["published"] is None


def test_records_validate_against_the_schema(seed_records: dict[str, Record]) -> None:
    schema = Schema.packaged()
    for record in seed_records.values():
        assert list(schema.iter_errors(record)) == []
    # One record per seed, in seed-file order, its id taken from the file name.
    assert list(seed_records) == seed_files()
    assert [r["id"] for r in seed_records.values()] == [
        name.split("_", 1)[1].removesuffix(".txt") for name in seed_files()
    ]
    golden = [seed_records[name]["id"] for name in GOLDEN_SEEDS]
    assert golden == [
        "0828cff762950d3a",
        "b8e32a01f76ace3e",
        "2ee008dd76835e94",
        "8566bcfe0396727f",
        "523f84f5b651b2cc",
    ]
    assert sorted(GOLDEN) == list(GOLDEN_SEEDS)
