"""Tests for generic.py on short synthetic page copies (no dev-set pages)."""

from __future__ import annotations

import pytest

from corpus_tools.convert.generic import LineCounter, extract, normalise, parse_date

ARTICLE = [
    "The city council voted on Tuesday to approve a long-debated plan that will turn the old "
    "riverside warehouses into a public park with trees, paths and a small harbour for boats.",
    "Supporters of the plan said that the park would give the district the green space it has "
    "lacked for decades, and that the cost was modest compared with the benefits for residents.",
    "Opponents argued that the money should have been spent on roads and schools, but their "
    "amendment was rejected by a clear majority after a debate that lasted more than four hours.",
    "Work on the first phase is expected to start in the spring, when the contractors will begin "
    "to clear the site and test the soil for pollution left by the factories that once stood "
    "there.",
    "The mayor said she was proud of the decision and thanked the residents who had campaigned "
    "for the park over many years, often meeting in the rain outside the council building.",
]

HEAD = [
    "Skip to content",
    "",
    "Menu",
    "Home",
    "News",
    "Sport",
    "Business",
    "Topics",
    "Latest News",
    "",
    "Council approves new riverside park after long debate",
    "",
    "By Jane Doe",
    "Published On 22 Dec 2023",
    "",
]

TAIL = [
    "",
    "Share",
    "Facebook",
    "Twitter",
    "Related Articles",
    "Five things to do in the city this weekend",
    "New bus routes announced for the northern suburbs",
    "© 2023 Example News",
    "Privacy Policy",
    "Terms of Use",
]


def page(head: list[str] = HEAD, body: list[str] = ARTICLE, tail: list[str] = TAIL) -> list[str]:
    """A synthetic page copy, blank line between paragraphs."""
    lines = list(head)
    for para in body:
        lines += [para, ""]
    return lines + list(tail)


def test_every_nonblank_line_gets_one_label() -> None:
    lines = page()
    ex = extract(lines)
    assert len(ex.labels) == len(lines)
    allowed = {"title", "date", "byline", "body", "subheading", "caption", "furniture"}
    for line, lab in zip(lines, ex.labels, strict=True):
        if line:
            assert lab in allowed
        else:
            assert lab == "blank"


def test_title_date_body() -> None:
    lines = page()
    ex = extract(lines)
    assert ex.title is not None and lines[ex.title].startswith("Council approves")
    assert ex.date is not None and lines[ex.date] == "Published On 22 Dec 2023"
    assert ex.published is not None and ex.published["date"] == "2023-12-22"
    assert ex.published["precision"] == "day"
    body = [ln for ln, lab in zip(lines, ex.labels, strict=True) if lab == "body"]
    assert body == ARTICLE
    assert ex.language == "en"


@pytest.mark.parametrize("nav", ["Skip to content", "Skip to main content", "Menu", "Home"])
def test_navigation_never_title(nav: str) -> None:
    lines = [nav, "", *page(head=[nav, "Home", "Topics", "", "By Jane Doe", ""])]
    ex = extract(lines)
    if ex.title is not None:
        assert lines[ex.title] not in {nav, "Home", "Topics", "Menu"}
        assert not lines[ex.title].lower().startswith("skip to")


@pytest.mark.parametrize("word", ["Topics", "Latest News", "© 2023 Example News"])
def test_furniture_above_article_costs_nothing(word: str) -> None:
    lines = page(head=[word, "", *HEAD[10:]])
    ex = extract(lines)
    assert ex.labels[0] == "furniture"
    assert [ln for ln, lab in zip(lines, ex.labels, strict=True) if lab == "body"] == ARTICLE


def test_body_date_is_not_publication_date() -> None:
    head = ["Menu", "Home", "", "Council approves new riverside park after long debate", ""]
    body = [*ARTICLE[:2], "The next vote is on 5 January 2024.", *ARTICLE[2:]]
    lines = page(head=head, body=body)
    ex = extract(lines)
    assert ex.date is None or "January" not in lines[ex.date]
    assert ex.published is None


def test_top_bar_date_is_not_publication_date() -> None:
    head = ["Monday, January 8, 2024", *["Home", "World", "Sport", "Culture", "Opinion"] * 9]
    lines = page(head=head + HEAD[9:])
    ex = extract(lines)
    assert ex.published is not None and ex.published["date"] == "2023-12-22"


@pytest.mark.parametrize(
    ("raw", "date", "time", "precision", "tz"),
    [
        ("Published On 22 Dec 2023", "2023-12-22", None, "day", None),
        ("Updated: 2023-12-22 14:05 GMT", "2023-12-22", "14:05", "minute", "UTC"),
        ("Dec. 22, 2023 at 9:05 a.m. ET", "2023-12-22", "09:05", "minute", None),
        ("22/12/2023", "2023-12-22", None, "day", None),
        ("December 22, 2023", "2023-12-22", None, "day", None),
        ("2023-12-22T14:05:00Z", "2023-12-22", "14:05", "minute", "UTC"),
        ("22.12.2023", "2023-12-22", None, "day", None),
        ("Monday 22 December 2023 14.05 GMT", "2023-12-22", "14:05", "minute", "UTC"),
        ("Dec 22, 2023 at 9 p.m.", "2023-12-22", "21:00", "hour", None),
        ("22 dicembre 2023", "2023-12-22", None, "day", None),
        ("22 декабря 2023, 14:05", "2023-12-22", "14:05", "minute", None),
        ("22 de dezembro de 2023", "2023-12-22", None, "day", None),
        ("2023년 12월 22일", "2023-12-22", None, "day", None),
        ("2023年12月22日", "2023-12-22", None, "day", None),
    ],
)
def test_date_formats(
    raw: str, date: str, time: str | None, precision: str, tz: str | None
) -> None:
    got = parse_date(raw)
    assert got is not None
    assert got == {"raw": raw, "date": date, "time": time, "precision": precision, "timezone": tz}


def test_only_short_lines_still_has_body() -> None:
    lines = ["Home", "News", "", "Contact", "About us", "Login"]
    ex = extract(lines)
    assert "body" in ex.labels


@pytest.mark.parametrize(
    "lines",
    [["x"], ["Council approves new riverside park"], ["Council approves park", "22 Dec 2023"]],
)
def test_tiny_pages_have_body(lines: list[str]) -> None:
    assert "body" in extract(lines).labels


def test_empty_and_blank_pages() -> None:
    assert extract([]).labels == ()
    ex = extract(["", ""])
    assert ex.labels == ("blank", "blank") and ex.title is None


def test_line_frequency_marks_furniture() -> None:
    counter = LineCounter()
    site_line = "Subscribe to our newsletter for the latest stories from around the region today."
    for i in range(50):
        counter.add([site_line, f"unique line {i}"])
    assert counter.frequency(site_line) == 1.0
    assert counter.frequency("never seen") == 0.0
    lines = page(body=[*ARTICLE[:3], site_line, *ARTICLE[3:]])
    ex = extract(lines, line_frequency=counter.frequency)
    assert ex.labels[lines.index(site_line)] != "body"
    assert [ln for ln, lab in zip(lines, ex.labels, strict=True) if lab == "body"] == ARTICLE


def test_normalise() -> None:
    assert normalise("\ufeffa\u00a0 b\r\nc\rd") == ["a b", "c", "d"]


def test_deterministic() -> None:
    lines = page()
    assert extract(lines) == extract(lines)
