// The primitives FusedKernels.cu builds on, for NVRTC on a CUDA device: 16-bit storage (bf16 when IS_BF16 is 1,
// else fp16) converted with the hardware's round-to-nearest-even instructions. No CUDA header is included, so
// NVRTC alone compiles the kernels.

typedef unsigned short half_bits;
typedef long long int64;

__device__ __forceinline__ float to_float(half_bits h)
{
#if IS_BF16
    return __uint_as_float(((unsigned int)h) << 16);
#else
    float f;
    asm("cvt.f32.f16 %0, %1;" : "=f"(f) : "h"(h));
    return f;
#endif
}

__device__ __forceinline__ half_bits from_float(float f)
{
    half_bits h;
#if IS_BF16
    asm("cvt.rn.bf16.f32 %0, %1;" : "=h"(h) : "f"(f));
#else
    asm("cvt.rn.f16.f32 %0, %1;" : "=h"(h) : "f"(f));
#endif
    return h;
}

// The sum of value over the 32 lanes of the warp, in every lane.
__device__ __forceinline__ float warp_sum(float value)
{
#pragma unroll
    for (int offset = 16; offset > 0; offset /= 2)
        value += __shfl_xor_sync(0xffffffffu, value, offset);
    return value;
}
