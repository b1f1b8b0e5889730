#!/usr/bin/env bash
# Measures modernbert beside Hugging Face transformers on one CUDA machine, as the README's performance section reports.
#   scripts/gpu/benchmark.sh MODERNBERT HF_REFERENCE_BENCH FIXTURES OUT_DIR [PART]
# MODERNBERT: the published modernbert executable (see README, "GPU with the host's PyTorch" for LD_LIBRARY_PATH);
# HF_REFERENCE_BENCH: ../shared/tools/hf_reference_bench.py; FIXTURES: ../shared/fixtures. Every step's JSON lines
# go to OUT_DIR/results.jsonl (each tagged with its step), its whole stdout (logs included) to OUT_DIR/stdout.log and
# its stderr, exit status and time-outs to OUT_DIR/errors.log; each step is bounded in time, so one failing step does
# not hide the others. PART runs one share of the steps, for machines that
# bound a command's time: models (native kernels and modernbert's forward pass, with each kernel choice), reference
# (transformers), checks (numerics, transformers' pipelines, largest batch), pipeline (end to end, with each kernel and
# transfer mode) or fp8 (--dtype fp8's quality and speed, and the FP8 GEMMs alone); all by default. PART targets is the
# one-call run for a machine lent for minutes: the correctness checks first (check_numerics.py, check_pipelines.py),
# then fp8's quality, the sparse and multivector heads against the bare forward, the defaults of base beside
# transformers and in fp8, the same for large, the pipeline against the bare forward, the FP8 GEMMs and the elementwise
# kernels, in that order, within BENCH_BUDGET_S seconds (default 540) in all: a step the budget no longer
# covers is cut short or skipped, and errors.log says so. For a device lent with a 64 MiB transfer, scripts/gpu/pack.sh
# publishes the CLI and packs it with the fixtures into .gpu/ (ignored by git); carry .gpu and, in one call:
#   tar xJf .gpu/app.txz && tar xJf .gpu/fixtures.txz -C .gpu &&
#     export LD_LIBRARY_PATH=$(python3 -c 'import torch, os; print(os.path.dirname(torch.__file__))')/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH} &&
#     scripts/gpu/benchmark.sh app/modernbert .gpu/tools/hf_reference_bench.py .gpu/fixtures $OUT targets
set -uo pipefail
modernbert=$1 hf_bench=$2 fixtures=$3 out=$4 part=${5:-all}
case "$part" in all|models|reference|checks|pipeline|fp8|targets) ;; *) echo "PART must be all, models, reference, checks, pipeline, fp8 or targets, not '$part'" >&2; exit 2 ;; esac
mkdir -p "$out"
deadline=$(( $(date +%s) + ${BENCH_BUDGET_S:-540} ))
step() {
  local name=$1 seconds=$2; shift 2
  if [ "$part" = targets ]; then
    local left=$(( deadline - $(date +%s) ))
    if [ "$left" -lt 15 ]; then echo "== $name skipped: the time budget is spent" | tee -a "$out/errors.log" >&2; return; fi
    [ "$left" -lt "$seconds" ] && seconds=$left
  fi
  echo "== $name ($(date -u +%T), at most ${seconds}s)" | tee -a "$out/errors.log" "$out/stdout.log" >&2
  # -k: a hosted modernbert may take its shutdown grace period after the TERM; line-buffered, so that a step cut short
  # by the machine's own limit keeps the lines it printed.
  timeout -k 15 "$seconds" "$@" 2>>"$out/errors.log" | tee -a "$out/stdout.log" \
    | grep --line-buffered '^{' | sed -u "s/^{/{\"step\":\"$name\",/" | tee -a "$out/results.jsonl"
  local status=${PIPESTATUS[0]}
  if [ "$status" -ne 0 ]; then
    echo "== $name exited $status$([ "$status" -eq 124 ] && echo ' (timed out)')" | tee -a "$out/errors.log" >&2
  fi
}
checks_steps() {
  local numerics=$1 pipelines=$2
  step numerics "$numerics" python3 "$(dirname "$0")/check_numerics.py" --modernbert "$modernbert" --fixtures "$fixtures"
  step pipelines "$pipelines" python3 "$(dirname "$0")/check_pipelines.py" --modernbert "$modernbert" --fixtures "$fixtures"
}
fp8_quality_steps() {
  step fp8-quality-fixture 40 "$modernbert" bench fp8 --model "$fixtures/tiny-modernbert-mlm" --device cuda --sequences 256
  step fp8-quality-base 60 "$modernbert" bench fp8 --size base --device cuda --sequences 512
  step fp8-quality-large 60 "$modernbert" bench fp8 --size large --device cuda --sequences 512
  step fp8-quality-base-long 60 "$modernbert" bench fp8 --size base --dataset long_var --device cuda --sequences 32
}
fp8_speed_steps() {
  step fp8-model-base 90 "$modernbert" bench model --size base --dataset all --dtype fp8 --device cuda
  step fp8-model-large 100 "$modernbert" bench model --size large --dataset all --dtype fp8 --device cuda
  step fp8-gemm 60 python3 "$(dirname "$0")/bench_fp8_gemm.py"
}

# Each task's head against the bare forward (the task: line's fraction_of_forward; issue 14 asks at most 10%).
heads_steps() {
  local seconds=$1
  for task in sparse multivector; do
    step "pipeline-$task" "$seconds" "$modernbert" bench pipeline --size base --dataset short_var --documents 4096 --task "$task" \
      --tokenizer "$fixtures/tokenizer" --device cuda
  done
}

nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader | tee "$out/errors.log"
python3 -c 'import torch, transformers; print("torch", torch.__version__, "transformers", transformers.__version__)' | tee -a "$out/errors.log"
runs() { [ "$part" = all ] || [ "$part" = "$1" ]; }

# targets: what no earlier run measured comes first (the checks, fp8's quality, the heads), then the figures the
# README already holds from an earlier run (base and large beside transformers, the pipeline), then the rest.
if [ "$part" = targets ]; then
checks_steps 200 90
fp8_quality_steps
heads_steps 60
step model-base 90 "$modernbert" bench model --size base --dataset all --dtype bf16 --device cuda
step hf-base-sorted 90 python3 "$hf_bench" --size base --sorted
step fp8-model-base 90 "$modernbert" bench model --size base --dataset all --dtype fp8 --device cuda
step model-large 100 "$modernbert" bench model --size large --dataset all --dtype bf16 --device cuda
step hf-large-sorted 100 python3 "$hf_bench" --size large --sorted
step pipeline 120 "$modernbert" bench pipeline --size base --dataset short_var --documents 8192 --tokenizer "$fixtures/tokenizer" --device cuda
step fp8-model-large 100 "$modernbert" bench model --size large --dataset all --dtype fp8 --device cuda
step fp8-gemm 60 python3 "$(dirname "$0")/bench_fp8_gemm.py"
step kernels 60 python3 "$(dirname "$0")/bench_kernels.py"
exit 0
fi
if runs fp8; then
fp8_quality_steps
fp8_speed_steps
fi
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
checks_steps 300 150
step max-batch-base 120 "$modernbert" bench model --size base --dataset short_var --sequences 256 --dtype bf16 --device cuda --max-batch
fi
if runs pipeline; then
step pipeline 300 "$modernbert" bench pipeline --size base --dataset short_var --documents 8192 --tokenizer "$fixtures/tokenizer" --device cuda
step pipeline-torch 300 "$modernbert" bench pipeline --size base --dataset short_var --documents 8192 --tokenizer "$fixtures/tokenizer" --device cuda --elementwise torch
step pipeline-synchronous 300 "$modernbert" bench pipeline --size base --dataset short_var --documents 8192 --tokenizer "$fixtures/tokenizer" --device cuda --transfers synchronous
step pipeline-long 300 "$modernbert" bench pipeline --size base --dataset long_var --documents 256 --tokenizer "$fixtures/tokenizer" --device cuda
heads_steps 180
fi
