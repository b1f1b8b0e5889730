#!/usr/bin/env bash
# Packs what scripts/gpu/benchmark.sh needs on a device machine into .gpu/ (ignored by git), within the 64 MiB that a
# call carries beside the working tree: the CLI published self-contained without libtorch (the machine's PyTorch
# provides it), xz-compressed, and the fixtures and tools it reads.
#   scripts/gpu/pack.sh [SHARED]     SHARED: the folder holding fixtures/ and tools/ (default ../shared)
set -euo pipefail
cd "$(dirname "$0")/../.."
shared=${1:-../shared}
rm -rf .gpu app && mkdir -p .gpu
dotnet publish src/Coordinator -c Release -r linux-x64 --self-contained -p:TorchSharpBackend=none -o app >/dev/null
tar cJf .gpu/app.txz app
tar cJf .gpu/fixtures.txz -C "$shared" fixtures/reference fixtures/tiny-modernbert-mlm fixtures/tiny-modernbert-cls fixtures/tokenizer tools
rm -rf app
tree=$(git ls-files -z | du -cb --files0-from=- | tail -1 | cut -f1)
packed=$(du -cb .gpu/* | tail -1 | cut -f1)
echo "working tree $((tree / 1048576)) MiB + .gpu $((packed / 1048576)) MiB = $(((tree + packed) / 1048576)) MiB of 64"
[ $((tree + packed)) -le $((64 * 1048576)) ] || { echo "over the 64 MiB a call carries" >&2; exit 1; }
