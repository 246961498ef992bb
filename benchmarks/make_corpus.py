"""Generate a corpus project of N unique, realistic articles made from the five real seeds.

Usage: python benchmarks/make_corpus.py N OUT_DIR [--seed S] [--check]

Each generated seed keeps the page furniture of one of the five outlets (Press TV, Middle East
Monitor, Rasa, Tehran Times, rahnam), in turn, so that outlet's profile is detected; titles and
body paragraphs are new: sentences from all five seeds' body paragraphs, recombined, plus one
sentence with numbers derived from the article's index, so no two article texts and no two
titles are equal. Dates lie between 2012 and 2024 (after every outlet's founding year) in the
date-line format each profile parses. Files are written one at a time (nothing holds N texts)
and are named ``<order>_<first 16 hex of sha256>.txt``. The same N and --seed give the same
files. OUT_DIR also gets dataset.toml (this repository's, renamed) and card/.

--check then runs ``corpus-tools validate`` and ``corpus-tools convert`` on OUT_DIR and checks
that every record was converted by the profile of the outlet it was generated for.
"""

from __future__ import annotations

import argparse
import calendar
import datetime as dt
import hashlib
import json
import random
import re
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
CORPUS_TOOLS = Path(sys.executable).parent / "corpus-tools"
SEED_NAME = re.compile(r"^[0-9]{3,}_[0-9a-f]{16}\.txt$")

OUTLETS = ("presstv", "middleeastmonitor", "rasanews", "tehrantimes", "rahnam")
MONTHS = tuple(calendar.month_name[1:])
FIRST_DAY, LAST_DAY = dt.date(2012, 1, 1), dt.date(2024, 12, 31)

# Sentences that name an outlet or carry its furniture would change profile detection.
_OUTLET_WORDS = re.compile(r"(?i)rahnam|press ?tv|middleeastmonitor|tehrantimes|rasanews")
_LINE_PREFIX = re.compile(r"^(?:RNA|Rasa|TEHRAN)\s*[-–—]\s*|^[–—-]\s+")
_SENTENCE_END = re.compile(r"(?<=[.!?])([”\"’]?)\s+(?=[“\"‘A-Z])")
_ABBREVIATIONS = ("U.S.", "U.N.", "Gen.", "Mr.", "Dr.")

SPEAKERS = (
    "Iran's army chief",
    "IRGC commander",
    "Iraqi MP",
    "Kataib Hezbollah",
    "Nujaba spokesman",
    "Syrian foreign minister",
    "Hezbollah official",
    "Iraqi resistance",
    "Leader's adviser",
    "Iranian diplomat",
    "Analyst",
    "Popular Mobilization Units",
    "Ansarullah leader",
    "Iraqi premier",
    "Tehran's UN envoy",
    "Senior cleric",
)
PLACES = (
    "Iraq",
    "Syria",
    "Iraq and Syria",
    "eastern Syria",
    "western Iraq",
    "the region",
    "Anbar",
)
# Title templates with the base of their number. Template, speaker and place are the index
# modulo 11, 16 and 7 (pairwise coprime, so the triple is unique for 1232 indexes, by the
# Chinese remainder theorem); the number grows by one every 1232 indexes: titles are unique.
TITLES = (
    ("{s}: {n} days left for US troops in {p}", 30),
    ("{s} says {n} US bases in {p} are legitimate targets", 5),
    ("US forces in {p} hit by {n} attacks, {s} says", 40),
    ("{s}: Afghanistan-like escape awaits {n} US troops in {p}", 900),
    ("{s} warns Washington after strike kills {n} in {p}", 3),
    ("{s}: resistance will expel US from {p} within {n} days", 60),
    ("US convoy of {n} trucks smuggles Syrian oil out of {p}, {s} says", 20),
    ("{s} hails {n} operations against occupation forces in {p}", 10),
    ("Parliament vote backed by {n} MPs demands US exit from {p}, {s} says", 150),
    ("{s}: {n} Daesh remnants moved by US helicopters in {p}", 20),
    ("{s} denies US claim of {n} advisers leaving {p}", 100),
)
# The sentence that makes each article text unique: (a, b, c) is unique per article index.
UNIQUE_SENTENCES = (
    "Local sources said {a} rockets and {b} drones had been fired at {c} positions hosting "
    "US forces since the start of the year.",
    "According to local sources, {a} rockets and {b} drones have targeted {c} sites used by "
    "American troops so far this year.",
    "Since January, {a} rockets and {b} drones have been launched at {c} bases where US "
    "soldiers are stationed, local sources said.",
)
CAPTIONS = (
    "Major General Yahya Rahim Safavi",
    "Brigadier General Hossein Salami",
    "Major General Mohammad Bagheri",
    "Lieutenant General Qassem Soleimani",
    "Abu Mahdi al-Muhandis",
    "Hassan Danaeefar",
    "Majid Takht-Ravanchi",
    "US troops at a base in eastern Syria",
    "A US military convoy in northern Iraq",
)
KICKERS = (
    "IRGC Deputy Top Commander:",
    "Senior Cleric:",
    "Friday Prayer Leader of Tehran:",
    "Iraqi Resistance Official:",
    "Member of Assembly of Experts:",
    "Hezbollah Deputy Chief:",
    "Iranian Parliament Speaker:",
)
RELATED = (
    "Mattis: US to fight Daesh in Syria ‘as long as they want to fight’",
    "Iraq parliament votes to expel US troops",
    "US strikes Iran-backed groups in Iraq and Syria",
    "Pentagon confirms drawdown of forces in Iraq",
    "Syria demands withdrawal of US troops from its territory",
)
SUBHEADINGS = (
    "The resistance drove the American invaders out of Iraq",
    "How did the resistance surprise the Americans in Iraq?",
    "Washington’s big defeat in Iraq",
    "The end of the occupation is near",
    "What does the agreement mean for the region?",
    "A lesson from Afghanistan",
    "The role of the axis of resistance",
)
INITIALS = ("NA/PA", "AK/MG", "SB/HJ", "MH/AB", "FA/SR")
SECTIONS = ("Politics", "West Asia", "Iran", "Middle East", "World")


def sentence_pool(seeds: Path = SEEDS) -> list[str]:
    """Whole sentences from the body paragraphs of the real seeds, free of outlet names."""
    pool: list[str] = []
    for path in sorted(seeds.glob("*.txt")):
        for line in path.read_text(encoding="utf-8").splitlines():
            line = " ".join(line.replace("\u00a0", " ").split())
            if len(line.split()) < 25:
                continue  # headers, captions, subheadings, footers
            line = _LINE_PREFIX.sub("", line)
            for abbr in _ABBREVIATIONS:
                line = line.replace(abbr, abbr.replace(".", "\0"))
            for sentence in _SENTENCE_END.sub(lambda m: m.group(1) + "\n", line).split("\n"):
                sentence = sentence.replace("\0", ".").strip()
                balanced = sentence.count("“") == sentence.count("”")
                if (
                    len(sentence.split()) >= 8
                    and sentence[-1] in '.!?”"’'
                    and balanced
                    and sentence.count('"') % 2 == 0
                    and not _OUTLET_WORDS.search(sentence)
                ):
                    pool.append(sentence)
    return sorted(set(pool))


class Article:
    """The varied parts of one generated article."""

    def __init__(self, index: int, seed: int, pool: list[str]) -> None:
        self.index = index
        self.outlet = OUTLETS[index % len(OUTLETS)]
        self.rng = rng = random.Random(f"{seed}:{index}")
        self.pool = pool
        span = (LAST_DAY - FIRST_DAY).days
        self.date = FIRST_DAY + dt.timedelta(days=rng.randrange(span + 1))
        self.hour, self.minute = rng.randrange(24), rng.randrange(60)
        # Mixed-radix digits of the index make the unique sentence unique.
        template, base = TITLES[index % len(TITLES)]
        speaker, place = SPEAKERS[index % len(SPEAKERS)], PLACES[index % len(PLACES)]
        cycle = len(TITLES) * len(SPEAKERS) * len(PLACES)
        self.title = template.format(s=speaker, p=place, n=base + index // cycle)
        a, b, c = index % 50 + 3, index // 50 % 40 + 2, index // 2000 + 2
        self.unique = rng.choice(UNIQUE_SENTENCES).format(a=a, b=b, c=c)

    def paragraphs(self, low: int, high: int) -> list[str]:
        """low..high paragraphs of 2-4 pool sentences (25+ words), one with the unique one."""
        rng = self.rng
        paragraphs = []
        for _ in range(rng.randint(low, high)):
            sentences = rng.sample(self.pool, rng.randint(2, 4))
            while len(" ".join(sentences).split()) < 25:
                sentences.append(rng.choice(self.pool))
            paragraphs.append(" ".join(sentences))
        where = rng.randrange(len(paragraphs))
        paragraphs[where] += " " + self.unique
        return paragraphs

    def blocks(self) -> list[str]:
        """The page copy's blocks (lines or groups of lines), with the outlet's furniture."""
        blocks: list[str] = getattr(self, "_" + self.outlet)()
        return blocks

    def _presstv(self) -> list[str]:
        rng, d = self.rng, self.date
        header = [f"News\u00a0 / \u00a0{rng.choice(SECTIONS)}", self.title]
        if rng.random() < 0.5:  # like the real seed, half the copies lost the date line
            header.append(
                f"{d.day:02d} {MONTHS[d.month - 1]} {d.year} {self.hour}:{self.minute:02d}"
            )
        header.append(rng.choice(CAPTIONS))
        footer = ["Press TV’s website can also be accessed at the following alternate addresses:"]
        return [*header, *self.paragraphs(8, 12), *footer, "Press TV News Roku"]

    def _middleeastmonitor(self) -> list[str]:
        rng, d = self.rng, self.date
        hour12, ampm = (self.hour % 12 or 12), ("am" if self.hour < 12 else "pm")
        date = f"{MONTHS[d.month - 1]} {d.day}, {d.year} at {hour12}:{self.minute:02d} {ampm}"
        body = self.paragraphs(7, 10)
        body.insert(rng.randint(2, len(body) - 1), rng.choice(RELATED))
        return ["Creating new perspectives since 2009", self.title, date, *body]

    def _rasanews(self) -> list[str]:
        rng, d = self.rng, self.date
        body = self.paragraphs(8, 12)
        body[0] = "RNA -\u00a0" + body[0]
        header = [
            f"{d.day} {MONTHS[d.month - 1]} {d.year} - {self.hour:02d}:{self.minute:02d}",
            f"News ID: {400000 + self.index}",
            rng.choice(KICKERS),
            f"Rasa - {rng.choice(self.pool)}",
            rng.choice(CAPTIONS),
        ]
        footer = [
            "Send comment",
            "* Comment:",
            "Please type in your comments in English.",
            "The comments that contain insults or libel to individuals, ethnicities, or "
            "contradictions with the laws of the country and religious teachings will not be "
            "disclosed",
        ]
        # As in the real copy: header and comment form line by line, paragraphs 2 lines apart.
        return ["\n".join(header), *body, "\n".join(footer)]

    def _tehrantimes(self) -> list[str]:
        rng, d = self.rng, self.date
        minute = self.minute if rng.random() < 0.7 else self.minute % 10  # "20:5": truncated
        date = f"{MONTHS[d.month - 1]} {d.day}, {d.year} - {self.hour}:{minute}"
        body = self.paragraphs(12, 19)
        body[0] = "TEHRAN - " + body[0]
        return [self.title, date, *body, rng.choice(INITIALS), "Leave a Comment"]

    def _rahnam(self) -> list[str]:
        rng, d = self.rng, self.date
        header = [f"{self.title} – rahnam"]
        if rng.random() < 0.5:  # like the real seed, half the copies lost the date line
            header.append(f"{d.isoformat()} {self.hour:02d}:{self.minute:02d}")
        body = self.paragraphs(9, 13)
        first, rest = body[0].split(" ", 1)
        if first in ("The", "A", "An", "It", "In", "He", "This", "There", "Today,", "On", "Since"):
            first = first.lower()
        body[0] = f"According to the report of rahnam International News Agency, {first} {rest}"
        for subheading in rng.sample(SUBHEADINGS, 2):
            body.insert(rng.randint(2, len(body) - 1), subheading)
        if rng.random() < 0.5:
            items = [f"– {s}" for s in rng.sample(self.pool, 2)]
            at = rng.randint(2, len(body) - 1)
            body[at:at] = items
        return [*header, *body, "end of message/", "Leave a Comment"]

    def text(self) -> str:
        """The page copy; Rasa copies use two blank lines between body paragraphs, as seen."""
        gap = "\n\n\n" if self.outlet == "rasanews" else "\n\n"
        return gap.join(self.blocks()) + "\n"


def articles(n: int, seed: int) -> Iterator[Article]:
    """The n articles, one at a time."""
    pool = sentence_pool()
    for index in range(n):
        yield Article(index, seed, pool)


def write_project(
    out: Path, n: int, seed: int, progress: Callable[[int], None] | None = None
) -> None:
    """Write dataset.toml, card/ and seeds/ with n generated page copies into ``out``."""
    seeds = out / "seeds"
    seeds.mkdir(parents=True, exist_ok=False)
    toml = (ROOT / "dataset.toml").read_text(encoding="utf-8")
    toml = re.sub(r'(?m)^name = ".*"$', 'name = "corpus-tools-scale-benchmark"', toml)
    pretty = f"corpus-tools scale benchmark: {n} generated articles"
    toml = re.sub(r'(?m)^pretty_name = ".*"$', f'pretty_name = "{pretty}"', toml)
    (out / "dataset.toml").write_text(toml, encoding="utf-8")
    shutil.copytree(ROOT / "card", out / "card")
    shutil.copytree(ROOT / "profiles", out / "profiles")
    width = max(3, len(str(n - 1)))
    for article in articles(n, seed):
        data = article.text().encode("utf-8")
        digest = hashlib.sha256(data).hexdigest()[:16]
        (seeds / f"{article.index:0{width}d}_{digest}.txt").write_bytes(data)
        if progress is not None:
            progress(article.index + 1)


def check_project(out: Path, n: int) -> bool:
    """Validate the project and check each record's profile; print what is wrong."""
    validate = subprocess.run(
        [str(CORPUS_TOOLS), "validate", "--project", str(out)],
        capture_output=True,
        text=True,
    )
    codes = Counter(re.findall(r"(?:warning|error) ([\w-]+):", validate.stdout))
    print(f"validate: exit {validate.returncode}, {dict(codes) or 'no problems'}")
    print(validate.stdout.strip().splitlines()[-1] if validate.stdout.strip() else "")
    ok = validate.returncode == 0
    with tempfile.TemporaryDirectory() as tmp:
        records = Path(tmp) / "records.jsonl"
        subprocess.run(
            [str(CORPUS_TOOLS), "convert", "--project", str(out), "-o", str(records)],
            check=True,
            capture_output=True,
        )
        wrong: Counter[tuple[str, str]] = Counter()
        titles: set[str] = set()
        titled = 0
        with records.open(encoding="utf-8") as lines:
            for line in lines:
                record = json.loads(line)
                index = int(record["seed_file"].split("_")[0])
                expected = OUTLETS[index % len(OUTLETS)]
                if record["converter"]["profile"] != expected:
                    wrong[(expected, record["converter"]["profile"])] += 1
                if record["title"] is not None:
                    titled += 1
                    titles.add(record["title"])
    print(f"profiles: {n - sum(wrong.values())}/{n} as generated; wrong: {dict(wrong) or 'none'}")
    print(f"titles: {len(titles)} distinct among {titled} records with a title")
    return ok and not wrong and len(titles) == titled


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("n", type=int, help="number of articles")
    parser.add_argument("out", type=Path, help="project folder to create (must not exist)")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    parser.add_argument("--check", action="store_true", help="validate and check profiles")
    args = parser.parse_args()
    if args.n < 1:
        parser.error("N must be at least 1")
    if args.out.exists() and any(args.out.iterdir()):
        parser.error(f"{args.out} exists and is not empty")
    write_project(args.out, args.n, args.seed)
    print(f"wrote {args.n} seeds to {args.out / 'seeds'}")
    if args.check and not check_project(args.out, args.n):
        sys.exit(1)


if __name__ == "__main__":
    main()
