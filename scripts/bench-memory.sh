#!/usr/bin/env bash
# Memory benchmark (not a test): peak resident memory of an embedded `modernbert run` on the CPU with the tiny fixture
# model, for a short corpus (documents under 2,000 words) and a mixed one (the same plus 20 documents of 20k-60k words,
# many 8192-token windows), each at 1x and, with --10x, ten times the size. Prints one line per corpus.
set -euo pipefail
cd "$(dirname "$0")/.."
fixtures="${MODERNBERT_FIXTURES:-../shared/fixtures}"
scale=(1); [ "${1:-}" = "--10x" ] && scale=(1 10)
work="$(mktemp -d)"; trap 'rm -rf "$work"' EXIT
for mult in "${scale[@]}"; do
    /usr/bin/python3 - "$work" "$mult" <<'PY'
import json, random, sys
work, mult = sys.argv[1], int(sys.argv[2]); random.seed(1)
words = "the of and to in a is that for it as was with be by on not he this are or his from at which".split()
syll = ["ka", "ro", "mi", "ten", "vel", "sor", "qu", "ix", "pra", "lun", "dor", "ez"]
def text(n): return " ".join("".join(random.choice(syll) for _ in range(random.randint(2, 4))) if random.random() < 0.3 else random.choice(words) for _ in range(n))
with open(f"{work}/short-{mult}x.jsonl", "w") as short, open(f"{work}/mixed-{mult}x.jsonl", "w") as mixed:
    for k in range(380 * mult):
        line = json.dumps({"id": str(k), "text": text(random.randint(50, 2000) if k % 19 else random.randint(20000, 60000))}) + "\n"
        mixed.write(line)
        if k % 19: short.write(line)
PY
    for corpus in short mixed; do
        file="$work/$corpus-${mult}x.jsonl"
        /usr/bin/time -f "%M" -o "$work/rss" ./modernbert run --input "$file" --model "$fixtures/tiny-modernbert-mlm" \
            --output "$work/out-$corpus-$mult" --set "Runs:Location=$work/runs" > "$work/log" 2>&1 || { cat "$work/log" >&2; exit 1; }
        echo "{\"corpus\":\"$corpus\",\"scale\":$mult,\"bytes\":$(stat -c %s "$file"),\"peak_rss_mb\":$(( $(cat "$work/rss") / 1024 )),\"load\":\"$(cut -d' ' -f1 /proc/loadavg)\"}"
    done
done
