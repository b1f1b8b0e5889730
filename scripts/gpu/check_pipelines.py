#!/usr/bin/env python3
"""Compares modernbert's pair classification and token classification with transformers' pipelines (GPU machine).

Usage: check_pipelines.py --modernbert ./modernbert --classifier DIR --token-classifier DIR --work DIR
Each DIR is a ModernBERT checkpoint folder (e.g. one the tests write). The script writes a small corpus of pairs and
texts, runs `modernbert classify --pairs` and `modernbert run --task token-classify`, and compares every row with
transformers' text-classification pipeline (given {"text", "text_pair"}, top_k=None) and token-classification
pipeline (each aggregation strategy). Exits 1 on a difference. Has not run yet: no GPU was lent when it was written.
"""
import argparse, json, subprocess, sys
from pathlib import Path

import duckdb
from transformers import pipeline

PAIRS = [
    ("What is the capital of France?", "Paris is the capital and largest city of France."),
    ("Who wrote Hamlet?", "Hamlet is a tragedy written by William Shakespeare around 1600."),
    ("Is it raining?", "The weather in Lyon is sunny with a light wind."),
]
TEXTS = ["Jean Dupont works at Microsoft in Paris.", "Angela Merkel met Emmanuel Macron in Berlin on Monday."]
TOLERANCE = 2e-3


def run(cmd):
    print("+", " ".join(cmd), flush=True)
    subprocess.run(cmd, check=True)


def check_pairs(args, work):
    corpus = work / "pairs.jsonl"
    corpus.write_text("".join(json.dumps({"id": f"p{i}", "text": a, "text_pair": b}) + "\n" for i, (a, b) in enumerate(PAIRS)))
    out = work / "pairs.parquet"
    run([args.modernbert, "classify", "--model", args.classifier, "--input", str(corpus), "--output", str(out), "--pairs", "--dtype", "fp32"])
    rows = {r[0]: r for r in duckdb.sql(f"SELECT id, label, score, scores FROM '{out}'").fetchall()}
    classifier = pipeline("text-classification", model=args.classifier, device=0, torch_dtype="float32")
    failures = 0
    for i, (a, b) in enumerate(PAIRS):
        expected = {r["label"]: r["score"] for r in classifier({"text": a, "text_pair": b}, top_k=None)}
        _, label, score, scores = rows[f"p{i}"]
        labels = list(classifier.model.config.id2label.values())
        for name, value in zip(labels, scores):
            if abs(expected[name] - value) > TOLERANCE:
                print(f"pair {i} label {name}: ours {value}, transformers {expected[name]}")
                failures += 1
    return failures


def check_tokens(args, work):
    corpus = work / "texts.jsonl"
    corpus.write_text("".join(json.dumps({"id": f"t{i}", "text": t}) + "\n" for i, t in enumerate(TEXTS)))
    tagger = None
    failures = 0
    for strategy in ["none", "simple", "first", "average", "max"]:
        out = work / f"entities-{strategy}"
        run([args.modernbert, "run", "--task", "token-classify", "--model", args.token_classifier, "--input", str(corpus),
             "--output", str(out), "--aggregation", strategy])
        rows = {r[0]: r[1] for r in duckdb.sql(f"SELECT id, entities FROM '{out}/**/*.parquet'").fetchall()}
        tagger = tagger or pipeline("token-classification", model=args.token_classifier, device=0, torch_dtype="float32")
        for i, text in enumerate(TEXTS):
            expected = tagger(text, aggregation_strategy=strategy)
            ours = rows[f"t{i}"]
            key = "entity" if strategy == "none" else "entity_group"
            want = [(e[key], e["start"], e["end"], float(e["score"])) for e in expected]
            got = [(e["label"], e["start"], e["end"], e["score"]) for e in ours]
            same = len(want) == len(got) and all(w[:3] == g[:3] and abs(w[3] - g[3]) <= TOLERANCE for w, g in zip(want, got))
            if not same:
                print(f"{strategy} text {i}: ours {got}\n  transformers {want}")
                failures += 1
    return failures


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--modernbert", default="./modernbert")
    parser.add_argument("--classifier", required=True)
    parser.add_argument("--token-classifier", required=True)
    parser.add_argument("--work", required=True)
    args = parser.parse_args()
    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    failures = check_pairs(args, work) + check_tokens(args, work)
    print("OK" if failures == 0 else f"{failures} differences")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
