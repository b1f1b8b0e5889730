// FusedKernels.cu's primitives on the CPU, so that g++ compiles the kernels' own source for the tests: CUDA's
// keywords become plain C++, the launch indices are per-thread globals the launcher sets, the 16-bit conversions
// round to nearest even in software (bf16) or through GCC's _Float16 (fp16), as the GPU's do, and the lanes of a
// warp are threads that meet at a barrier to sum.
#include <barrier>
#include <cmath>
#include <cstring>

#define __global__
#define __device__
#define __forceinline__ inline

struct Dim3 { unsigned x, y, z; };
static thread_local Dim3 blockIdx, threadIdx, blockDim;

typedef unsigned short half_bits;
typedef long long int64;

inline float to_float(half_bits h)
{
#if IS_BF16
    unsigned int bits = ((unsigned int)h) << 16;
    float f;
    std::memcpy(&f, &bits, sizeof f);
    return f;
#else
    _Float16 value;
    std::memcpy(&value, &h, sizeof value);
    return (float)value;
#endif
}

inline half_bits from_float(float f)
{
#if IS_BF16
    unsigned int bits;
    std::memcpy(&bits, &f, sizeof bits);
    if ((bits & 0x7fffffffu) > 0x7f800000u)
        return 0x7fc0;
    bits += 0x7fffu + ((bits >> 16) & 1u);
    return (half_bits)(bits >> 16);
#else
    _Float16 value = (_Float16)f;
    half_bits h;
    std::memcpy(&h, &value, sizeof h);
    return h;
#endif
}

struct Warp
{
    std::barrier<> barrier{32};
    float slots[32];
};
static thread_local Warp* current_warp;

inline float warp_sum(float value)
{
    const unsigned lane = threadIdx.x % 32;
    current_warp->slots[lane] = value;
    current_warp->barrier.arrive_and_wait();
    float sum = 0.0f;
    for (float slot : current_warp->slots)
        sum += slot;
    current_warp->barrier.arrive_and_wait();
    return sum;
}
