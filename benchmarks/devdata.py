"""Dev-set loading and gold line labelling (training/scoring helper, not shipped logic)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

_WS = re.compile(r"\s+")


def load(pages_dir: str, gold_path: str) -> list[dict[str, Any]]:
    """Load gold records with page text."""
    out = []
    for line in Path(gold_path).read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        rec = json.loads(line)
        rec["text"] = (Path(pages_dir) / rec["seed_file"]).read_text(encoding="utf-8")
        out.append(rec)
    return out


def gold_line_labels(lines: list[str], body: str) -> list[int]:
    """1 if a line is (part of) the gold body, else 0."""
    flat = " " + _WS.sub(" ", body).strip() + " "
    paras = {_WS.sub(" ", p).strip() for p in body.split("\n") if p.strip()}
    out = []
    for ln in lines:
        if not ln:
            out.append(0)
            continue
        nw = len(ln.split())
        if ln in paras or ((nw >= 6 or len(ln) >= 40) and ln in flat):
            out.append(1)
        else:
            out.append(0)
    return out
