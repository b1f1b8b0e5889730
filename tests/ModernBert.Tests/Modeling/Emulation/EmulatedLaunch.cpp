// Runs one launch of a FusedKernels.cu kernel on the CPU: each warp of each block as 32 threads, so that warp_sum's
// lanes meet. arguments holds one 8-byte slot per kernel parameter, as KernelArgument packs them for the driver.
#include <cstdlib>
#include <cstring>
#include <functional>
#include <thread>
#include <vector>

static std::function<void()> kernel_call(const char* kernel, const long long* a)
{
    if (std::strcmp(kernel, "rotary_query_key") == 0)
        return [a] { rotary_query_key((const half_bits*)a[0], (const int64*)a[1], (const float*)a[2], (const float*)a[3],
            (half_bits*)a[4], (half_bits*)a[5], a[6], (int)a[7], (int)a[8]); };
    if (std::strcmp(kernel, "gated_activation") == 0)
        return [a] { gated_activation((const half_bits*)a[0], (half_bits*)a[1], a[2], (int)a[3], (int)a[4]); };
    if (std::strncmp(kernel, "layer_norm_", 11) == 0)
    {
        static void (*const entries[])(const half_bits*, const half_bits*, const half_bits*, half_bits*, int64, int, float) = {
            layer_norm_1, layer_norm_2, layer_norm_3, layer_norm_4, layer_norm_5, layer_norm_6, layer_norm_7, layer_norm_8};
        const int vectors = std::atoi(kernel + 11);
        if (vectors < 1 || vectors > 8)
            return nullptr;
        float epsilon;
        std::memcpy(&epsilon, &a[6], sizeof epsilon);
        return [a, epsilon, entry = entries[vectors - 1]] { entry((const half_bits*)a[0], (const half_bits*)a[1],
            (const half_bits*)a[2], (half_bits*)a[3], a[4], (int)a[5], epsilon); };
    }
    return nullptr;
}

extern "C" int emulate_launch(const char* kernel, unsigned blocks, unsigned threads_per_block, const long long* arguments)
{
    std::function<void()> call = kernel_call(kernel, arguments);
    if (!call || threads_per_block % 32 != 0)
        return 1;
    for (unsigned block = 0; block < blocks; block++)
    {
        for (unsigned first = 0; first < threads_per_block; first += 32)
        {
            Warp warp;
            std::vector<std::thread> lanes;
            for (unsigned thread = first; thread < first + 32; thread++)
            {
                lanes.emplace_back([&, block, thread] {
                    blockDim = Dim3{threads_per_block, 1, 1};
                    blockIdx = Dim3{block, 0, 0};
                    threadIdx = Dim3{thread, 0, 0};
                    current_warp = &warp;
                    call();
                });
            }
            for (std::thread& lane : lanes)
                lane.join();
        }
    }
    return 0;
}
