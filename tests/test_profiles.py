"""Outlet profiles cover each outlet's usual furniture, not only the lines in the seeds; project
profiles add to and override the built-in ones; profile problems are reported once, with file
and line."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from corpus_tools.cli import app
from corpus_tools.convert.accounting import unaccounted
from corpus_tools.convert.profiles import BUILTIN_DIR, ProfileSet, load_profiles
from corpus_tools.convert.rules import convert_seed, convert_seed_noting
from corpus_tools.errors import ProjectErrors, UsageError
from corpus_tools.ingest.seeds import Seed
from corpus_tools.ingest.text import normalise
from corpus_tools.record import Published, Record
from corpus_tools.schema import Schema
from tests.conftest import ROOT, copy_project, load

BUILTIN = load_profiles(ROOT / "profiles")
SCHEMA = Schema.packaged()

NAME = "000_00000000000000ab.txt"
PARAGRAPH = "Officials said on Monday that the talks on the withdrawal of forces would go on."


def convert(text: str, profiles: ProfileSet = BUILTIN) -> Record:
    record = convert_seed(Seed(NAME, NAME, text.encode("utf-8")), profiles)
    assert list(SCHEMA.iter_errors(record)) == []
    assert unaccounted(record, normalise(text)) == []
    return record


def published(record: Record) -> Published:
    assert record["published"] is not None
    return record["published"]


def removed(record: Record) -> dict[str, str]:
    return {b["text"]: b["kind"] for b in record["boilerplate"]}


@pytest.mark.parametrize("separator", ["–", "-", "—"])
@pytest.mark.parametrize("space", [" ", ""])
def test_tehran_times_dateline_variants(separator: str, space: str) -> None:
    text = (
        "Iraq demands exit of foreign forces\n\nMay 3, 2021 - 10:15\n\n"
        f"TEHRAN{space}{separator}{space}{PARAGRAPH}\n\nNA/PA\n\nLeave a Comment"
    )
    record = convert(text)
    assert record["outlet"]["id"] == "tehrantimes"
    assert record["dateline"] == "TEHRAN"
    assert record["body"][0]["text"] == PARAGRAPH
    assert record["byline"] == "NA/PA"


def test_tehran_times_byline_with_author_name_tags_and_related_list() -> None:
    text = (
        "Iraq demands exit of foreign forces\n\nMay 3, 2021 - 10:15\n\nBy Mohammad Mazhari\n\n"
        f"TEHRAN - {PARAGRAPH}\n\nA second paragraph of the article ends here.\n\n"
        "Tags\n\nIraq\n\nUS forces\n\nRelated articles\n\nAnother headline\n\n"
        "Leave a Comment\n\nName\n\nEmail\n\nYour Message\n\n"
        "© 2021 Tehran Times. All rights reserved."
    )
    record = convert(text)
    assert record["byline"] == "Mohammad Mazhari"
    assert [b["text"] for b in record["body"]][-1] == "A second paragraph of the article ends here."
    kinds = removed(record)
    assert kinds["Tags"] == "tag"
    assert kinds["US forces"] == "tag"
    assert kinds["Related articles"] == "related_headline"
    for field in ("Name", "Email", "Your Message", "Leave a Comment"):
        assert kinds[field] == "comment_form"
    assert kinds["© 2021 Tehran Times. All rights reserved."] == "footer"


def test_press_tv_inserted_headline_and_footer() -> None:
    text = (
        "News / West Asia\n\nIraqi groups vow to expel US troops\n\nAbu Fadak al-Mohammadawi\n\n"
        f"{PARAGRAPH}\n\nIraq's parliament votes to expel foreign forces\n\n"
        "The resolution was passed in January, the groups said.\n\n"
        "Press TV’s website can also be accessed at the following alternate addresses:\n\n"
        "www.presstv.co.uk\n\nPress TV News Roku"
    )
    record = convert(text)
    assert record["outlet"]["id"] == "presstv"
    assert record["section"] == "News / West Asia"
    assert record["captions"] == ["Abu Fadak al-Mohammadawi"]
    kinds = removed(record)
    assert kinds["Iraq's parliament votes to expel foreign forces"] == "related_headline"
    assert kinds["www.presstv.co.uk"] == "footer"
    assert len(record["body"]) == 2


def test_middle_east_monitor_read_line_and_comments() -> None:
    text = (
        "Creating new perspectives since 2009\n\nUS to keep troops in Syria, says Pentagon\n\n"
        "March 4, 2019 at 1:05 pm\n\n"
        f"{PARAGRAPH}\n\nREAD: Iraq asks coalition to leave\n\n"
        "The Pentagon gave no timetable.\n\nShare this article\n\nComments"
    )
    record = convert(text)
    assert record["outlet"]["id"] == "middleeastmonitor"
    assert published(record)["time"] == "13:05"
    kinds = removed(record)
    assert kinds["READ: Iraq asks coalition to leave"] == "related_headline"
    assert kinds["Share this article"] == "share"
    assert [b["text"] for b in record["body"]] == [PARAGRAPH, "The Pentagon gave no timetable."]


def test_rasa_news_id_comment_form_and_tags() -> None:
    text = (
        "5 January 2020 - 9:3\n\nNews ID: 451234\n\nAyatollah Makarem Shirazi:\n\n"
        "Rasa - A senior cleric condemned the killing of General Soleimani.\n\n"
        f"RNA - {PARAGRAPH}\n\nTags\n\nSoleimani\n\nSend comment\n\n* Comment:\n\n"
        "Your Name\n\nYour Email Address"
    )
    record = convert(text)
    assert record["outlet"]["id"] == "rasanews"
    assert published(record)["precision"] == "hour"
    assert published(record)["time"] == "09:00"
    assert record["kicker"] == "Ayatollah Makarem Shirazi:"
    assert record["title"] is None
    assert record["source_article_id"] == "451234"
    assert record["body"] == [{"kind": "paragraph", "text": PARAGRAPH}]
    kinds = removed(record)
    assert kinds["Soleimani"] == "tag"
    assert kinds["Your Email Address"] == "comment_form"


@pytest.mark.xfail(
    reason="known weakness of the generic line classifier: on a page with only two short "
    "body lines, the last one (a short sentence before the share buttons) is taken for "
    "furniture",
    strict=True,
)
def test_generic_fallback_finds_title_date_and_drops_furniture() -> None:
    text = (
        "Home > World > Middle East\n\nUS troops to stay in Iraq, officials say\n\n"
        "By Jane Doe and John Smith\n\nPublished March 3, 2024 at 10:42 am\n\n"
        f"BAGHDAD — {PARAGRAPH}\n\nThe embassy declined to comment.\n\n"
        "Share this article\n\nRelated\n\nIraq election results delayed\n\n"
        "Copyright © 2024 Example News. All rights reserved."
    )
    record = convert(text)
    assert record["converter"] == {
        "name": "corpus-tools",
        "version": record["converter"]["version"],
        "profile": "generic",
        "fallback": True,
    }
    assert record["title"] == "US troops to stay in Iraq, officials say"
    # The generic line classifier has no section class: the breadcrumb is furniture.
    assert record["section"] is None
    assert removed(record)["Home > World > Middle East"] == "furniture"
    assert record["byline"] == "Jane Doe and John Smith"
    assert published(record)["date"] == "2024-03-03"
    assert published(record)["time"] == "10:42"
    assert record["dateline"] == "BAGHDAD"
    assert record["text"] == f"{PARAGRAPH}\n\nThe embassy declined to comment."


# An outlet as a maintainer adds it: a masthead and a headline rule over the common ones.
KAYHAN_PROFILE = """\
include = ["common"]
[outlet]
id = "kayhan"
name = "Kayhan International"
country = "IR"
affiliation = "Tehran daily whose editor is appointed by the Supreme Leader."
timezone = "Asia/Tehran"
[detect]
patterns = ['(?m)^Kayhan International$']
[[rule]]
name = "masthead"
zone = "header"
pattern = '(?P<boilerplate>Kayhan International)'
kind = "tagline"
[[rule]]
name = "headline"
zone = "header"
shape = true
once = true
pattern = '(?P<title>.*[^.])'
"""


def test_a_maintainer_adds_an_outlet_with_a_data_file(tmp_path: Path) -> None:
    (tmp_path / "kayhan.toml").write_text(KAYHAN_PROFILE, encoding="utf-8")
    profiles = load_profiles(tmp_path)
    record = convert(f"Kayhan International\n\nUS bases under fire\n\n{PARAGRAPH}", profiles)
    assert record["outlet"]["name"] == "Kayhan International"
    assert record["title"] == "US bases under fire"
    assert removed(record) == {"Kayhan International": "tagline"}


@pytest.mark.parametrize(
    ("pattern", "line", "stray"),
    [
        ("(?P<title>.+) says (?P<byline>.+)", "Troops stay says Jane Doe", " says "),
        (">> (?P<title>.+)", ">> US bases under fire", ">> "),
        ("(?P<title>.+) !!", "US bases under fire !!", " !!"),
    ],
)
def test_text_that_a_rule_leaves_in_no_field_stops_the_conversion(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, pattern: str, line: str, stray: str
) -> None:
    # load_profiles refuses such a rule; where it cannot read a pattern (Python's private
    # regex parser changed), conversion still refuses to drop the text without a word.
    class ChangedParser:
        def parse(self, *args: object) -> None:
            raise AttributeError("re._parser.parse is gone")

    monkeypatch.setattr(re, "_parser", ChangedParser())
    profile = KAYHAN_PROFILE.replace("'(?P<title>.*[^.])'", f"'{pattern}'")
    (tmp_path / "kayhan.toml").write_text(profile, encoding="utf-8")
    profiles = load_profiles(tmp_path)
    with pytest.raises(UsageError) as caught:
        convert(f"Kayhan International\n\n{line}\n\n{PARAGRAPH}", profiles)
    assert caught.value.code == "profile-rule"
    assert caught.value.message == f"rule kayhan.headline leaves {stray!r} of a line in no field"


def test_a_broken_profile_is_reported_with_its_file(tmp_path: Path) -> None:
    (tmp_path / "broken.toml").write_text(
        '[outlet]\nid = "broken"\nname = "B"\ncountry = "IR"\naffiliation = "x"\n'
        "[[rule]]\nname = \"bad\"\npattern = '(?P<nonsense>.*)'\n",
        encoding="utf-8",
    )
    with pytest.raises(ProjectErrors) as raised:
        load_profiles(tmp_path)
    assert raised.value.exit_code == 2
    (line,) = raised.value.lines()
    assert "broken.toml" in line
    assert "group 'nonsense'" in line


def test_a_short_quoted_first_paragraph_is_not_a_caption() -> None:
    text = (
        "Iran says US forces must leave Iraq\n\nMay 3, 2021 - 10:15\n\n"
        "Iran's foreign minister said on Monday that US troops “must go.”\n\n"
        "He spoke in Baghdad."
    )
    record = convert(text)
    assert record["captions"] == []
    assert record["body"][0]["text"].startswith("Iran's foreign minister")


def test_a_short_tehran_times_dateline_paragraph_is_not_a_caption() -> None:
    text = (
        "Bagheri warns US\n\nMay 3, 2021 - 10:15\n\n"
        "TEHRAN - Bagheri said the U.S. “will be expelled”\n\nLeave a Comment"
    )
    record = convert(text)
    assert record["captions"] == []
    assert record["dateline"] == "TEHRAN"
    assert record["body"][0]["text"] == "Bagheri said the U.S. “will be expelled”"


@pytest.mark.xfail(
    reason="known weakness of the generic line classifier: on a page with only two short "
    "body lines, the last one (a short sentence before the share buttons) is taken for "
    "furniture",
    strict=True,
)
def test_generic_wire_story_with_section_label_and_ap_date() -> None:
    text = (
        "World\n\nIraq asks US-led coalition to set withdrawal timetable\n\n"
        "By Timour Azhari\n\nUpdated 3:15 PM GMT+3, January 25, 2024\n\n"
        f"BAGHDAD (Reuters) - {PARAGRAPH}\n\n"
        "BY THE NUMBERS\n\n"
        "Related: the Pentagon said on Friday it had no plans to withdraw.\n\n"
        "Reporting by Timour Azhari; Editing by Alex Richardson\n\n"
        "Our Standards: The Thomson Reuters Trust Principles."
    )
    record = convert(text)
    assert record["section"] is None  # the generic classifier has no section class
    assert "World" not in [b["text"] for b in record["body"]]
    assert record["title"] == "Iraq asks US-led coalition to set withdrawal timetable"
    assert record["byline"] == "Timour Azhari"
    assert (published(record)["date"], published(record)["time"]) == ("2024-01-25", "15:15")
    assert record["dateline"] == "BAGHDAD (Reuters)"
    texts = [b["text"] for b in record["body"]]
    assert "BY THE NUMBERS" in texts
    assert "Related: the Pentagon said on Friday it had no plans to withdraw." in texts
    assert removed(record)["Reporting by Timour Azhari; Editing by Alex Richardson"] == "credit"
    assert "Trust Principles" not in record["text"]


# --------------------------------------------------------------------------- project profiles

KAYHAN = """include = ["common"]
[outlet]
id = "kayhan"
name = "Kayhan International"
country = "IR"
affiliation = "Tehran daily whose editor is appointed by the Supreme Leader."
timezone = "Asia/Tehran"
[detect]
patterns = ['(?m)^Kayhan International$', '(?i)kayhan\\.ir']
[[rule]]
name = "masthead"
zone = "header"
pattern = '(?P<boilerplate>Kayhan International)'
kind = "tagline"
[[rule]]
name = "headline"
zone = "header"
shape = true
once = true
pattern = '(?P<title>.*[^.])'
"""


def test_a_project_profile_overrides_a_builtin_and_adds_an_outlet(tmp_path: Path) -> None:
    root = copy_project(tmp_path / "corpus", seeds=("003_8566bcfe0396727f.txt",))
    builtin = (BUILTIN_DIR / "generic.toml").read_text(encoding="utf-8")
    assert 'name = "Unknown outlet"' in builtin
    override = builtin.replace('name = "Unknown outlet"', 'name = "Unknown outlet (project copy)"')
    (root / "profiles" / "generic.toml").write_text(override, encoding="utf-8")
    (root / "profiles" / "kayhan.toml").write_text(KAYHAN, encoding="utf-8")
    project = load(root)

    ids = [p.id for p in project.profiles]
    assert ids.count("generic") == 1
    assert "kayhan" in ids and "tehrantimes" in ids
    assert ids[-1] == "generic"
    assert project.profiles.registry["generic"].name == "Unknown outlet (project copy)"
    # The built-ins alone are unchanged, and hold no outlet of this corpus.
    assert load_profiles().registry["generic"].name == "Unknown outlet"
    assert set(load_profiles().registry) == {"generic"}

    (record,) = project.convert()
    assert record["outlet"]["id"] == "tehrantimes"
    assert record["outlet"]["name"] == "Tehran Times"
    kayhan = convert(
        f"Kayhan International\n\nUS bases under fire\n\n{PARAGRAPH}\n\nkayhan.ir",
        project.profiles,
    )
    assert kayhan["outlet"]["id"] == "kayhan"
    assert kayhan["title"] == "US bases under fire"
    # The project validates with its own registry (no outlet-mismatch for the override).
    report = project.validate()
    assert report.errors == []


BAD_PROFILES = {
    "broken.toml": '[outlet]\nid = "broken"\nname = "Broken"\n\n[detect\npatterns = []\n',
    "leaky.toml": """[outlet]
id = "leaky"
name = "Leaky News"
country = "GB"
affiliation = "A test outlet."

[[rule]]
name = "posted"
zone = "header"
pattern = 'Posted: (?P<published>.+)'
""",
    "mars.toml": """[outlet]
id = "mars"
name = "Mars Daily"
country = "GB"
affiliation = "A test outlet."
timezone = "Mars/Base"
""",
    "nowhere.toml": """[outlet]
id = "nowhere"
name = "Nowhere Times"
country = "XX"
affiliation = "A test outlet."
""",
}
# (file, line, words the message must hold) for each problem.
BAD_PROFILE_PROBLEMS = [
    ("broken.toml", 5, "not valid TOML"),
    ("leaky.toml", 8, "rule posted"),
    ("mars.toml", 6, "'Mars/Base' is not an IANA time zone"),
    ("nowhere.toml", 4, "'XX' is not an ISO 3166-1 alpha-2 code"),
]


def _write_bad_profiles(folder: Path) -> None:
    folder.mkdir(exist_ok=True)
    for name, text in BAD_PROFILES.items():
        (folder / name).write_text(text, encoding="utf-8")


def test_every_profile_problem_is_reported_once_with_file_and_line(tmp_path: Path) -> None:
    _write_bad_profiles(tmp_path)
    with pytest.raises(ProjectErrors) as raised:
        load_profiles(tmp_path)
    errors = raised.value.errors
    assert raised.value.exit_code == 2
    found = sorted((Path(e.file or "").name, e.line) for e in errors)
    assert found == [(name, line) for name, line, _ in BAD_PROFILE_PROBLEMS]
    for error in errors:
        assert error.code == "profile"
        name = Path(error.file or "").name
        (line, words) = next((li, w) for n, li, w in BAD_PROFILE_PROBLEMS if n == name)
        assert words in error.message
        assert error.one_line().startswith(f"{error.file}:{line}: ")
    leaky = next(e for e in errors if (e.file or "").endswith("leaky.toml"))
    assert "outside its named groups" in leaky.message


def test_profile_problems_are_reported_once_not_once_per_seed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = copy_project(tmp_path / "corpus")
    _write_bad_profiles(root / "profiles")
    monkeypatch.chdir(root)
    result = CliRunner().invoke(app, ["validate"])
    assert result.exit_code == 2
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == len(BAD_PROFILE_PROBLEMS), result.stderr
    for name, line, words in BAD_PROFILE_PROBLEMS:
        (matching,) = [text for text in lines if f"profiles/{name}:{line}: " in text]
        assert words in matching
    assert "Traceback" not in result.output


# Furniture rules that conversion applies only in some places: a first-line credit, and a
# sponsor line removed once.
PLACED_FURNITURE = """
[[rule]]
name = "wire"
zone = "body"
first = true
pattern = '(?P<boilerplate>Kayhan wire)'
kind = "credit"
[[rule]]
name = "sponsor"
zone = "body"
once = true
pattern = '(?P<boilerplate>Sponsored by Kayhan)'
kind = "share"
"""


@pytest.mark.parametrize(
    ("lines", "block"),
    [
        # A first-line rule: its line further down stays in the body, and the check finds it.
        (["Kayhan wire", "Para one.", "Kayhan wire", "Para two."], 1),
        # A once rule: its second line stays in the body.
        (["Para one.", "Sponsored by Kayhan", "Para two.", "Sponsored by Kayhan"], 2),
        (["Kayhan wire", "Para one.", "Sponsored by Kayhan", "Para two."], -1),
    ],
)
def test_the_build_still_finds_furniture_that_the_converter_kept(
    tmp_path: Path, lines: list[str], block: int
) -> None:
    from corpus_tools.validate.table import compact_row

    project_root = copy_project(tmp_path / "p", seeds=())
    profile = KAYHAN_PROFILE + PLACED_FURNITURE
    (project_root / "profiles" / "kayhan.toml").write_text(profile, encoding="utf-8")
    project = load(project_root)
    text = "\n".join(["Kayhan International", "US bases under fire", *lines])
    record, clean = convert_seed_noting(Seed(NAME, NAME, text.encode("utf-8")), project.profiles)
    assert record["outlet"]["id"] == "kayhan"
    # The converter's word for clean blocks changes nothing in what the table check finds.
    assert compact_row(project, record, True, clean)["furniture_block"] == block
    assert compact_row(project, record, True)["furniture_block"] == block
