#!/usr/bin/env python3
"""GPU numerics of modernbert (bf16, CUDA, flash attention) against references.

1. The tiny fixture model in bf16 on CUDA against the fp32 reference hidden states made by transformers:
   the pooled embedding (mean and [CLS]) of every reference sequence must have cosine >= 0.999.
2. ModernBERT-base with random weights, in transformers (bf16, sdpa) and in modernbert (bf16, CUDA), on one
   mixed-length batch: the mean-pooled embeddings must have cosine >= 0.999.
3. ModernBERT-base as in 2, on batches whose sequences all have one length (16 of 512, 8 of 1024, 8 of 8192 tokens),
   which --attention auto gives to cuDNN's dense attention (with a band mask on the sliding-window layers up to 512;
   it takes batches of at least CudnnUniformAttentionKernel.MinSequences = 8 sequences, fewer go to FlashAttention-2).
4. The same as 2, with the sequences repeated three times and cut into batches of at most 4096 tokens, so that batches
   queue behind each other and the staging buffers of the copy stream are reused and grown while the device works;
   once with the overlapped transfers and once with the synchronous ones.
Checks 1 and 2 run twice, with --elementwise torch and --elementwise native; 3 and 4 run the native kernels (the default).

5. sentence-transformers 6 folders with random Dense weights over tiny-modernbert-mlm: a dense model (Pooling mean
   with include_prompt false, Dense with Tanh, Normalize, a default prompt) through `modernbert embed`, and the plain
   MLM checkpoint as a SparseEncoder (MLMTransformer + SpladePooling) through `modernbert run --task sparse`,
   against SentenceTransformer.encode / SparseEncoder.encode: cosine >= 0.999 in bf16, max abs error <= 1e-4 in fp32.

6. PyLate queries of a ColBERT folder over tiny-modernbert-mlm (Dense 64 to 16, query_length 32, attend_to_expansion_tokens
   false, a default prompt with surrounding spaces) through `modernbert run --task multivector --query`, with --attention auto (batches of one length, which
   would go to cuDNN) and flash: the [MASK] expansion is keys no token attends to, so these batches take SDPA with a
   key mask. Against transformers (sdpa) on the padded batch with PyLate's attention mask (0 on the [MASK]s), then the
   Dense projection and L2 normalization of every token (pylate/models/colbert.py keeps the expansion's vectors):
   cosine >= 0.999 per token in bf16, max abs error <= 1e-4 in fp32.

Needs a CUDA machine with PyTorch, transformers and safetensors, a published modernbert, and the fixtures folder
(reference/, tiny-modernbert-mlm/, tokenizer/). Prints one JSON line per check on stdout (modernbert's own output goes
to stderr); exits 1 when a check fails. --only runs some of the groups: tiny (1), base (2-4), st (5),
colbert (6).

  python3 scripts/gpu/check_numerics.py --modernbert PATH/modernbert --fixtures ../shared/fixtures [--only tiny,base]
"""
import argparse
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
import traceback

import torch
from safetensors.torch import load_file

THRESHOLD = 0.999
# Both implementations of the rotary, gated-activation and LayerNorm kernels (modernbert's --elementwise).
ELEMENTWISE = ("torch", "native")
# modernbert's --transfers: the other checks use the default, overlapped; the batched check runs both, to tell a fault
# of the copy stream from one of the model.
TRANSFERS = ("overlapped", "synchronous")
# A failing job of `modernbert run` fails the check at once instead of after the worker's retries with back-off.
NO_RETRIES = ["--set", "Worker:RetryAttempts=0"]
CHECKS = ("tiny", "base", "st", "colbert")


def embed(modernbert, model_dir, sequences, pooling, elementwise, work, batch_tokens=131072, transfers="overlapped"):
    source = os.path.join(work, "input.jsonl")
    target = os.path.join(work, f"output-{pooling}.jsonl")
    with open(source, "w") as f:
        for i, ids in enumerate(sequences):
            f.write(json.dumps({"id": str(i), "input_ids": [int(t) for t in ids]}) + "\n")
    subprocess.run([modernbert, "embed", "--model", model_dir, "--input", source, "--output", target,
                    "--dtype", "bf16", "--device", "cuda", "--pooling", pooling, "--elementwise", elementwise,
                    "--transfers", transfers, "--batch-tokens", str(batch_tokens)], check=True, stdout=sys.stderr)
    rows = sorted((json.loads(line) for line in open(target)), key=lambda row: int(row["id"]))
    return torch.tensor([row["embedding"] for row in rows], dtype=torch.float32)


def report(check, cosines):
    # min() skips a NaN that is not first, so finiteness is checked on its own; JSON has no NaN, so it is written as null.
    finite = all(math.isfinite(c) for c in cosines)
    rounded = [round(c, 6) if math.isfinite(c) else None for c in cosines]
    result = {"check": check, "min_cosine": min(c for c in rounded if c is not None) if any(c is not None for c in rounded) else None,
              "cosines": rounded, "all_finite": finite, "threshold": THRESHOLD,
              "passed": finite and min(cosines) >= THRESHOLD}
    print(json.dumps(result), flush=True)
    return result["passed"]


def tiny_fixture(modernbert, fixtures, work):
    reference = load_file(os.path.join(fixtures, "reference", "base_reference.safetensors"))
    sequences = [reference[f"input_ids_{k}"].tolist() for k in range(10)]
    passed = True
    for pooling in ("mean", "cls"):
        expected = torch.stack([reference[f"hidden_{k}"].mean(0) if pooling == "mean" else reference[f"hidden_{k}"][0]
                                for k in range(10)])
        for elementwise in ELEMENTWISE:
            ours = embed(modernbert, os.path.join(fixtures, "tiny-modernbert-mlm"), sequences, pooling, elementwise, work)
            cosines = torch.nn.functional.cosine_similarity(ours, expected, dim=-1).tolist()
            passed &= report(f"tiny fixture bf16 cuda ({elementwise} kernels) vs fp32 reference, {pooling} pooling", cosines)
    return passed


def base_random(modernbert, fixtures, work):
    from transformers import ModernBertConfig, ModernBertModel
    torch.manual_seed(0)
    config = ModernBertConfig(hidden_size=768, intermediate_size=1152, num_hidden_layers=22, num_attention_heads=12)
    model_dir = os.path.join(work, "base-random")
    ModernBertModel(config).to(torch.bfloat16).save_pretrained(model_dir)
    shutil.copy(os.path.join(fixtures, "tokenizer", "tokenizer.json"), model_dir)
    model = ModernBertModel.from_pretrained(model_dir, attn_implementation="sdpa", dtype=torch.bfloat16).cuda().eval()

    generator = torch.Generator().manual_seed(1)
    random_sequences = lambda lengths: [torch.randint(5, config.vocab_size - 100, (n,), generator=generator) for n in lengths]
    sequences = random_sequences([17, 512, 300, 2000, 8192, 40, 1000, 4100, 129, 3])
    expected = transformers_mean(model, sequences)
    passed = True
    for elementwise in ELEMENTWISE:
        ours = embed(modernbert, model_dir, [s.tolist() for s in sequences], "mean", elementwise, work)
        cosines = torch.nn.functional.cosine_similarity(ours, expected, dim=-1).tolist()
        passed &= report(f"ModernBERT-base random weights: modernbert bf16 cuda ({elementwise} kernels) vs transformers bf16 sdpa, "
                         "mean pooling", cosines)
    for length, count in ((512, 16), (1024, 8), (8192, 8)):
        uniform = random_sequences([length] * count)
        ours = embed(modernbert, model_dir, [s.tolist() for s in uniform], "mean", "native", work)
        cosines = torch.nn.functional.cosine_similarity(ours, transformers_mean(model, uniform), dim=-1).tolist()
        passed &= report(f"ModernBERT-base random weights, one batch of {count} sequences of {length} tokens (cuDNN attention): "
                         "modernbert bf16 cuda vs transformers bf16 sdpa, mean pooling", cosines)
    repeats = 3
    for transfers in TRANSFERS:
        ours = embed(modernbert, model_dir, [s.tolist() for s in sequences] * repeats, "mean", "native", work, batch_tokens=4096,
                     transfers=transfers)
        cosines = torch.nn.functional.cosine_similarity(ours, expected.repeat(repeats, 1), dim=-1).tolist()
        passed &= report(f"ModernBERT-base random weights, sequences x3 in batches of <= 4096 tokens queued back to back ({transfers} "
                         "transfers): modernbert bf16 cuda vs transformers bf16 sdpa, mean pooling", cosines)
    return passed


def transformers_mean(model, sequences):
    """transformers' mean-pooled last hidden states of the sequences, as one padded batch."""
    ids = torch.zeros(len(sequences), max(len(s) for s in sequences), dtype=torch.long)
    mask = torch.zeros_like(ids)
    for i, sequence in enumerate(sequences):
        ids[i, :len(sequence)] = sequence
        mask[i, :len(sequence)] = 1
    with torch.inference_mode():
        hidden = model(input_ids=ids.cuda(), attention_mask=mask.cuda()).last_hidden_state.float()
        # masked_fill, not a product: whatever the padded rows hold (even NaN) stays out of the mean.
        hidden = hidden.masked_fill(mask.cuda().unsqueeze(-1) == 0, 0)
        return (hidden.sum(1) / mask.cuda().sum(1, keepdim=True)).cpu()


def st_folder(fixtures, work):
    """The fixture linked into a sentence-transformers layout with a random Dense module and a default prompt."""
    folder = os.path.join(work, "st-model")
    os.makedirs(os.path.join(folder, "1_Pooling"), exist_ok=True)
    os.makedirs(os.path.join(folder, "2_Dense"), exist_ok=True)
    for name in os.listdir(os.path.join(fixtures, "tiny-modernbert-mlm")):
        target = os.path.join(folder, name)
        if not os.path.exists(target):
            os.symlink(os.path.join(fixtures, "tiny-modernbert-mlm", name), target)
    json.dump([{"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
               {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
               {"idx": 2, "name": "2", "path": "2_Dense", "type": "sentence_transformers.models.Dense"},
               {"idx": 3, "name": "3", "path": "3_Normalize", "type": "sentence_transformers.models.Normalize"}],
              open(os.path.join(folder, "modules.json"), "w"))
    json.dump({"word_embedding_dimension": 64, "pooling_mode_mean_tokens": True, "include_prompt": False},
              open(os.path.join(folder, "1_Pooling", "config.json"), "w"))
    json.dump({"in_features": 64, "out_features": 32, "bias": True, "activation_function": "torch.nn.modules.activation.Tanh"},
              open(os.path.join(folder, "2_Dense", "config.json"), "w"))
    generator = torch.Generator().manual_seed(14)
    from safetensors.torch import save_file
    save_file({"linear.weight": torch.randn(32, 64, generator=generator) * 0.2, "linear.bias": torch.randn(32, generator=generator) * 0.1},
              os.path.join(folder, "2_Dense", "model.safetensors"))
    json.dump({"prompts": {"query": "query: ", "document": "search_document: "}, "default_prompt_name": "document"},
              open(os.path.join(folder, "config_sentence_transformers.json"), "w"))
    json.dump({"max_seq_length": 8192}, open(os.path.join(folder, "sentence_bert_config.json"), "w"))
    return folder


TEXTS = ["A short text.", "Sentence-transformers encodes with a prompt before the text.",
         " ".join(["long"] * 300), "Naïve résumé, 日本語, code() {x} ..."]


def sentence_transformers_checks(modernbert, fixtures, work):
    from sentence_transformers import SentenceTransformer, SparseEncoder
    folder = st_folder(fixtures, work)
    source = os.path.join(work, "texts.jsonl")
    with open(source, "w") as f:
        for i, text in enumerate(TEXTS):
            f.write(json.dumps({"id": str(i), "text": text}) + "\n")
    passed = True
    for dtype, torch_dtype in (("bf16", torch.bfloat16), ("fp32", torch.float32)):
        target = os.path.join(work, f"dense-{dtype}.jsonl")
        subprocess.run([modernbert, "embed", "--model", folder, "--input", source, "--output", target,
                        "--dtype", dtype, "--device", "cuda"], check=True, stdout=sys.stderr)
        ours = torch.tensor([row["embedding"] for row in sorted((json.loads(l) for l in open(target)), key=lambda r: int(r["id"]))])
        model = SentenceTransformer(folder, device="cuda", model_kwargs={"dtype": torch_dtype})
        theirs = model.encode(TEXTS, convert_to_tensor=True).float().cpu()
        passed &= compare(f"sentence-transformers dense (prompt, Dense, Normalize) {dtype}", ours, theirs, dtype)

        output = os.path.join(work, f"sparse-{dtype}")
        subprocess.run([modernbert, "run", "--input", source, "--model", os.path.join(fixtures, "tiny-modernbert-mlm"), "--output", output,
                        "--task", "sparse", "--set", "Worker:Devices=cuda:0", "--set", f"Worker:Dtype={dtype}"] + NO_RETRIES,
                       check=True, stdout=sys.stderr)
        import pyarrow.parquet as pq
        manifest = json.load(open(os.path.join(output, "_manifest.json")))
        rows = {}
        for file in manifest["files"]:
            for row in pq.read_table(os.path.join(output, file["path"])).to_pylist():
                dense = torch.zeros(50368)
                dense[row["indices"]] = torch.tensor(row["values"])
                rows[int(row["id"])] = dense
        ours = torch.stack([rows[i] for i in range(len(TEXTS))])
        encoder = SparseEncoder(os.path.join(fixtures, "tiny-modernbert-mlm"), device="cuda", model_kwargs={"dtype": torch_dtype})
        theirs = encoder.encode(TEXTS, convert_to_tensor=True).to_dense().float().cpu()
        passed &= compare(f"SparseEncoder (MLM head, SpladePooling max) {dtype}", ours, theirs, dtype)
    return passed


QUERIES = ["what is late interaction", "a", "colbert [MASK] retrieval", " ".join(["words"] * 40), "  a query between spaces \n"] + \
    [f"query number {i} about {' '.join(['token'] * i)}" for i in range(12)]


def colbert_query_checks(modernbert, fixtures, work):
    from tokenizers import Tokenizer
    from transformers import ModernBertModel
    from safetensors.torch import save_file
    import pyarrow.parquet as pq
    mlm = os.path.join(fixtures, "tiny-modernbert-mlm")
    folder = os.path.join(work, "colbert-model")
    os.makedirs(os.path.join(folder, "1_Dense"), exist_ok=True)
    for name in os.listdir(mlm):
        os.symlink(os.path.join(mlm, name), os.path.join(folder, name))
    json.dump([{"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
               {"idx": 1, "name": "1", "path": "1_Dense", "type": "pylate.models.Dense.Dense"}], open(os.path.join(folder, "modules.json"), "w"))
    json.dump({"in_features": 64, "out_features": 16, "bias": False, "activation_function": "torch.nn.modules.linear.Identity"},
              open(os.path.join(folder, "1_Dense", "config.json"), "w"))
    weight = torch.randn(16, 64, generator=torch.Generator().manual_seed(15)) * 0.2
    save_file({"linear.weight": weight}, os.path.join(folder, "1_Dense", "model.safetensors"))
    length = 32
    prompt = " query: "
    json.dump({"query_prefix": "[unused0]", "query_length": length, "do_query_expansion": True, "attend_to_expansion_tokens": False,
               "prompts": {"query": prompt}, "default_prompt_name": "query"},
              open(os.path.join(folder, "config_sentence_transformers.json"), "w"))
    source = os.path.join(work, "queries.jsonl")
    with open(source, "w") as f:
        for i, text in enumerate(QUERIES):
            f.write(json.dumps({"id": str(i), "text": text}) + "\n")

    # ColBERT.encode puts the prompt before the text; ColBERT.tokenize: stripped (sentence-transformers 5.3's
    # Transformer.tokenize), truncated to query_length - 1 ([SEP] kept), the prefix after [CLS], [MASK] padding with mask 0.
    tokenizer = Tokenizer.from_file(os.path.join(folder, "tokenizer.json"))
    prefix, mask_id = tokenizer.token_to_id("[unused0]"), tokenizer.token_to_id("[MASK]")
    ids = torch.full((len(QUERIES), length), mask_id, dtype=torch.long)
    attention = torch.zeros_like(ids)
    for i, text in enumerate(QUERIES):
        encoded = tokenizer.encode((prompt + text).strip()).ids
        encoded = encoded if len(encoded) < length else encoded[:length - 2] + encoded[-1:]
        shaped = encoded[:1] + [prefix] + encoded[1:]
        ids[i, :len(shaped)] = torch.tensor(shaped)
        attention[i, :len(shaped)] = 1
    passed = True
    for dtype, torch_dtype in (("bf16", torch.bfloat16), ("fp32", torch.float32)):
        model = ModernBertModel.from_pretrained(mlm, attn_implementation="sdpa", dtype=torch_dtype).cuda().eval()
        with torch.inference_mode():
            hidden = model(input_ids=ids.cuda(), attention_mask=attention.cuda()).last_hidden_state.float().cpu()
        theirs = torch.nn.functional.normalize(hidden @ weight.T, dim=-1)
        for attention_kernel in ("auto", "flash") if dtype == "bf16" else ("auto",):
            output = os.path.join(work, f"queries-{dtype}-{attention_kernel}")
            subprocess.run([modernbert, "run", "--input", source, "--model", folder, "--output", output, "--task", "multivector",
                            "--query", "--precision", "float32", "--set", "Worker:Devices=cuda:0", "--set", f"Worker:Dtype={dtype}",
                            "--set", f"Worker:Attention={attention_kernel}"] + NO_RETRIES, check=True, stdout=sys.stderr)
            manifest = json.load(open(os.path.join(output, "_manifest.json")))
            rows = {int(row["id"]): torch.tensor(row["embeddings"]) for file in manifest["files"]
                    for row in pq.read_table(os.path.join(output, file["path"])).to_pylist()}
            ours = torch.stack([rows[i] for i in range(len(QUERIES))])
            passed &= compare(f"PyLate queries with a prompt, without attend_to_expansion_tokens, --attention {attention_kernel}, {dtype}, every token",
                              ours.reshape(-1, 16), theirs.reshape(-1, 16), dtype)
    return passed


def compare(check, ours, theirs, dtype):
    """bf16: each row's cosine >= THRESHOLD; fp32: max abs error <= 1e-4."""
    if dtype == "bf16":
        return report(check, torch.nn.functional.cosine_similarity(ours, theirs, dim=1).tolist())
    error = (ours - theirs).abs().max().item()
    finite = math.isfinite(error)
    result = {"check": check, "max_abs_error": error if finite else None, "threshold": 1e-4, "passed": finite and error <= 1e-4}
    print(json.dumps(result), flush=True)
    return result["passed"]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--modernbert", required=True, help="the modernbert executable")
    parser.add_argument("--fixtures", required=True, help="the fixtures folder (../shared/fixtures)")
    parser.add_argument("--only", default=",".join(CHECKS), help=f"a comma-separated subset of {','.join(CHECKS)}")
    args = parser.parse_args()
    only = args.only.split(",")
    unknown = [name for name in only if name not in CHECKS]
    if unknown:
        parser.error(f"--only takes {','.join(CHECKS)}, not {','.join(unknown)}")
    # Absolute, since the model folders made here link to the fixtures and a relative link resolves from its own folder.
    modernbert, fixtures = os.path.abspath(args.modernbert), os.path.abspath(args.fixtures)
    groups = {"tiny": tiny_fixture, "base": base_random, "st": sentence_transformers_checks, "colbert": colbert_query_checks}
    passed = True
    for name in only:
        # Each group in its own folder, and a failing one does not stop the others.
        with tempfile.TemporaryDirectory() as work:
            try:
                passed &= groups[name](modernbert, fixtures, work)
            except Exception as error:
                traceback.print_exc()
                print(json.dumps({"check": name, "error": repr(error), "passed": False}), flush=True)
                passed = False
    sys.exit(0 if passed else 1)


if __name__ == "__main__":
    main()
