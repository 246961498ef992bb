"""Score corpus-tools' conversion of page copies against gold bodies, titles and dates.

Usage: python benchmarks/extraction.py PAGES_DIR GOLD.jsonl [--no-profiles] [--worst N]

Each page goes through ``convert_seed`` exactly as in a build: the built-in outlet profiles
first, then the generic line classifier. ``--no-profiles`` sends every page to the classifier.
Printed beside the trivial baseline ("every line is body, the first line is the title").
Scoring follows ../shared/extraction-dev/README.md: body word F1 over whitespace-token
multisets, exact title after whitespace normalisation, exact YYYY-MM-DD date. A page that
conversion refuses counts as a refusal with an empty body.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections import Counter
from pathlib import Path
from typing import Any

from corpus_tools.convert.profiles import GENERIC, ProfileSet, load_profiles
from corpus_tools.convert.rules import convert_seed
from corpus_tools.errors import ConversionError
from corpus_tools.ingest.seeds import Seed
from corpus_tools.ingest.text import normalise

Result = tuple[str, str | None, str | None, bool]


def prf(pred: str, gold: str) -> tuple[float, float, float]:
    """Word-level precision, recall and F1 over whitespace-token multisets."""
    cp, cg = Counter(pred.split()), Counter(gold.split())
    overlap = sum((cp & cg).values())
    n_pred, n_gold = sum(cp.values()), sum(cg.values())
    if n_pred == 0 and n_gold == 0:
        return 1.0, 1.0, 1.0
    p = overlap / n_pred if n_pred else 0.0
    r = overlap / n_gold if n_gold else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def ws(text: str | None) -> str:
    return " ".join((text or "").split())


def run_converter(path: Path, profiles: ProfileSet) -> Result:
    seed = Seed(name=path.name, path=str(path), data=path.read_bytes())
    try:
        record = convert_seed(seed, profiles)
    except ConversionError:
        return "", None, None, True
    date = record["published"]["date"] if record["published"] else None
    return record["text"], record["title"], date, False


def run_baseline(path: Path, _profiles: ProfileSet) -> Result:
    lines = [ln for ln in normalise(path.read_text(encoding="utf-8")) if ln]
    return "\n".join(lines), (lines[0] if lines else None), None, False


def score(gold: list[dict[str, Any]], outputs: list[Result]) -> dict[str, float]:
    ps, rs, fs = [], [], []
    titles = dates = dated = refused = 0
    for rec, (body, title, date, refusal) in zip(gold, outputs, strict=True):
        p, r, f = prf(body, rec["body"])
        ps.append(p)
        rs.append(r)
        fs.append(f)
        titles += ws(title) == ws(rec["title"])
        if rec.get("date"):
            dated += 1
            dates += date == rec["date"]
        refused += refusal
    return {
        "body P mean": statistics.fmean(ps),
        "body R mean": statistics.fmean(rs),
        "body F1 mean": statistics.fmean(fs),
        "body F1 median": statistics.median(fs),
        "title exact": titles / len(gold),
        "date accuracy": dates / dated if dated else 0.0,
        "refusals": float(refused),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("pages", type=Path)
    parser.add_argument("gold", type=Path)
    parser.add_argument("--no-profiles", action="store_true", help="classifier only")
    parser.add_argument("--worst", type=int, default=0, help="list the N worst pages by F1")
    args = parser.parse_args()
    gold = [json.loads(line) for line in args.gold.read_text(encoding="utf-8").splitlines() if line]
    profiles = load_profiles()
    if args.no_profiles:
        profiles = ProfileSet((profiles.by_id[GENERIC],))
    paths = [args.pages / rec["seed_file"] for rec in gold]
    run_converter(paths[0], profiles)  # load the language model outside the timing
    table: dict[str, dict[str, float]] = {}
    timing: dict[str, float] = {}
    outputs: dict[str, list[Result]] = {}
    for name, fn in (("corpus-tools", run_converter), ("baseline", run_baseline)):
        start = time.perf_counter()
        outputs[name] = [fn(path, profiles) for path in paths]
        timing[name] = (time.perf_counter() - start) * 1000 / len(paths)
        table[name] = score(gold, outputs[name])
    dated = sum(1 for rec in gold if rec.get("date"))
    print(
        f"{len(gold)} pages ({dated} with a gold date)"
        + (", profiles off" if args.no_profiles else "")
    )
    print(f"{'measure':<16}{'corpus-tools':>14}{'baseline':>12}")
    for key in table["baseline"]:
        ours, base = table["corpus-tools"][key], table["baseline"][key]
        fmt = "{:>14.0f}{:>12.0f}" if key == "refusals" else "{:>14.3f}{:>12.3f}"
        print(f"{key:<16}" + fmt.format(ours, base))
    print(f"{'ms per page':<16}{timing['corpus-tools']:>14.2f}{timing['baseline']:>12.2f}")
    if args.worst:
        ranked = sorted(
            zip(gold, outputs["corpus-tools"], strict=True),
            key=lambda item: prf(item[1][0], item[0]["body"])[2],
        )
        for rec, (body, _t, _d, _r) in ranked[: args.worst]:
            print(f"{prf(body, rec['body'])[2]:.3f}  {rec['seed_file']}  {rec['site']}")


if __name__ == "__main__":
    main()
