using ModernBert.Modeling;
using ModernBert.Outputs;
using static TorchSharp.torch;

namespace ModernBert.Inference;

/// <summary>Transfers that are done when they return: what the CPU needs, where there is nothing to overlap.</summary>
public sealed class SynchronousTransfers(Device device) : IDeviceTransfers
{
    public UnpaddedBatch Upload(IReadOnlyList<ReadOnlyMemory<int>> sequences) => UnpaddedBatch.Create(sequences, device);

    public IPendingRows Download(Tensor output, Func<float[], IReadOnlyList<ResultRow>> rows) =>
        new PendingRows(output.cpu().DetachFromDisposeScope(), null, rows);

    public void Dispose()
    {
    }
}
