"""A second corpus from nothing, through the installed CLI: nothing of the first one leaks."""

from __future__ import annotations

import json
import os
from pathlib import Path

import datasets
import pytest

from tests.conftest import Run, run_cli

OUTLET_ID = "harborgazette"
PROFILE = """\
# Harbor Gazette: a local daily of Port Nicholson (a test outlet).
include = ["common"]

[outlet]
id = "harborgazette"
name = "Harbor Gazette"
domain = "harborgazette.com"
country = "NZ"
founded = 1962
affiliation = "Independent local daily owned by a community trust."
timezone = "Pacific/Auckland"
language = "en"

[detect]
patterns = [
  '(?m)^HARBOR GAZETTE \\| Your harbour, your news$',
  '(?m)^Posted \\d{1,2} [A-Z][a-z]+ \\d{4}, \\d{1,2}:\\d{2}(?:am|pm)$',
  '(?i)harborgazette\\.com',
]

[[date]]
pattern = '''(?x) (?P<day>\\d{1,2}) \\s (?P<month>[A-Z][a-z]+) \\s (?P<year>\\d{4}) ,\\s
  (?P<hour>\\d{1,2}) : (?P<minute>\\d{2}) (?P<ampm>am|pm)'''

[[rule]]
name = "masthead"
zone = "header"
pattern = '(?P<boilerplate>HARBOR GAZETTE \\| Your harbour, your news)'
kind = "tagline"

[[rule]]
name = "section"
zone = "header"
pattern = '(?P<boilerplate>Section:)\\s*(?P<section>[A-Z][A-Za-z ]+)'
kind = "label"

[[rule]]
name = "posted"
zone = "header"
pattern = '(?P<boilerplate>Posted)\\s+(?P<published>\\d.+)'
kind = "label"
once = true

[[rule]]
name = "subscribe"
zone = "any"
pattern = '(?P<boilerplate>Subscribe to the Harbor Gazette.*)'
kind = "share"

[[rule]]
name = "site_footer"
zone = "any"
pattern = '(?P<boilerplate>harborgazette\\.com .*)'
kind = "footer"
starts_footer = true
following_kind = "footer"

[[rule]]
name = "headline"
shape = true
zone = "header"
pattern = '(?P<title>.*[^.;,:])'
once = true
max_words = 30
"""

PAGES = [
    (
        "Council approves new ferry terminal after five-year debate",
        "Transport",
        "3 March 2025, 9:15am",
        [
            "The city council voted eleven to four on Tuesday to approve a new ferry terminal "
            "at the eastern wharf, ending a debate that began in 2020.",
            "The terminal will replace the ageing pontoon that has served commuters from the "
            "outer bays since the 1970s, councillors were told.",
            "Mayor Ana Whitcombe said the decision would cut crossing times and ease pressure "
            "on the harbour bridge during the morning peak.",
            "Opponents argued the cost, estimated at 48 million dollars, should have been put "
            "to ratepayers in a referendum before any contract was signed.",
            "Construction is expected to begin in the spring, with the first sailings planned "
            "for late 2027 if consents are granted on time.",
            "The regional transport authority will pay a third of the cost, according to "
            "documents released with the council agenda.",
            "Residents near the wharf have asked for limits on night work and for a noise "
            "monitor on the site, which the council agreed to consider.",
            "A further report on parking around the terminal is due to the council in June.",
        ],
    ),
    (
        "Fishing fleet warned of early storm season",
        "Environment",
        "11 April 2025, 4:40pm",
        [
            "Forecasters have warned the harbour's fishing fleet to prepare for an early and "
            "unusually active storm season this winter.",
            "The meteorological service said warmer sea temperatures off the coast would feed "
            "deeper low-pressure systems from May onwards.",
            "Skippers met at the co-operative's hall on Thursday evening to discuss moorings, "
            "insurance and the timing of the last long trips of the autumn.",
            "The harbourmaster said extra swing moorings would be laid in the inner basin by "
            "the end of the month to shelter smaller boats.",
            "Insurers have asked owners to check their policies before the first storm, after "
            "claims rose sharply following last year's floods.",
            "The co-operative will run a free safety course for deckhands in the first week "
            "of May, its chair told members.",
            "Volunteers from the coastguard station will check life-jackets and radios at the "
            "fish market on two Saturdays.",
            "The service will publish its first monthly outlook for the season next week.",
        ],
    ),
    (
        "Library reopens with a maritime history wing",
        "Community",
        "2 May 2025, 10:05am",
        [
            "The central library reopened on Friday after an eighteen-month renovation that "
            "added a wing devoted to the harbour's maritime history.",
            "The new wing holds ship logs, photographs and charts donated by families of "
            "pilots and lighthouse keepers over more than a century.",
            "Head librarian Tomas Reyes said the collection had spent decades in a basement "
            "that flooded twice, and was now stored at a steady temperature.",
            "Schoolchildren from three local schools helped to catalogue the photographs as "
            "part of a history project last term.",
            "The renovation cost 6.2 million dollars, most of it raised by a charitable trust "
            "and a lottery grant, the council said.",
            "Opening hours have been extended to eight o'clock on weekday evenings for the "
            "first time since the building opened.",
            "A reading room on the top floor looks out over the container port and the old "
            "signal station.",
            "Guided tours of the new wing will run every Saturday morning until the end of "
            "the year.",
        ],
    ),
]

PROSE = {
    "uses.md": "<!-- guidance -->\nStudying how a local daily reports council and harbour "
    "affairs in Port Nicholson.\n",
    "out_of_scope.md": "Not a record of council decisions: check the council's minutes.\n",
    "curation_rationale.md": "Three articles chosen by hand to try corpus-tools on a local "
    "newspaper.\n",
    "personal_information.md": "The articles name local officials and residents quoted "
    "on the record.\n",
    "limitations.md": "- Three articles from one outlet; nothing about other papers.\n",
    "recommendations.md": "Read the articles as one paper's reporting, not as the facts.\n",
}
SUMMARY = "Three articles of the Harbor Gazette, a local daily, about harbour and council life."
FORBIDDEN = (
    "Iraq",
    "Syria",
    "Press TV",
    "Tehran",
    "martyred",
    "occupiers",
    "Middle East Monitor",
    "Rasa",
    "rahnam",
)


def page(title: str, section: str, posted: str, paragraphs: list[str]) -> str:
    """A page copy as a browser's select-all gives it: masthead, fields, body, furniture."""
    lines = [
        "HARBOR GAZETTE | Your harbour, your news",
        "",
        f"Section: {section}",
        "",
        title,
        "",
        f"Posted {posted}",
        "",
    ]
    for number, paragraph in enumerate(paragraphs):
        lines += [paragraph, ""]
        if number == 3:
            lines += ["Subscribe to the Harbor Gazette for 2 dollars a week", ""]
    lines += [
        "Share this article",
        "",
        "harborgazette.com | Contact us | Privacy",
        "",
        "© 2025 Harbor Gazette Ltd. All rights reserved.",
        "",
    ]
    return "\n".join(lines)


def run(cwd: Path, *args: str) -> Run:
    return run_cli(*args, cwd=cwd, env=dict(os.environ), timeout=600)


@pytest.fixture(scope="module")
def harbor(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The Harbor Gazette corpus, made and released through the CLI."""
    tmp_path = tmp_path_factory.mktemp("second")
    init = run(tmp_path, "init", "harbor")
    assert init.code == 0, init.stderr
    harbor = tmp_path / "harbor"
    assert (harbor / "dataset.toml").is_file()

    copies = tmp_path / "copies"
    copies.mkdir()
    files = []
    for index, (title, section, posted, paragraphs) in enumerate(PAGES):
        path = copies / f"page{index}.txt"
        path.write_text(page(title, section, posted, paragraphs), encoding="utf-8")
        files.append(str(path))
    added = run(harbor, "add", *files)
    assert added.code == 0, added.stderr
    assert len(added.stdout.splitlines()) == 3
    assert sorted(p.name[:4] for p in (harbor / "seeds").glob("*.txt")) == [
        "000_",
        "001_",
        "002_",
    ]

    (harbor / "profiles" / f"{OUTLET_ID}.toml").write_text(PROFILE, encoding="utf-8")
    for name, text in PROSE.items():
        (harbor / "card" / name).write_text(text, encoding="utf-8")
    toml = (harbor / "dataset.toml").read_text(encoding="utf-8")
    lines = []
    for line in toml.splitlines():
        if line.startswith("name = "):
            line = 'name = "harbor-gazette-local-news"'
        elif line.startswith("pretty_name = "):
            line = 'pretty_name = "Harbor Gazette Local News"'
        elif line.startswith("summary = "):
            line = f'summary = "{SUMMARY}"'
        lines.append(line)
    (harbor / "dataset.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")

    built = run(harbor, "build")
    assert built.code == 0, built.stderr
    assert built.stdout.startswith("built dist: 3 records")
    strict = run(harbor, "validate", "--strict")
    assert strict.code == 0, strict.stdout + strict.stderr
    released = run(harbor, "release")
    assert released.code == 0, released.stderr
    assert "released v1.0.0 (initial): 3 added" in released.stdout
    assert (harbor / "releases" / "v1.0.0.json").is_file()
    dataset = run(harbor, "validate", "--dataset", "dist", "--strict")
    assert dataset.code == 0, dataset.stdout + dataset.stderr
    return harbor


def test_a_second_corpus_from_nothing(harbor: Path, tmp_path: Path) -> None:
    train = datasets.load_dataset(str(harbor / "dist"), cache_dir=str(tmp_path / "hf-cache"))[
        "train"
    ]
    assert train.num_rows == 3
    rows = list(train)
    assert {row["outlet"]["id"] for row in rows} == {OUTLET_ID}
    assert rows[0]["outlet"] == {
        "id": OUTLET_ID,
        "name": "Harbor Gazette",
        "domain": "harborgazette.com",
        "country": "NZ",
    }
    assert [row["title"] for row in rows] == [p[0] for p in PAGES]
    assert [row["section"] for row in rows] == [p[1] for p in PAGES]
    assert rows[0]["published"]["date"] == "2025-03-03"
    assert rows[1]["published"]["time"] == "16:40"
    assert rows[0]["published"]["timezone"] == "Pacific/Auckland"
    for row, (_title, _section, _posted, paragraphs) in zip(rows, PAGES, strict=True):
        assert [block["text"] for block in row["body"]] == paragraphs
        assert row["converter"]["fallback"] is False

    card = (harbor / "dist" / "README.md").read_text(encoding="utf-8")
    assert SUMMARY in card
    assert "# Harbor Gazette Local News" in card
    for text in PROSE.values():
        assert text.replace("<!-- guidance -->\n", "").strip() in card
    assert "guidance" not in card
    croissant = json.loads((harbor / "dist" / "croissant.json").read_text(encoding="utf-8"))
    assert croissant["name"] == "harbor-gazette-local-news"
    assert croissant["version"] == "1.0.0"


def test_the_card_names_nothing_of_the_first_corpus(harbor: Path) -> None:
    card = (harbor / "dist" / "README.md").read_text(encoding="utf-8")
    assert [word for word in FORBIDDEN if word in card] == []


def test_the_card_outside_the_field_table_names_nothing_of_the_first_corpus(
    harbor: Path,
) -> None:
    card = (harbor / "dist" / "README.md").read_text(encoding="utf-8")
    start = card.index("### Data Fields")
    end = card.index("### Data Instance")
    rest = card[:start] + card[end:]
    assert [word for word in FORBIDDEN if word in rest] == []
