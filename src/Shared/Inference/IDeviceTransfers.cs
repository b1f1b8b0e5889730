using ModernBert.Modeling;
using ModernBert.Outputs;
using static TorchSharp.torch;

namespace ModernBert.Inference;

/// <summary>Moves a model's batches to its device and its results back.</summary>
public interface IDeviceTransfers : IDisposable
{
    /// <summary>Lays out <paramref name="sequences"/> (none empty) on the device. One caller at a time, as the model.</summary>
    /// <param name="attendedLengths">See <see cref="UnpaddedBatch.AttendedLengths"/>; null: every token is attended.</param>
    UnpaddedBatch Upload(IReadOnlyList<ReadOnlyMemory<int>> sequences, IReadOnlyList<int>? attendedLengths = null);

    /// <summary>
    /// Queues the copy of <paramref name="output"/> (float32, on the device) to the host; <paramref name="rows"/> turns
    /// its values into result rows once they are there. May be called from any thread.
    /// </summary>
    IPendingRows Download(Tensor output, Func<float[], IReadOnlyList<ResultRow>> rows);
}
