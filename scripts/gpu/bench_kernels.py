#!/usr/bin/env python3
"""Times modernbert's native CUDA kernels (src/Shared/Modeling/Cuda) against what --elementwise torch runs.

For ModernBERT-base and -large shapes at 131,072 tokens of 512-token sequences, in bf16: the rotary embedding of
query and key, GeGLU and LayerNorm, each as our kernel (the same source, compiled by NVRTC through CuPy) and as
TorchScript's fused function or libtorch's operator. TorchScript first sees several batch shapes, as a worker does,
so it runs its shape-generic kernels. Prints one JSON line per kernel and size: milliseconds per call of each, and
the largest difference between their outputs. Needs a CUDA machine with PyTorch and CuPy.

  python3 scripts/gpu/bench_kernels.py
"""
import argparse
import json
import os

import cupy
import numpy as np
import torch

from cuda_timing import milliseconds

TOKENS = 131072
SEQUENCE = 512
SIZES = {"base": (768, 12, 1152), "large": (1024, 16, 2624)}
THREADS = 256


@torch.jit.script
def rotate(x: torch.Tensor, cos: torch.Tensor, signed_sin: torch.Tensor) -> torch.Tensor:
    half = x.size(-1) // 2
    return x * cos + torch.cat((x[..., half:], x[..., :half]), -1) * signed_sin


@torch.jit.script
def gated_gelu(x: torch.Tensor) -> torch.Tensor:
    input, gate = x.chunk(2, -1)
    return torch.nn.functional.gelu(input) * gate


def warm_up_shapes(function, *tensors):
    """Calls function on a few token counts so that TorchScript leaves its shape-specialized kernels."""
    for tokens in (TOKENS, TOKENS - 512, TOKENS - 1024, TOKENS - 1536, TOKENS):
        for _ in range(3):
            function(*(t[:tokens] for t in tensors))


def pointer(tensor):
    return np.uint64(tensor.data_ptr())


def blocks(threads):
    return ((threads + THREADS - 1) // THREADS,)


def report(kernel, size, native, torch_ms, difference):
    print(json.dumps({"kernel": kernel, "size": size, "tokens": TOKENS, "native_ms": round(native, 4),
                      "torch_ms": round(torch_ms, 4), "max_abs_difference": round(difference, 5)}), flush=True)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--kernels", default=os.path.join(os.path.dirname(__file__), "..", "..", "src", "Shared", "Modeling", "Cuda"))
    args = parser.parse_args()
    source = open(os.path.join(args.kernels, "DevicePrelude.cuh")).read() + open(os.path.join(args.kernels, "FusedKernels.cu")).read()
    module = cupy.RawModule(code=source, options=("-DIS_BF16=1",))
    rotary, gated = (module.get_function(name) for name in ("rotary_query_key", "gated_activation"))
    device, dtype = "cuda", torch.bfloat16
    positions = torch.arange(SEQUENCE, device=device).repeat(TOKENS // SEQUENCE)

    for size, (hidden, heads, intermediate) in SIZES.items():
        head_dim = hidden // heads
        inverse = 1.0 / (160000.0 ** (torch.arange(0, head_dim, 2, dtype=torch.float32) / head_dim))
        angles = torch.outer(torch.arange(8192, dtype=torch.float32), inverse)
        cos_table, sin_table = angles.cos().to(device), angles.sin().to(device)
        qkv = torch.randn(TOKENS, 3, heads, head_dim, device=device, dtype=dtype)
        query, key = torch.empty(TOKENS, heads, head_dim, device=device, dtype=dtype), torch.empty(TOKENS, heads, head_dim, device=device, dtype=dtype)
        threads = TOKENS * 2 * heads * (head_dim // 16)
        native = lambda: rotary(blocks(threads), (THREADS,), (pointer(qkv), pointer(positions), pointer(cos_table), pointer(sin_table),
                                                                pointer(query), pointer(key), np.int64(TOKENS), np.int32(heads), np.int32(head_dim)))
        cos_rows = torch.cat([angles.cos(), angles.cos()], -1).to(device, dtype)[positions].view(TOKENS, 1, 1, head_dim)
        sin_rows = torch.cat([-angles.sin(), angles.sin()], -1).to(device, dtype)[positions].view(TOKENS, 1, 1, head_dim)
        warm_up_shapes(lambda x, c, s: rotate(x[:, :2], c, s), qkv, cos_rows, sin_rows)
        native()
        expected = rotate(qkv[:, :2], cos_rows, sin_rows)
        difference = max((query.float() - expected[:, 0].float()).abs().max().item(), (key.float() - expected[:, 1].float()).abs().max().item())
        report("rotary", size, milliseconds(native), milliseconds(lambda: rotate(qkv[:, :2], cos_rows, sin_rows)), difference)

        x = torch.randn(TOKENS, 2 * intermediate, device=device, dtype=dtype)
        out = torch.empty(TOKENS, intermediate, device=device, dtype=dtype)
        native = lambda: gated(blocks(TOKENS * intermediate // 8), (THREADS,),
                               (pointer(x), pointer(out), np.int64(TOKENS), np.int32(intermediate), np.int32(0)))
        warm_up_shapes(gated_gelu, x)
        native()
        difference = (out.float() - gated_gelu(x).float()).abs().max().item()
        report("geglu", size, milliseconds(native), milliseconds(lambda: gated_gelu(x)), difference)

        h = torch.randn(TOKENS, hidden, device=device, dtype=dtype)
        weight = (torch.rand(hidden, device=device) + 0.5).to(dtype)
        normalized = torch.empty_like(h)
        layer_norm = module.get_function(f"layer_norm_{(hidden + 255) // 256}")
        native = lambda: layer_norm(blocks(TOKENS * 32), (THREADS,), (pointer(h), pointer(weight), np.uint64(0), pointer(normalized),
                                                                      np.int64(TOKENS), np.int32(hidden), np.float32(1e-5)))
        reference = lambda: torch.nn.functional.layer_norm(h, (hidden,), weight, None, 1e-5)
        native()
        difference = (normalized.float() - reference().float()).abs().max().item()
        report("layer_norm", size, milliseconds(native), milliseconds(reference), difference)


if __name__ == "__main__":
    main()
