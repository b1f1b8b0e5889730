#!/usr/bin/env bash
# Measures modernbert beside Hugging Face transformers on one CUDA machine, as the README's performance section reports.
#   scripts/gpu/benchmark.sh MODERNBERT HF_REFERENCE_BENCH FIXTURES OUT_DIR [PART]
# MODERNBERT: the published modernbert executable (see README, "GPU with the host's PyTorch" for LD_LIBRARY_PATH);
# HF_REFERENCE_BENCH: ../shared/tools/hf_reference_bench.py; FIXTURES: ../shared/fixtures. Every step's JSON lines
# go to OUT_DIR/results.jsonl (each tagged with its step) and its diagnostics to OUT_DIR/errors.log; each step is
# bounded in time, so one failing step does not hide the others. PART runs one share of the steps, for machines that
# bound a command's time: models (native kernels and modernbert's forward pass, with each kernel choice), reference (transformers), checks
# (numerics, largest batch) or pipeline (end to end, with each kernel and transfer mode); all by default.
set -uo pipefail
modernbert=$1 hf_bench=$2 fixtures=$3 out=$4 part=${5:-all}
case "$part" in all|models|reference|checks|pipeline) ;; *) echo "PART must be all, models, reference, checks or pipeline, not '$part'" >&2; exit 2 ;; esac
mkdir -p "$out"
step() {
  local name=$1 seconds=$2; shift 2
  echo "== $name" | tee -a "$out/errors.log" >&2
  timeout "$seconds" "$@" 2>>"$out/errors.log" | grep '^{' | sed "s/^{/{\"step\":\"$name\",/" | tee -a "$out/results.jsonl"
}

nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader | tee "$out/errors.log"
python3 -c 'import torch, transformers; print("torch", torch.__version__, "transformers", transformers.__version__)' | tee -a "$out/errors.log"
runs() { [ "$part" = all ] || [ "$part" = "$1" ]; }

if runs models; then
step kernels 120 python3 "$(dirname "$0")/bench_kernels.py"
# The defaults (cuDNN for batches of one length, native kernels), FlashAttention-2 alone, and the kernels of before.
step model-base 240 "$modernbert" bench model --size base --dataset all --dtype bf16 --device cuda
step model-large 300 "$modernbert" bench model --size large --dataset all --dtype bf16 --device cuda
step model-base-flash 240 "$modernbert" bench model --size base --dataset all --dtype bf16 --device cuda --attention flash
step model-large-flash 300 "$modernbert" bench model --size large --dataset all --dtype bf16 --device cuda --attention flash
step model-base-torch 240 "$modernbert" bench model --size base --dataset all --dtype bf16 --device cuda --attention flash --elementwise torch
step model-large-torch 300 "$modernbert" bench model --size large --dataset all --dtype bf16 --device cuda --attention flash --elementwise torch
fi
if runs reference; then
for size in base large; do
  step "hf-$size" 240 python3 "$hf_bench" --size "$size"
  step "hf-$size-sorted" 240 python3 "$hf_bench" --size "$size" --sorted
done
fi
if runs checks; then
step numerics 300 python3 "$(dirname "$0")/check_numerics.py" --modernbert "$modernbert" --fixtures "$fixtures"
step max-batch-base 120 "$modernbert" bench model --size base --dataset short_var --sequences 256 --dtype bf16 --device cuda --max-batch
fi
if runs pipeline; then
step pipeline 300 "$modernbert" bench pipeline --size base --dataset short_var --documents 8192 --tokenizer "$fixtures/tokenizer" --device cuda
step pipeline-torch 300 "$modernbert" bench pipeline --size base --dataset short_var --documents 8192 --tokenizer "$fixtures/tokenizer" --device cuda --elementwise torch
step pipeline-synchronous 300 "$modernbert" bench pipeline --size base --dataset short_var --documents 8192 --tokenizer "$fixtures/tokenizer" --device cuda --transfers synchronous
step pipeline-long 300 "$modernbert" bench pipeline --size base --dataset long_var --documents 256 --tokenizer "$fixtures/tokenizer" --device cuda
fi
