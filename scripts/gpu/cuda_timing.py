"""Timing of CUDA work with CUDA events, shared by the GPU benchmark scripts."""
import torch


def milliseconds(function, repeats=20):
    """Milliseconds per call of function, after 3 warm-up calls, timed with CUDA events over repeats calls."""
    for _ in range(3):
        function()
    start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
    torch.cuda.synchronize()
    start.record()
    for _ in range(repeats):
        function()
    end.record()
    torch.cuda.synchronize()
    return start.elapsed_time(end) / repeats
