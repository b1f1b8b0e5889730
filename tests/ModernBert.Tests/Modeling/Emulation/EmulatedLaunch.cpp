// Runs one launch of a FusedKernels.cu kernel on the CPU, thread by thread. arguments holds one 8-byte slot per
// kernel parameter, as KernelArgument packs them for the driver.
#include <cstring>

extern "C" int emulate_launch(const char* kernel, unsigned blocks, unsigned threads_per_block, const long long* arguments)
{
    const long long* a = arguments;
    blockDim = Dim3{threads_per_block, 1, 1};
    for (unsigned block = 0; block < blocks; block++)
    {
        for (unsigned thread = 0; thread < threads_per_block; thread++)
        {
            blockIdx = Dim3{block, 0, 0};
            threadIdx = Dim3{thread, 0, 0};
            if (std::strcmp(kernel, "rotary_query_key") == 0)
                rotary_query_key((const half_bits*)a[0], (const int64*)a[1], (const float*)a[2], (const float*)a[3],
                    (half_bits*)a[4], (half_bits*)a[5], a[6], (int)a[7], (int)a[8]);
            else if (std::strcmp(kernel, "gated_activation") == 0)
                gated_activation((const half_bits*)a[0], (half_bits*)a[1], a[2], (int)a[3], (int)a[4]);
            else
                return 1;
        }
    }
    return 0;
}
