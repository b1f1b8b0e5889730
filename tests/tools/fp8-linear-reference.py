"""The FP8 linear layer computed independently of libtorch (plain Python, no numpy), for Fp8LinearTests.

Reads {"input": [[...]], "weight": [[...]], "bias": [...] or null} from the JSON file named by its argument; writes {"output": [[...]]}.
Each row of input and of weight is scaled so that its largest magnitude is 448 (scale = amax / 448, in float32),
rounded to float8 e4m3 (OCP FP8 E4M3: 3 mantissa bits, exponent bias 7, subnormal step 2^-9, largest finite 448)
with round-half-to-even, and output = (q_input @ q_weight.T) * input_scale * weight_scale + bias, in float64.
"""
import json
import math
import struct
import sys

E4M3_MAX = 448.0


def f32(value):
    """value rounded to the nearest float32."""
    return struct.unpack("f", struct.pack("f", value))[0]


def round_e4m3(value):
    """value (|value| <= 448) rounded to the nearest e4m3 value, ties to even."""
    if value == 0:
        return 0.0
    exponent = max(math.frexp(abs(value))[1] - 1, -6)  # below 2^-6 the subnormal step 2^-9
    step = 2.0 ** (exponent - 3)
    return round(value / step) * step  # round() takes halves to even; dividing by a power of two is exact


def quantize_row(row):
    row = [f32(value) for value in row]
    scale = f32(max(max(abs(value) for value in row), 1e-12) / E4M3_MAX)
    return [round_e4m3(min(max(f32(value / scale), -E4M3_MAX), E4M3_MAX)) for value in row], scale


def main():
    with open(sys.argv[1], encoding="utf-8") as file:
        request = json.load(file)
    inputs = [quantize_row(row) for row in request["input"]]
    weights = [quantize_row(row) for row in request["weight"]]
    bias = request.get("bias")
    output = [[math.fsum(x * w for x, w in zip(q_input, q_weight)) * input_scale * weight_scale + (bias[j] if bias else 0.0)
               for j, (q_weight, weight_scale) in enumerate(weights)]
              for q_input, input_scale in inputs]
    json.dump({"output": output}, sys.stdout)


if __name__ == "__main__":
    main()
