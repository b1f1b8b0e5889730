#!/usr/bin/env python3
"""Compares modernbert's pair classification and token classification with transformers' pipelines (GPU machine).

  python3 scripts/gpu/check_pipelines.py --modernbert PATH/modernbert --fixtures ../shared/fixtures

Checkpoints, made here from the fixtures unless given (--classifier, --reranker, --token-classifier):
- the NLI-like classifier: fixtures/tiny-modernbert-cls (3 labels, mean pooling, bf16 weights), on text pairs;
- a reranker: tiny-modernbert-mlm's encoder under a single-logit ModernBertForSequenceClassification head;
- a token classifier: the same encoder under ModernBertForTokenClassification with BIO labels.
The heads get weights of standard deviation 1 so that scores spread and labels are not near ties (transformers
initializes them at 0.02, which makes every softmax nearly uniform and a comparison of argmaxes meaningless).
modernbert runs them in fp32 on CUDA (`classify --pairs`, `run --task token-classify` with each aggregation strategy)
and every row is compared with transformers' text-classification pipeline (given {"text", "text_pair"}, top_k=None)
and token-classification pipeline (aggregation_strategy): scores within 2e-3, labels and character spans equal.
Prints one JSON line per check on stdout (modernbert's own output goes to stderr); exits 1 on a difference.
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import traceback

import pyarrow.parquet as pq
import torch
from transformers import pipeline

PAIRS = [
    ("What is the capital of France?", "Paris is the capital and largest city of France."),
    ("Who wrote Hamlet?", "Hamlet is a tragedy written by William Shakespeare around 1600."),
    ("Is it raining?", "The weather in Lyon is sunny with a light wind."),
    ("", "A pair whose first text is empty."),
    ("Naïve café owners in Zürich", "日本語のテキストと English mixed, with emoji 🙂 and tabs\tinside."),
]
TEXTS = ["Jean Dupont works at Microsoft in Paris.", "Angela Merkel met Emmanuel Macron in Berlin on Monday.",
         "  Leading spaces, naïve accents, 東京 and a very-long-hyphenated-word-that-splits.", "",
         "Tokyo🗼 met 𝐀𝐁 in Paris 🇫🇷 on Monday."]
BIO = ["O", "B-PER", "I-PER", "B-ORG", "I-ORG", "B-LOC", "I-LOC"]
STRATEGIES = ["none", "simple", "first", "average", "max"]
TOLERANCE = 2e-3
# A failing job fails the check at once instead of after the worker's retries with back-off.
RUN_OPTIONS = ["--set", "Worker:Devices=cuda:0", "--set", "Worker:Dtype=fp32", "--set", "Worker:RetryAttempts=0"]


def modernbert_run(command):
    subprocess.run(command, check=True, stdout=sys.stderr)


def report(check, differences):
    print(json.dumps({"check": check, "passed": not differences, "differences": differences[:20]}), flush=True)
    return not differences


def save_with_head(model_class, mlm, target, seed, **config):
    """tiny-modernbert-mlm's encoder under a new head of standard deviation 1, saved in fp32 with the tokenizer."""
    model = model_class.from_pretrained(mlm, dtype=torch.float32, **config)
    generator = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, parameter in model.named_parameters():
            if name.startswith(("head.dense", "classifier")):
                parameter.copy_(torch.randn(parameter.shape, generator=generator))
    model.save_pretrained(target)
    for name in ("tokenizer.json", "tokenizer_config.json"):
        shutil.copy(os.path.join(mlm, name), target)
    return target


def parquet_rows(path):
    """Rows by id of a Parquet file, or of every file a run's manifest lists."""
    manifest = os.path.join(path, "_manifest.json")
    files = [os.path.join(path, f["path"]) for f in json.load(open(manifest))["files"]] if os.path.isdir(path) else [path]
    return [row for file in files for row in pq.read_table(file).to_pylist()]


def check_pairs(modernbert, model_dir, name, work):
    corpus = os.path.join(work, f"pairs-{name}.jsonl")
    with open(corpus, "w") as f:
        for i, (a, b) in enumerate(PAIRS):
            f.write(json.dumps({"id": f"p{i}", "text": a, "text_pair": b}) + "\n")
    out = os.path.join(work, f"pairs-{name}.parquet")
    modernbert_run([modernbert, "classify", "--model", model_dir, "--input", corpus, "--output", out, "--pairs",
                    "--dtype", "fp32", "--device", "cuda"])
    rows = {row["id"]: row for row in parquet_rows(out)}
    classifier = pipeline("text-classification", model=model_dir, device=0, dtype=torch.float32)
    labels = [classifier.model.config.id2label[i] for i in range(classifier.model.config.num_labels)]
    differences = []
    for i, (a, b) in enumerate(PAIRS):
        expected = {r["label"]: r["score"] for r in classifier({"text": a, "text_pair": b}, top_k=None)}
        row = rows[f"p{i}"]
        for label, value in zip(labels, row["scores"]):
            if abs(expected[label] - value) > TOLERANCE:
                differences.append(f"pair {i} label {label}: ours {value}, transformers {expected[label]}")
        top = max(expected, key=expected.get)
        if len(labels) > 1 and row["label"] != top:
            differences.append(f"pair {i}: top label ours {row['label']}, transformers {top}")
    return report(f"text-classification pipeline with pairs, {name} ({len(labels)} labels), fp32", differences)


def check_tokens(modernbert, model_dir, work):
    corpus = os.path.join(work, "texts.jsonl")
    with open(corpus, "w") as f:
        for i, text in enumerate(TEXTS):
            f.write(json.dumps({"id": f"t{i}", "text": text}) + "\n")
    tagger = pipeline("token-classification", model=model_dir, device=0, dtype=torch.float32)
    passed = True
    for strategy in STRATEGIES:
        out = os.path.join(work, f"entities-{strategy}")
        modernbert_run([modernbert, "run", "--task", "token-classify", "--model", model_dir, "--input", corpus,
                        "--output", out, "--aggregation", strategy] + RUN_OPTIONS)
        rows = {row["id"]: row["entities"] for row in parquet_rows(out)}
        key = "entity" if strategy == "none" else "entity_group"
        differences = []
        for i, text in enumerate(TEXTS):
            want = [(e[key], e["start"], e["end"], float(e["score"])) for e in tagger(text, aggregation_strategy=strategy)]
            got = [(e["label"], e["start"], e["end"], e["score"]) for e in rows[f"t{i}"]]
            same = len(want) == len(got) and all(w[:3] == g[:3] and abs(w[3] - g[3]) <= TOLERANCE for w, g in zip(want, got))
            if not same:
                differences.append(f"text {i}: ours {got}; transformers {want}")
        passed &= report(f"token-classification pipeline, aggregation {strategy}, fp32", differences)
    return passed


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--modernbert", required=True, help="the modernbert executable")
    parser.add_argument("--fixtures", required=True, help="the fixtures folder (../shared/fixtures)")
    parser.add_argument("--classifier", help="a sequence classifier of several labels (default: fixtures/tiny-modernbert-cls)")
    parser.add_argument("--reranker", help="a single-logit sequence classifier (default: made here)")
    parser.add_argument("--token-classifier", help="a token classifier (default: made here)")
    args = parser.parse_args()
    modernbert, fixtures = os.path.abspath(args.modernbert), os.path.abspath(args.fixtures)
    from transformers import ModernBertForSequenceClassification, ModernBertForTokenClassification
    mlm = os.path.join(fixtures, "tiny-modernbert-mlm")
    passed = True
    with tempfile.TemporaryDirectory() as work:
        checks = [
            ("pairs, classifier", lambda: check_pairs(modernbert, args.classifier or os.path.join(fixtures, "tiny-modernbert-cls"),
                                                     "classifier", work)),
            ("pairs, reranker", lambda: check_pairs(modernbert, args.reranker or save_with_head(
                ModernBertForSequenceClassification, mlm, os.path.join(work, "reranker"), 21, num_labels=1), "reranker", work)),
            ("token classification", lambda: check_tokens(modernbert, args.token_classifier or save_with_head(
                ModernBertForTokenClassification, mlm, os.path.join(work, "tagger"), 22, num_labels=len(BIO),
                id2label=dict(enumerate(BIO)), label2id={label: i for i, label in enumerate(BIO)}), work)),
        ]
        for name, check in checks:
            # A failing check does not stop the others.
            try:
                passed &= check()
            except Exception as error:
                traceback.print_exc()
                print(json.dumps({"check": name, "error": repr(error), "passed": False}), flush=True)
                passed = False
    sys.exit(0 if passed else 1)


if __name__ == "__main__":
    main()
