// What NVRTC provides without any header, for clang's CUDA front end run with -nocudainc: the execution-space
// keywords, the thread and block indices, and the device functions FusedKernels.cu calls. The math functions are
// left as external declarations; the PTX calls them, which is all a compilation check needs.
#define __device__ __attribute__((device))
#define __global__ __attribute__((global))
#define __forceinline__ __inline__ __attribute__((always_inline))
#include "__clang_cuda_builtin_vars.h"

__device__ __forceinline__ float __uint_as_float(unsigned int bits) { return __builtin_bit_cast(float, bits); }

__device__ __forceinline__ float __shfl_xor_sync(unsigned int mask, float value, int lane_mask)
{
    return __nvvm_shfl_sync_bfly_f32(mask, value, lane_mask, 0x1f);
}

extern "C" __device__ float erff(float);
extern "C" __device__ float tanhf(float);
extern "C" __device__ float expf(float);
extern "C" __device__ float sqrtf(float);
extern "C" __device__ float fmaxf(float, float);
