using ModernBert.Modeling;
using ModernBert.Outputs;
using static TorchSharp.torch;

namespace ModernBert.Inference;

/// <summary>
/// Transfers on the model's own stream, whose results are on the host when <see cref="Download"/> returns: the CPU's,
/// and CUDA's with <see cref="TransferMode.Synchronous"/>.
/// </summary>
public sealed class SynchronousTransfers(Device device) : IDeviceTransfers
{
    public UnpaddedBatch Upload(IReadOnlyList<ReadOnlyMemory<int>> sequences, IReadOnlyList<int>? attendedLengths = null) =>
        UnpaddedBatch.Create(sequences, device, attendedLengths);

    public IPendingRows Download(Tensor output, Func<float[], IReadOnlyList<ResultRow>> rows) =>
        new PendingRows(output.cpu().DetachFromDisposeScope(), null, rows);

    public void Dispose()
    {
    }
}
