using ModernBert.Cuda;
using ModernBert.Outputs;
using static TorchSharp.torch;

namespace ModernBert.Inference;

/// <summary>A batch's float32 results in host memory, ready once <paramref name="ready"/> is reached (at once without one).</summary>
public sealed class PendingRows(Tensor host, CudaEvent? ready, Func<float[], IReadOnlyList<ResultRow>> rows) : IPendingRows
{
    public IReadOnlyList<ResultRow> Complete()
    {
        ready?.Synchronize();
        return rows(host.data<float>().ToArray());
    }

    public void Dispose()
    {
        host.Dispose();
        ready?.Dispose();
    }
}
