"""Generic article extractor for plain-text page copies (select-all + copy of a web page).

Lines are classified from shallow evidence (length, punctuation, stop-word density, menu-like
shape, position) by a small logistic model, then smoothed with a second model that sees the
first-stage scores of neighbouring lines (article text and boilerplate both come in runs).
Title, publication date and byline are picked around the head of the main body run.
Weights live in ``generic_weights.json`` beside this module, trained by
``benchmarks/train_generic.py`` on the extraction development set alone.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache
from operator import mul
from pathlib import Path
from typing import Any

from corpus_tools.ingest.text import normalise

__all__ = ["Extraction", "LineCounter", "extract", "normalise", "parse_date"]


@dataclass(frozen=True)
class Extraction:
    """Result of :func:`extract`; indices are 0-based line numbers."""

    labels: tuple[str, ...]
    title: int | None
    date: int | None
    published: dict[str, Any] | None
    byline: int | None
    language: str


class LineCounter:
    """Streaming document frequency of normalised lines (8-byte blake2b digests).

    Lines seen in fewer than ``min_docs`` documents report frequency 0, so that in a small
    corpus a unique (or pairwise-syndicated) line never looks like recurring furniture.
    """

    def __init__(self, min_docs: int = 3) -> None:
        self.counts: dict[int, int] = {}
        self.docs = 0
        self.min_docs = min_docs

    @staticmethod
    def _key(line: str) -> int:
        return int.from_bytes(
            hashlib.blake2b(line.encode("utf-8"), digest_size=8).digest(), "little"
        )

    def add(self, lines: Iterable[str]) -> None:
        """Count each distinct non-blank line of one document once."""
        self.docs += 1
        counts = self.counts
        for key in {self._key(ln) for ln in lines if ln}:
            counts[key] = counts.get(key, 0) + 1

    def frequency(self, line: str) -> float:
        """Fraction of counted documents that contain ``line``."""
        if not self.docs:
            return 0.0
        c = self.counts.get(self._key(line), 0)
        return c / self.docs if c >= self.min_docs else 0.0


# --------------------------------------------------------------------------- lexical resources

_STOP = {
    "en": "the of and to a in is that for it on was with as at by be this are from or an have "
    "has not but they he she his her we you i their which were been would will there its "
    "who had more about when can so if than also one what all into after our them said",
    "es": "de la que el en y a los del se las por un para con no una su al lo como más pero "
    "sus le ya o fue este ha sí porque esta son entre cuando muy sin sobre también me hasta",
    "pt": "de a o que e do da em um para é com não uma os no se na por mais as dos como mas "
    "foi ao ele das tem à seu sua ou ser quando muito há nos já está eu também só pelo pela",
    "it": "di e il la che a per un in è del non una le si con da i al della sono anche come "
    "più ma gli nel alla dei lo ha delle su se o questo nella cui tra essere ci stato",
    "fr": "de la le et les des en un du une que est pour qui dans a par plus pas au sur ne se "
    "ce il sont avec ou son été cette aux elle mais nous leur ont comme y lui",
    "de": "der die und in den von zu das mit sich des auf für ist im dem nicht ein eine als "
    "auch es an werden aus er hat dass sie nach wird bei einer um am sind noch wie",
    "nl": "de van het een en in is dat op te zijn voor met die niet aan er om ook als bij "
    "door maar dan nog wel naar worden werd heeft tot uit over",
    "id": "yang dan di ini itu dengan untuk dari dalam tidak akan pada juga ke karena ada "
    "oleh bisa mereka saat atau sudah telah kami kita lebih adalah seperti menjadi",
    "ru": "и в не на что с по как он это его к из за то а для о от но же так она все было "
    "мы бы они у их при уже был или также чтобы если ее после был были этом",
}
_STOP_SETS = {k: frozenset(v.split()) for k, v in _STOP.items()}
_STOP_ALL = frozenset().union(*_STOP_SETS.values())

_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]")
_HIRA = re.compile(r"[\u3040-\u309f]")
_END_SENT = re.compile(r"[.!?。！？…:;\"”’»)\]](?:\s*\(?\w{0,3}\)?)?$")
_FURN_WORDS = frozenset(
    [
        "share",
        "shares",
        "sharing",
        "tweet",
        "facebook",
        "twitter",
        "linkedin",
        "whatsapp",
        "pinterest",
        "reddit",
        "email",
        "e-mail",
        "print",
        "subscribe",
        "subscription",
        "newsletter",
        "signup",
        "sign",
        "login",
        "log",
        "register",
        "cookie",
        "cookies",
        "privacy",
        "terms",
        "advertise",
        "advertisement",
        "advertising",
        "sponsored",
        "copyright",
        "reserved",
        "follow",
        "more",
        "related",
        "recommended",
        "trending",
        "popular",
        "comment",
        "comments",
        "reply",
        "contact",
        "about",
        "home",
        "menu",
        "search",
        "skip",
        "download",
        "app",
        "watch",
        "video",
        "videos",
        "podcast",
        "click",
        "loading",
        "javascript",
        "newsletters",
        "compartir",
        "compartilhe",
        "condividi",
        "bagikan",
        "поделиться",
    ]
)
_PUNCT = ".,;:!?\"'()[]«»“”‘’|-–—/"
_NAV = re.compile(
    r"^(skip to|jump to|go to|toggle|menu\b|main menu|navigation|home$|search|close|open|"
    r"sections?$|log ?in|sign ?in|sign ?up|subscribe|advertisement|share|follow|back to top)",
    re.I,
)
_SEP_CHARS = re.compile(r"[|›»>•·]")
_SEPS = re.compile(r"[|›»>•·]|\s/\s")
_URLISH = re.compile(r"https?://|www\.|\.com\b|@\w|\w@\w")
_COPY = re.compile(r"©|\(c\)|copyright|all rights reserved", re.I)
_BYLINE = re.compile(
    r"^(by|por|di|oleh|von|par|door|av|af|от|автор|written by|posted by|reported by|words by)"
    r"[\s:]+\S",
    re.I,
)
_CAPTION = re.compile(
    r"^(photo|image|picture|credit|foto|source|caption|\(photo|getty|reuters/|ap photo)"
    r"|(photo|image|credit)s?\s*[:.]{1,3}|getty images|/ ?(ap|afp|reuters)\b|shutterstock",
    re.I,
)
_WORD = re.compile(r"\w+", re.U)


@lru_cache(maxsize=1)
def _weights() -> dict[str, Any]:
    path = Path(__file__).with_name("generic_weights.json")
    if not path.exists():
        return {}
    weights: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return weights


# --------------------------------------------------------------------------- language


@lru_cache(maxsize=1)
def _langid() -> Callable[[str], tuple[str, float]]:
    import py3langid

    classify: Callable[[str], tuple[str, float]] = py3langid.classify
    return classify


def _language_sample(texts: list[str], limit: int = 600) -> str:
    """Paragraph-like lines (the likely body) up to ``limit`` characters."""
    out: list[str] = []
    size = 0
    for t in texts:
        if len(t) >= 80 or (len(t) >= 30 and not t.isascii()):
            out.append(t)
            size += len(t)
            if size >= limit:
                break
    if not out:
        out = [t for t in texts if len(t) >= 20][:20]
    return " ".join(out)[:limit]


def detect_language(text: str) -> str:
    """BCP-47 primary tag of ``text``; "en" for very short text."""
    if len(text) < 20:
        return "en"
    try:
        lang = _langid()(text)[0]
    except Exception:
        return "en"
    return str(lang)


# --------------------------------------------------------------------------- line features

N_LOCAL = 22


_DIGIT = re.compile(r"\d")
_NONLETTER = re.compile(r"[\W\d_]")
_SENT_END = re.compile(r"[.!?。！？](?:\s|$)")


def _local_features(line: str, stops: frozenset[str], rel: float, dup: int) -> list[float]:
    """Shallow evidence for one non-blank line (position ``rel``, ``dup`` copies in page)."""
    return [*_static_features(line, stops), rel, math.log1p(dup - 1)]


@lru_cache(maxsize=1 << 16)
def _static_features(line: str, stops: frozenset[str]) -> tuple[float, ...]:
    """Page-independent line features; memoised because template lines recur across a site."""
    toks = line.split()
    nt = len(toks)
    if line.isascii():
        ncjk = 0
        hira = 0.0
    else:
        ncjk = len(_CJK.findall(line))
        hira = len(_HIRA.findall(line)) / len(line) if ncjk else 0.0
    words = nt + ncjk / 2.0
    nchar = len(line)
    low = line.lower().split()
    stop = sum(map(stops.__contains__, low)) / nt
    furn = nt <= 12 and not _FURN_WORDS.isdisjoint([t.strip(_PUNCT) for t in low])
    ncap = 0
    nalpha = 0
    for t in toks:
        c = t[0]
        if c.isalpha():
            nalpha += 1
            if c.isupper():
                ncap += 1
    title_case = ncap / nalpha if nalpha else 0.0
    digits = len(_DIGIT.findall(line)) / nchar
    letters = len(_NONLETTER.sub("", line)) / nchar
    commas = line.count(",") + line.count("、") + line.count("，")
    sent = len(_SENT_END.findall(line))
    ends = 1.0 if _END_SENT.search(line) else 0.0
    head = line[:100]
    lw = math.log1p(words)
    return (
        lw,
        lw * lw,
        1.0 if words >= 10 else 0.0,
        1.0 if words <= 3 else 0.0,
        ends,
        stop,
        stop * lw,
        title_case,
        title_case * (1.0 - ends),
        digits,
        letters,
        min(commas, 5) / 5.0,
        min(sent, 5) / 5.0,
        1.0 if furn else 0.0,
        1.0 if _NAV.match(head) else 0.0,
        1.0 if _SEP_CHARS.search(head) or " / " in head else 0.0,
        1.0 if ("@" in line or "http" in line or "www." in line) else 0.0,
        1.0 if ("©" in line or "opyright" in line or "(c)" in line) else 0.0,
        1.0 if line[:1].islower() else 0.0,
        hira,
    )


def _is_furn(line: str) -> bool:
    return not _FURN_WORDS.isdisjoint([t.strip(_PUNCT) for t in line.lower().split()[:12]])


def _dot(w: list[float], x: list[float], b: float) -> float:
    return b + float(sum(map(mul, w, x)))


def _sigmoid(z: float) -> float:
    if z < -30:
        return 0.0
    if z > 30:
        return 1.0
    return 1.0 / (1.0 + math.exp(-z))


@lru_cache(maxsize=1)
def _np() -> Any:
    import numpy

    return numpy


_COMMENTS = re.compile(
    r"^(\d+\s+)?(comments?|responses?|replies|reader comments|leave a (reply|comment)|"
    r"post a comment|add a comment|join the (discussion|conversation)|discussion|"
    r"comentários|comentarios|commenti|komentar|комментарии)\b|"
    r"\b\d+\s+(comments|responses|replies|komentar|commenti|comentários)\b|"
    r"\b(says|said|wrote|dice|disse|написал)\s*:$",
    re.I,
)


def _comment_flags(texts: list[str], p1: list[float]) -> list[float]:
    """1.0 for lines after a comment-section marker that follows the first good paragraph."""
    out = [0.0] * len(texts)
    started = False
    on = False
    for k, t in enumerate(texts):
        if on:
            out[k] = 1.0
            continue
        if not started:
            started = p1[k] >= 0.5
        elif len(t) <= 120 and _COMMENTS.search(t):
            on = True
            out[k] = 1.0
    return out


def _context_matrix(
    p1: list[float], blank_before: list[int], run: tuple[int, int], comments: list[float]
) -> Any:
    """Features from first-stage scores of neighbours, one row per non-blank line."""
    np = _np()
    p = np.asarray(p1, dtype=float)
    n = len(p)
    pad = np.concatenate([np.zeros(16), p, np.zeros(16)])
    cs = np.concatenate([[0.0], np.cumsum(pad)])
    k = np.arange(n) + 16

    def shifted(d: int) -> Any:
        return pad[k + d]

    def window(a: int, b: int) -> Any:
        lo = np.maximum(k + a, 16)
        hi = np.minimum(k + b, n + 16)
        cnt = np.maximum(hi - lo, 1)
        return (cs[np.maximum(hi, lo)] - cs[lo]) / cnt

    lo, hi = run
    pos = np.arange(n)
    inside = ((pos >= lo) & (pos < hi)).astype(float)
    dist = np.where(pos < lo, lo - pos, np.where(pos >= hi, pos - hi + 1, 0))
    prev1, next1 = shifted(-1), shifted(1)
    return np.column_stack(
        [
            prev1,
            shifted(-2),
            next1,
            shifted(2),
            window(-5, 0),
            window(1, 6),
            window(-15, 16),
            np.maximum(prev1, next1),
            inside,
            np.log1p(dist),
            np.asarray(blank_before, dtype=float),
            np.full(n, p.max() if n else 0.0),
            p * inside,
            np.full(n, p.mean() if n else 0.0),
            np.asarray(comments, dtype=float),
        ]
    )


def _best_run(p: list[float], thr: float = 0.5) -> tuple[int, int]:
    """Maximum-sum contiguous run of (p - thr); returns [lo, hi)."""
    best, best_lo, best_hi = -1e9, 0, 1
    cur, cur_lo = 0.0, 0
    for i, v in enumerate(p):
        if cur <= 0:
            cur, cur_lo = 0.0, i
        cur += v - thr
        if cur > best:
            best, best_lo, best_hi = cur, cur_lo, i + 1
    return best_lo, best_hi


def _score_lines(
    lines: list[str], line_frequency: Callable[[str], float] | None
) -> tuple[list[int], list[float], list[float], list[list[float]], str, list[float]]:
    """Non-blank indices, stage-1/stage-2 probabilities, local features, language, comment flags."""
    idx = [i for i, ln in enumerate(lines) if ln]
    texts = [lines[i] for i in idx]
    lang = detect_language(_language_sample(texts))
    stops = _STOP_SETS.get(lang, _STOP_ALL)
    counts: dict[str, int] = {}
    for t in texts:
        counts[t] = counts.get(t, 0) + 1
    n = len(idx)
    w = _weights()
    w1 = w.get("stage1", {"w": [0.0] * N_LOCAL, "b": 0.0})
    feats = [_local_features(t, stops, k / max(n - 1, 1), counts[t]) for k, t in enumerate(texts)]
    p1 = [_sigmoid(_dot(w1["w"], f, w1["b"])) for f in feats]
    if line_frequency is not None:
        for k, t in enumerate(texts):
            fr = line_frequency(t)
            if fr >= FURNITURE_FREQUENCY and (fr >= 0.05 or t.count(" ") < 40):
                p1[k] = 0.0
    blank_before = [1 if i > 0 and not lines[i - 1] else 0 for i in idx]
    run = _best_run(p1)
    comments = _comment_flags(texts, p1)
    w2 = w.get("stage2")
    if w2 is None:
        p2 = list(p1)
    else:
        np = _np()
        wl, wp, wc = w2["w"][:N_LOCAL], w2["w"][N_LOCAL], w2["w"][N_LOCAL + 1 :]
        z_local = np.array([_dot(wl, f, w2["b"]) for f in feats]) + wp * np.asarray(p1)
        ctx = _context_matrix(p1, blank_before, run, comments)
        z = z_local + ctx @ np.asarray(wc)
        p2 = (1.0 / (1.0 + np.exp(-np.clip(z, -30, 30)))).tolist()
        if line_frequency is not None:
            p2 = [0.0 if a == 0.0 else b for a, b in zip(p1, p2, strict=True)]
    return idx, p1, p2, feats, lang, comments


COMMENT_CUT_MIN_CHARS = 200
"""Drop body after a comment-section marker when the article part has this much body."""

FURNITURE_FREQUENCY = 0.005
"""Lines found in at least this fraction of a corpus's documents are furniture (lines of 40+
words need 0.05: long recurring paragraphs are more often syndicated text than templates)."""


# --------------------------------------------------------------------------- dates

_MONTHS: dict[str, int] = {}
for _num, _names in enumerate(
    [
        "jan january janv janvier januar januari enero ene gennaio gen janeiro янв января январь",
        "feb february fév févr février februar februari febrero febbraio fevereiro fev"
        " фев февраля февраль",
        "mar march mars märz maret marzo março мар марта март",
        "apr april avr avril abril aprile апр апреля апрель",
        "may mai mei mayo maggio mag maio мая май",
        "jun june juin juni junio giugno junho июн июня июнь",
        "jul july juil juillet juli julio luglio lug julho июл июля июль",
        "aug august août agustus agosto ago авг августа август",
        "sep sept september septembre settembre set septiembre setembro сен сент сентября сентябрь",
        "oct october octobre oktober okt oktober octubre ottobre ott outubro out окт октября"
        " октябрь",
        "nov november novembre noviembre novembro ноя нояб ноября ноябрь",
        "dec december décembre dezember desember des diciembre dic dicembre dezembro dez дек"
        " декабря декабрь",
    ],
    start=1,
):
    for _nm in _names.split():
        _MONTHS[_nm] = _num

_MON_RE = "|".join(sorted((re.escape(m) for m in _MONTHS), key=len, reverse=True))
_ORD = r"(?:st|nd|rd|th|er|º|°)?"
_YEAR = r"((?:19|20)\d\d)"


@lru_cache(maxsize=1)
def _date_patterns() -> list[tuple[re.Pattern[str], str]]:
    """Date regexes, compiled on first use (the month alternation is slow to compile)."""
    return [
        (
            re.compile(r"(?<!\d)((?:19|20)\d\d)-(\d\d)-(\d\d)(?:[T ](\d\d):(\d\d)(?::\d\d)?)?"),
            "ymd",
        ),
        (
            re.compile(
                r"(?<!\d)((?:19|20)\d\d)\s*[./년年]\s*(\d{1,2})\s*[./월月]\s*(\d{1,2})(?!\d)"
            ),
            "ymd",
        ),
        (re.compile(r"(?<![\d.])(\d{1,2})\.(\d{1,2})\.((?:19|20)\d\d)(?!\d)"), "dmy"),
        (re.compile(r"(?<![\d/])(\d{1,2})/(\d{1,2})/((?:19|20)\d\d|\d\d)(?![\d/])"), "slash"),
        (re.compile(r"(?<![\d-])(\d{1,2})-(\d{1,2})-((?:19|20)\d\d)(?!\d)"), "slash"),
        (
            re.compile(
                rf"(?<!\w)(\d{{1,2}}){_ORD}\.?\s*(?:de\s+)?({_MON_RE})\.?,?\s*(?:de\s+)?{_YEAR}(?!\d)",
                re.I,
            ),
            "dMy",
        ),
        (
            re.compile(
                rf"(?<!\w)({_MON_RE})\.?\s+(\d{{1,2}}){_ORD},?\s*{_YEAR}(?!\d(?!\d?:\d\d))", re.I
            ),
            "Mdy",
        ),
    ]


_TIME = re.compile(
    r"(?<![\d:.])([01]?\d|2[0-3])(?:[:.h]([0-5]\d))?(?::[0-5]\d)?\s*"
    r"(a\.?\s?m\.?|p\.?\s?m\.?)?(?![\d%])",
    re.I,
)
_UTC = re.compile(r"\b(GMT|UTC)\b(?![+-]\d)|\dZ\b")
_PUBWORDS = re.compile(
    r"\b(published|posted|updated|update|last updated|date|on|at|by|am|pm|et|est|edt|pt|pst|"
    r"gmt|utc|ist|cet|bst|publicado|pubblicato|diterbitkan|опубликовано|a\.m|p\.m)\b",
    re.I,
)
_UPDATED = re.compile(r"\b(updated|update|modified|actualizado|aggiornato|atualizado)\b", re.I)


def _valid(y: int, m: int, d: int) -> bool:
    if not (1990 <= y <= 2039 and 1 <= m <= 12 and 1 <= d <= 31):
        return False
    if m == 2:
        return d <= (29 if y % 4 == 0 else 28)
    return not (m in (4, 6, 9, 11) and d > 30)


def parse_date(line: str, *, month_first: bool = True) -> dict[str, Any] | None:
    """Parse a publication-date line into the ``published`` dict, or None."""
    found = _parse_date(line, month_first)
    if found is None:
        return None
    return {k: v for k, v in found.items() if not k.startswith("_")}


_QUICK_DATE = re.compile(r"(?:19|20)\d\d|\d[/.-]\d{1,2}[/.-]\d\d")


@lru_cache(maxsize=1 << 14)
def _parse_date(line: str, month_first: bool = True) -> dict[str, Any] | None:
    """Cached parser; the result (with a private ``_span``) must not be mutated."""
    if len(line) > 160 or not _QUICK_DATE.search(line):
        return None
    for pat, kind in _date_patterns():
        m = pat.search(line)
        if not m:
            continue
        g = m.groups()
        try:
            if kind == "ymd":
                y, mo, d = int(g[0]), int(g[1]), int(g[2])
            elif kind == "dmy":
                d, mo, y = int(g[0]), int(g[1]), int(g[2])
            elif kind == "slash":
                a, b, y = int(g[0]), int(g[1]), int(g[2])
                if y < 100:
                    y += 2000
                if a > 12:
                    d, mo = a, b
                elif b > 12 or month_first:
                    mo, d = a, b
                else:
                    d, mo = a, b
            elif kind == "dMy":
                d, mo, y = int(g[0]), _MONTHS[g[1].lower()], int(g[2])
            else:
                mo, d, y = _MONTHS[g[0].lower()], int(g[1]), int(g[2])
        except (KeyError, ValueError):
            continue
        if not _valid(y, mo, d):
            continue
        hh: int | None = None
        mm: int | None = None
        if kind == "ymd" and len(g) > 3 and g[3] is not None:
            hh, mm = int(g[3]), int(g[4])
        else:
            rest = line[: m.start()] + "  " + line[m.end() :]
            for tm in _TIME.finditer(rest):
                h, mi, ap = tm.group(1), tm.group(2), tm.group(3)
                if mi is None and ap is None:
                    continue
                hh = int(h)
                mm = int(mi) if mi is not None else None
                if ap:
                    if hh > 12:
                        hh, mm = None, None
                        continue
                    pm = ap.lower().startswith("p")
                    hh = hh % 12 + (12 if pm else 0)
                break
        time = None
        precision = "day"
        if hh is not None:
            if mm is None:
                time, precision = f"{hh:02d}:00", "hour"
            else:
                time, precision = f"{hh:02d}:{mm:02d}", "minute"
        tz = "UTC" if time is not None and _UTC.search(line) else None
        return {
            "raw": line,
            "date": f"{y:04d}-{mo:02d}-{d:02d}",
            "time": time,
            "precision": precision,
            "timezone": tz,
            "_span": m.end() - m.start(),
        }
    return None


def _date_residue(line: str, span: int) -> int:
    """Number of words on the line beyond the date and publication words."""
    rest = _PUBWORDS.sub(" ", line)
    words = [w for w in _WORD.findall(rest) if not w.isdigit()]
    return max(len(words) - max(span // 4, 1), 0)


# --------------------------------------------------------------------------- title

_TITLE_NAV = re.compile(
    r"^(skip to|jump to|continue reading|you are here|browse all|back to|chevron|arrow_|"
    r"follow (us|me|@|\w+ \w+ on)|check out my|zurück zur|voltar para|torna a|kembali ke)|"
    r"^(home|menu)\s*[|›»>/]",
    re.I,
)
_TITLE_BAD = re.compile(
    r"^(skip to|jump to|menu|main menu|home|search|close|sections?|navigation|log ?in|sign ?in|"
    r"subscribe|advertisement|share|toggle|open|latest news|topics|news|breaking news|"
    r"trending|more|related|back|continue reading|you are here|browse|follow|check out|"
    r"read more|read next|up next|see (all|more)|view (all|more)|overview|zurück|voltar|torna|"
    r"kembali|назад|chevron|arrow|icon|previous|next|the wall street journal)\b",
    re.I,
)
_ROLE = re.compile(
    r"\b(writer|editor|reporter|correspondent|columnist|contributor|staff|associated press|"
    r"press|usa today|news service|wire services|analysis by|posted by|written by)\b",
    re.I,
)


def _title_features(
    texts: list[str],
    k: int,
    first: int,
    p1: list[float],
    counts: dict[str, int],
    feats: list[list[float]],
    meta: list[bool],
    rank: int,
) -> list[float]:
    """Features of a title candidate ``k`` (``first`` = first body line of the main run)."""
    t = texts[k]
    static = _title_static(t)
    d = first - k
    n = len(texts)
    nxt = texts[k + 1] if k + 1 < n else ""
    below = any(meta[k + 1 : k + 5])
    prev = p1[max(0, k - 3) : k]
    return [
        math.log1p(abs(d)),
        1.0 if d <= 0 else 0.0,
        *static[:6],
        math.log1p(counts.get(t, 1) - 1),
        p1[k],
        1.0 if k + 1 < n and meta[k + 1] else 0.0,
        1.0 if nxt.count(" ") >= 11 else 0.0,
        *static[6:10],
        1.0 if below else 0.0,
        feats[k][5],
        feats[k][12],
        math.log1p(rank),
        sum(prev) / len(prev) if prev else 0.0,
        static[10],
    ]


@lru_cache(maxsize=1 << 14)
def _title_static(t: str) -> tuple[float, ...]:
    """Page-independent title-candidate features (memoised)."""
    toks = t.split()
    ncjk = len(_CJK.findall(t)) if not t.isascii() else 0
    words = len(toks) + ncjk / 2.0
    alpha = [w for w in toks if w[:1].isalpha()]
    tc = sum(1 for w in alpha if w[0].isupper()) / len(alpha) if alpha else 0.0
    return (
        math.log1p(words),
        1.0 if 4 <= words <= 20 else 0.0,
        1.0 if t.endswith(".") else 0.0,
        tc,
        1.0 if _is_furn(t) else 0.0,
        1.0 if _SEPS.search(t) else 0.0,
        1.0 if t.isupper() else 0.0,
        1.0 if t.endswith(("?", "!", "”", '"')) else 0.0,
        1.0 if _ROLE.search(t) else 0.0,
        1.0 if _CAPTION.search(t) else 0.0,
        1.0 if "," in t and words <= 8 else 0.0,
    )


def _meta_flags(texts: list[str], lo: int, hi: int) -> list[bool]:
    """Date-or-byline flags for lines in [lo, hi) (False elsewhere)."""
    out = [False] * len(texts)
    for k in range(max(lo, 0), min(hi, len(texts))):
        t = texts[k]
        if len(t) <= 120 and (_BYLINE.search(t) or _parse_date(t) is not None):
            out[k] = True
    return out


@lru_cache(maxsize=1 << 14)
def _title_ok(t: str) -> bool:
    toks = t.split()
    words = len(toks) + (len(_CJK.findall(t)) / 2.0 if not t.isascii() else 0.0)
    if words < 2 or words > 40 or len(t) > 300:
        return False
    if _TITLE_NAV.search(t) or (_TITLE_BAD.search(t) and words <= 4):
        return False
    if _URLISH.search(t) or _COPY.search(t) or _BYLINE.search(t):
        return False
    return not _parse_date(t) or words > 8


def _title_candidates(texts: list[str], first: int) -> list[int]:
    lo = max(0, first - TITLE_WINDOW)
    return [k for k in range(lo, min(len(texts), first + 3)) if _title_ok(texts[k])]


def _title_matrix(
    texts: list[str],
    first: int,
    p1: list[float],
    counts: dict[str, int],
    feats: list[list[float]],
) -> tuple[list[int], list[list[float]]]:
    """Candidate indices and their title features."""
    cands = _title_candidates(texts, first)
    if not cands:
        return [], []
    meta = _meta_flags(texts, cands[0], first + 8)
    rows = []
    for r, k in enumerate(cands):
        rank = sum(1 for c in cands[r + 1 :] if c < first)
        rows.append(_title_features(texts, k, first, p1, counts, feats, meta, rank))
    return cands, rows


def _pick_title(
    texts: list[str],
    first: int,
    p1: list[float],
    counts: dict[str, int],
    feats: list[list[float]],
) -> int | None:
    cands, rows = _title_matrix(texts, first, p1, counts, feats)
    wt = _weights().get("title")
    best, title_k = -1e18, None
    for k, x in zip(cands, rows, strict=True):
        s = _dot(wt["w"], x, wt["b"]) if wt else -x[0] - 2 * x[4] + x[3]
        if s > best:
            best, title_k = s, k
    return title_k


# --------------------------------------------------------------------------- main entry point

TITLE_WINDOW = 40
DATE_WINDOW_BEFORE = 12
DATE_WINDOW_AFTER = 25


def extract(
    lines: list[str], *, line_frequency: Callable[[str], float] | None = None
) -> Extraction:
    """Label every line of a normalised page copy and pick title, date, byline, language."""
    n_lines = len(lines)
    labels = ["blank"] * n_lines
    idx = [i for i, ln in enumerate(lines) if ln]
    if not idx:
        return Extraction(tuple(labels), None, None, None, None, "en")
    idx, p1, p2, feats, lang, comments = _score_lines(lines, line_frequency)
    texts = [lines[i] for i in idx]
    n = len(idx)
    body = [v >= 0.5 for v in p2]
    if 1.0 in comments:
        # a comment section after the article: keep it out if the article part has body
        cut = comments.index(1.0)
        if sum(len(texts[k]) for k in range(cut) if body[k]) >= COMMENT_CUT_MIN_CHARS:
            for k in range(cut, n):
                body[k] = False
    if not any(body):
        lo, hi = _best_run(p2, thr=max(p2) * 0.6)
        for k in range(lo, hi):
            body[k] = True
        if not any(body):
            body[max(range(n), key=lambda k: p2[k])] = True
    # main run = best contiguous run of body votes; used to anchor title/date
    run_lo, _run_hi = _best_run([1.0 if b else 0.0 for b in body], thr=0.3)
    first = next((k for k in range(run_lo, n) if body[k]), run_lo)

    counts: dict[str, int] = {}
    for t in texts:
        counts[t] = counts.get(t, 0) + 1

    # ---- title
    title_k = _pick_title(texts, first, p1, counts, feats)
    if title_k is not None and body[title_k]:
        body[title_k] = False

    # ---- date
    month_first = lang == "en"
    anchor = title_k if title_k is not None else first
    date_k: int | None = None
    published: dict[str, Any] | None = None
    best_s = -1e18
    lo = max(0, min(anchor, first) - DATE_WINDOW_BEFORE)
    hi = min(n, max(anchor, first) + DATE_WINDOW_AFTER)
    for k in range(lo, hi):
        t = texts[k]
        if k == title_k or len(t) > 160 or (body[k] and (k > first or len(t.split()) > 12)):
            continue
        pd = _parse_date(t, month_first)
        if pd is None:
            continue
        resid = _date_residue(t, pd["_span"])
        if resid > 8:
            continue
        dist = abs(k - anchor)
        s = -0.15 * dist - 0.3 * resid + (0.5 if k > anchor else 0.0)
        s -= 1.0 if k > first else 0.0
        s -= 1.0 if _UPDATED.search(t) else 0.0
        s += 0.3 if pd["time"] else 0.0
        if s > best_s:
            best_s, date_k, published = s, k, pd
    if published is not None:
        published = {k: v for k, v in published.items() if not k.startswith("_")}

    # ---- byline
    byline_k: int | None = None
    for k in range(max(0, anchor - 3), min(n, anchor + 12)):
        t = texts[k]
        if k in (date_k, title_k) or len(t.split()) > 14:
            continue
        if _BYLINE.search(t) and not body[k]:
            byline_k = k
            break

    # ---- never refuse: keep at least one body line
    special = {title_k, date_k, byline_k}
    if not any(body[k] for k in range(n) if k not in special):
        rest = [k for k in range(n) if k not in special]
        if rest:
            body[max(rest, key=lambda k: p2[k])] = True
        else:  # one- or two-line page: its text is the body, not a title/date/byline
            title_k = date_k = byline_k = None
            published = None
            body = [True] * n

    # ---- labels
    cum = [0]
    for b in body:
        cum.append(cum[-1] + b)
    for k, i in enumerate(idx):
        t = texts[k]
        if k == title_k:
            lab = "title"
        elif k == date_k:
            lab = "date"
        elif k == byline_k:
            lab = "byline"
        elif body[k]:
            lab = "body"
        else:
            lab = "furniture"
            near_prev = cum[k] > cum[max(0, k - 3)]
            near_next = cum[min(n, k + 4)] > cum[k + 1]
            if near_prev or near_next:
                if _CAPTION.search(t):
                    lab = "caption"
                elif (
                    near_prev
                    and near_next
                    and len(t.split()) <= 15
                    and not t.endswith(".")
                    and not _is_furn(t)
                    and p1[k] > 0.05
                ):
                    lab = "subheading"
        labels[i] = lab
    body_texts = [texts[k] for k in range(n) if body[k]]
    language = lang if sum(map(len, body_texts)) >= 20 else "en"
    return Extraction(
        labels=tuple(labels),
        title=idx[title_k] if title_k is not None else None,
        date=idx[date_k] if date_k is not None else None,
        published=published,
        byline=idx[byline_k] if byline_k is not None else None,
        language=language,
    )
