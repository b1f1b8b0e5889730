// The model's elementwise chains as one CUDA kernel each (see NativeElementwiseKernels.cs). Values are 16-bit and
// move 8 at a time (16 bytes per load or store); the arithmetic runs in fp32 and rounds once. half_bits, int64,
// to_float, from_float and warp_sum come from the prelude compiled ahead of this file (DevicePrelude.cuh on a device).

struct alignas(16) Vec8 { half_bits v[8]; };

// Rotary embedding of the query and key parts of the fused QKV projection.
// qkv: [tokens, 3, heads, head_dim]; positions: [tokens] int64; cos_table, sin_table: [positions, head_dim / 2] fp32.
// Writes query and key as [tokens, heads, head_dim] each: x*cos - x[half:]*sin on the first half and
// x*cos + x[:half]*sin on the second, which is transformers' x*cos + rotate_half(x)*sin.
// One thread takes 8 values of the first half and the 8 matching values of the second; head_dim % 16 == 0.
extern "C" __global__ void rotary_query_key(const half_bits* __restrict__ qkv, const int64* __restrict__ positions,
    const float* __restrict__ cos_table, const float* __restrict__ sin_table,
    half_bits* __restrict__ query, half_bits* __restrict__ key, int64 tokens, int heads, int head_dim)
{
    const int half = head_dim / 2;
    const int chunks = half / 8;
    const int64 per_token = 2LL * heads * chunks;
    const int64 index = (int64)blockIdx.x * blockDim.x + threadIdx.x;
    if (index >= tokens * per_token)
        return;
    const int64 token = index / per_token;
    const int within_token = (int)(index % per_token);
    const int part = within_token / (heads * chunks);       // 0: query, 1: key
    const int head = (within_token / chunks) % heads;
    const int offset = (within_token % chunks) * 8;

    const half_bits* source = qkv + ((token * 3 + part) * heads + head) * head_dim + offset;
    const Vec8 first = *reinterpret_cast<const Vec8*>(source);
    const Vec8 second = *reinterpret_cast<const Vec8*>(source + half);
    const int64 row = positions[token] * half + offset;

    Vec8 rotated_first, rotated_second;
#pragma unroll
    for (int i = 0; i < 8; i++)
    {
        const float c = cos_table[row + i];
        const float s = sin_table[row + i];
        const float x1 = to_float(first.v[i]);
        const float x2 = to_float(second.v[i]);
        rotated_first.v[i] = from_float(x1 * c - x2 * s);
        rotated_second.v[i] = from_float(x2 * c + x1 * s);
    }
    half_bits* target = (part == 0 ? query : key) + (token * heads + head) * head_dim + offset;
    *reinterpret_cast<Vec8*>(target) = rotated_first;
    *reinterpret_cast<Vec8*>(target + half) = rotated_second;
}

// activation: 0 gelu (erf), 1 gelu (tanh approximation), 2 silu, 3 relu.
__device__ __forceinline__ float activate(float x, int activation)
{
    switch (activation)
    {
    case 0: return 0.5f * x * (1.0f + erff(x * 0.70710678118654752f));
    case 1: return 0.5f * x * (1.0f + tanhf(0.79788456080286536f * (x + 0.044715f * x * x * x)));
    case 2: return x / (1.0f + expf(-x));
    default: return fmaxf(x, 0.0f);
    }
}

// Gated linear unit: x [rows, 2 * width] -> activation(x[:, :width]) * x[:, width:], [rows, width]; width % 8 == 0.
extern "C" __global__ void gated_activation(const half_bits* __restrict__ x, half_bits* __restrict__ out,
    int64 rows, int width, int activation)
{
    const int chunks = width / 8;
    const int64 index = (int64)blockIdx.x * blockDim.x + threadIdx.x;
    if (index >= rows * chunks)
        return;
    const int64 row = index / chunks;
    const int column = (int)(index % chunks) * 8;
    const Vec8 input = *reinterpret_cast<const Vec8*>(x + row * 2 * width + column);
    const Vec8 gate = *reinterpret_cast<const Vec8*>(x + row * 2 * width + width + column);
    Vec8 result;
#pragma unroll
    for (int i = 0; i < 8; i++)
        result.v[i] = from_float(activate(to_float(input.v[i]), activation) * to_float(gate.v[i]));
    *reinterpret_cast<Vec8*>(out + row * width + column) = result;
}

// LayerNorm over rows of `width` values (width % 8 == 0, width <= 256 * VECTORS), one warp per row, the row held in
// registers between the mean, the variance and the output. weight and bias (bias may be null) are 16-bit. Each lane
// holds VECTORS vectors of 8 values, so each width gets the entry with the fewest registers that hold its row
// (layer_norm_1 to layer_norm_8): one sized for the widest row would cut how many warps share an SM and so how
// many loads are in flight.
template <int VECTORS>
__device__ __forceinline__ void layer_norm_rows(const half_bits* __restrict__ x, const half_bits* __restrict__ weight,
    const half_bits* __restrict__ bias, half_bits* __restrict__ out, int64 rows, int width, float epsilon)
{
    const int lane = threadIdx.x % 32;
    const int64 row = ((int64)blockIdx.x * blockDim.x + threadIdx.x) / 32;
    if (row >= rows)
        return;
    const int vectors = width / 8;
    const half_bits* source = x + row * width;
    float values[VECTORS][8];
    Vec8 scales[VECTORS];
    float sum = 0.0f;
#pragma unroll
    for (int j = 0; j < VECTORS; j++)
    {
        const int vector = lane + 32 * j;
        if (vector < vectors)
        {
            const Vec8 loaded = *reinterpret_cast<const Vec8*>(source + vector * 8);
            scales[j] = *reinterpret_cast<const Vec8*>(weight + vector * 8);
#pragma unroll
            for (int i = 0; i < 8; i++)
            {
                values[j][i] = to_float(loaded.v[i]);
                sum += values[j][i];
            }
        }
    }
    const float mean = warp_sum(sum) / width;
    float squares = 0.0f;
#pragma unroll
    for (int j = 0; j < VECTORS; j++)
    {
        if (lane + 32 * j < vectors)
        {
#pragma unroll
            for (int i = 0; i < 8; i++)
            {
                const float centered = values[j][i] - mean;
                squares += centered * centered;
            }
        }
    }
    const float inverse_deviation = 1.0f / sqrtf(warp_sum(squares) / width + epsilon);
#pragma unroll
    for (int j = 0; j < VECTORS; j++)
    {
        const int vector = lane + 32 * j;
        if (vector < vectors)
        {
            Vec8 b = {};
            if (bias != nullptr)
                b = *reinterpret_cast<const Vec8*>(bias + vector * 8);
            Vec8 result;
#pragma unroll
            for (int i = 0; i < 8; i++)
            {
                const float normalized = (values[j][i] - mean) * inverse_deviation * to_float(scales[j].v[i]);
                result.v[i] = from_float(bias != nullptr ? normalized + to_float(b.v[i]) : normalized);
            }
            *reinterpret_cast<Vec8*>(out + row * width + vector * 8) = result;
        }
    }
}

#define LAYER_NORM_ENTRY(VECTORS)                                                                                  \
    extern "C" __global__ void layer_norm_##VECTORS(const half_bits* __restrict__ x,                               \
        const half_bits* __restrict__ weight, const half_bits* __restrict__ bias, half_bits* __restrict__ out,     \
        int64 rows, int width, float epsilon)                                                                      \
    {                                                                                                              \
        layer_norm_rows<VECTORS>(x, weight, bias, out, rows, width, epsilon);                                      \
    }
LAYER_NORM_ENTRY(1)
LAYER_NORM_ENTRY(2)
LAYER_NORM_ENTRY(3)
LAYER_NORM_ENTRY(4)
LAYER_NORM_ENTRY(5)
LAYER_NORM_ENTRY(6)
LAYER_NORM_ENTRY(7)
LAYER_NORM_ENTRY(8)
