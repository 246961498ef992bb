"""Train the extractor's logistic weights on the dev set; writes weights.json.

Usage: python train.py PAGES_DIR GOLD.jsonl [--out weights.json] [--fold K/2]
Stage 1: local line features. Stage 2: local + neighbour stage-1 scores (cross-fitted).
Title: pointwise ranker over the candidate window. Deterministic (fixed full-batch GD).
"""

from __future__ import annotations

import argparse
import json
import zlib
from pathlib import Path
from typing import Any

import devdata
import numpy as np

from corpus_tools.convert import generic as g


def site_fold(rec: dict[str, Any]) -> int:
    """Deterministic 2-fold split by site (pages of one site stay together)."""
    return zlib.crc32(rec["site"].encode()) % 2


def fit_lr(x: np.ndarray, y: np.ndarray, l2: float = 1.0, iters: int = 600) -> dict[str, Any]:
    """L2 logistic regression by full-batch Newton steps; returns raw-space weights."""
    mu = x.mean(0)
    sd = x.std(0) + 1e-6
    z = np.hstack([(x - mu) / sd, np.ones((len(x), 1))])
    w = np.zeros(z.shape[1])
    reg = np.full(z.shape[1], l2)
    reg[-1] = 0.0
    for _ in range(min(iters, 50)):
        p = 1.0 / (1.0 + np.exp(-np.clip(z @ w, -30, 30)))
        grad = z.T @ (p - y) + reg * w
        h = (z * (p * (1 - p))[:, None]).T @ z + np.diag(reg + 1e-9)
        step = np.linalg.solve(h, grad)
        w -= step
        if np.abs(step).max() < 1e-7:
            break
    wr = w[:-1] / sd
    b = w[-1] - float((w[:-1] * mu / sd).sum())
    return {"w": [round(float(v), 6) for v in wr], "b": round(float(b), 6)}


def page_data(rec: dict[str, Any]) -> dict[str, Any]:
    lines = g.normalise(rec["text"])
    y_all = devdata.gold_line_labels(lines, rec["body"])
    idx = [i for i, ln in enumerate(lines) if ln]
    texts = [lines[i] for i in idx]
    lang = g.detect_language(g._language_sample(texts))
    stops = g._STOP_SETS.get(lang, g._STOP_ALL)
    counts: dict[str, int] = {}
    for t in texts:
        counts[t] = counts.get(t, 0) + 1
    n = len(idx)
    feats = [g._local_features(t, stops, k / max(n - 1, 1), counts[t]) for k, t in enumerate(texts)]
    blank_before = [1 if i > 0 and not lines[i - 1] else 0 for i in idx]
    return {
        "lines": lines,
        "idx": idx,
        "texts": texts,
        "feats": np.array(feats),
        "y": np.array([y_all[i] for i in idx], dtype=float),
        "bb": blank_before,
        "counts": counts,
        "title": " ".join(rec["title"].split()),
    }


def stage1_probs(pd: dict[str, Any], w1: dict[str, Any]) -> list[float]:
    z = pd["feats"] @ np.array(w1["w"]) + w1["b"]
    return list(1.0 / (1.0 + np.exp(-np.clip(z, -30, 30))))


def stage2_x(pd: dict[str, Any], p1: list[float]) -> np.ndarray:
    run = g._best_run(p1)
    ctx = g._context_matrix(p1, pd["bb"], run, g._comment_flags(pd["texts"], p1))
    return np.hstack([pd["feats"], np.asarray(p1)[:, None], ctx])


def train(recs: list[dict[str, Any]]) -> dict[str, Any]:
    data = [page_data(r) for r in recs]
    x1 = np.vstack([d["feats"] for d in data])
    y1 = np.concatenate([d["y"] for d in data])
    w1 = fit_lr(x1, y1)
    # cross-fitted stage-1 scores for stage-2 training
    folds = 4
    p1s: list[list[float]] = [None] * len(data)  # type: ignore[list-item]
    for f in range(folds):
        tr = [d for i, d in enumerate(data) if i % folds != f]
        wf = fit_lr(np.vstack([d["feats"] for d in tr]), np.concatenate([d["y"] for d in tr]))
        for i, d in enumerate(data):
            if i % folds == f:
                p1s[i] = stage1_probs(d, wf)
    x2 = np.vstack([stage2_x(d, p) for d, p in zip(data, p1s, strict=True)])
    w2 = fit_lr(x2, y1)
    # title ranker: candidates from the runtime procedure with stage-2 body
    tx, ty = [], []
    for d, p1 in zip(data, p1s, strict=True):
        xs = stage2_x(d, p1)
        z = xs @ np.array(w2["w"]) + w2["b"]
        body = [v >= 0 for v in z]
        if not any(body):
            continue
        run_lo, _ = g._best_run([1.0 if b else 0.0 for b in body], thr=0.3)
        first = next((k for k in range(run_lo, len(body)) if body[k]), run_lo)
        texts = d["texts"]
        cands, rows = g._title_matrix(texts, first, p1, d["counts"], d["feats"].tolist())
        for k, x in zip(cands, rows, strict=True):
            tx.append(x)
            ty.append(1.0 if texts[k] == d["title"] else 0.0)
    wt = fit_lr(np.array(tx), np.array(ty), l2=3.0)
    return {"stage1": w1, "stage2": w2, "title": wt}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("pages")
    ap.add_argument("gold")
    ap.add_argument("--out", default=str(Path(g.__file__).with_name("generic_weights.json")))
    ap.add_argument("--fold", type=int, default=None, help="train only on pages of this fold")
    a = ap.parse_args()
    recs = devdata.load(a.pages, a.gold)
    if a.fold is not None:
        recs = [r for r in recs if site_fold(r) == a.fold]
    w = train(recs)
    with open(a.out, "w", encoding="utf-8") as fh:
        json.dump(w, fh, indent=0)
    print(f"trained on {len(recs)} pages -> {a.out}")


if __name__ == "__main__":
    main()
