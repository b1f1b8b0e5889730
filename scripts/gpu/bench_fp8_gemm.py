#!/usr/bin/env python3
"""Times the four linear layers of a ModernBERT layer in bf16 and as --dtype fp8 runs them, with CUDA events.

For ModernBERT-base and -large shapes at 131,072 tokens: attn.Wqkv, attn.Wo, mlp.Wi, mlp.Wo as a bf16 matrix product
(x @ w.T, what --dtype bf16 runs) and in FP8 e4m3 as Fp8Linear runs them (src/Shared/Modeling/Float8.cs): the row-wise
quantization of the input (amax / 448 per row, clamp, cast) and torch._scaled_mm with row-wise scales and a bf16
output, the weight quantized once beforehand. Prints one JSON line per size and layer: milliseconds per call of the
bf16 product, of the quantization, of _scaled_mm, and the cosine of the fp8 output against the bf16 one. The fp8 mode
can only be faster where quantize + scaled_mm < bf16. Needs a CUDA machine with PyTorch (Ada or Hopper for FP8).

  python3 scripts/gpu/bench_fp8_gemm.py
"""
import json

import torch

from cuda_timing import milliseconds

TOKENS = 131072
E4M3_MAX = 448.0
MIN_AMAX = 1e-12
SIZES = {"base": (768, 1152), "large": (1024, 2624)}


def quantize_rows(x):
    """As Float8.QuantizeRows: float32 scales [rows, 1] and e4m3 values."""
    scales = x.abs().amax(-1, keepdim=True).float().clamp_min_(MIN_AMAX).div_(E4M3_MAX)
    return x.div(scales).clamp_(-E4M3_MAX, E4M3_MAX).to(torch.float8_e4m3fn), scales


def main():
    torch.manual_seed(0)
    gpu = torch.cuda.get_device_name()
    for size, (hidden, intermediate) in SIZES.items():
        layers = {"attn.Wqkv": (hidden, 3 * hidden), "attn.Wo": (hidden, hidden),
                  "mlp.Wi": (hidden, 2 * intermediate), "mlp.Wo": (intermediate, hidden)}
        for name, (inputs, outputs) in layers.items():
            x = torch.randn(TOKENS, inputs, device="cuda", dtype=torch.bfloat16)
            w = (torch.randn(outputs, inputs, device="cuda") / inputs ** 0.5).to(torch.bfloat16)
            wq, ws = quantize_rows(w)
            xq, xs = quantize_rows(x)
            bf16 = milliseconds(lambda: x @ w.t())
            quantize = milliseconds(lambda: quantize_rows(x))
            scaled = milliseconds(lambda: torch._scaled_mm(xq, wq.t(), scale_a=xs, scale_b=ws.view(1, -1), out_dtype=torch.bfloat16))
            reference = (x @ w.t()).float()
            fp8 = torch._scaled_mm(xq, wq.t(), scale_a=xs, scale_b=ws.view(1, -1), out_dtype=torch.bfloat16).float()
            cosine = torch.nn.functional.cosine_similarity(fp8, reference, dim=1)
            flops = 2 * TOKENS * inputs * outputs
            print(json.dumps({
                "size": size, "layer": name, "tokens": TOKENS, "in": inputs, "out": outputs, "gpu": gpu,
                "bf16_ms": round(bf16, 4), "quantize_ms": round(quantize, 4), "scaled_mm_ms": round(scaled, 4),
                "fp8_total_ms": round(quantize + scaled, 4),
                "bf16_tflops": round(flops / bf16 / 1e9, 1), "scaled_mm_tflops": round(flops / scaled / 1e9, 1),
                "cosine_min": round(cosine.min().item(), 6), "cosine_mean": round(cosine.mean().item(), 6),
            }), flush=True)


if __name__ == "__main__":
    main()
