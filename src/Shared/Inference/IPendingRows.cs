using ModernBert.Outputs;

namespace ModernBert.Inference;

/// <summary>The rows of a batch whose forward pass is queued on the device, not yet read. Disposing frees them, read or not.</summary>
public interface IPendingRows : IDisposable
{
    /// <summary>Waits for the batch's results and returns one row per chunk, in order. Call once.</summary>
    IReadOnlyList<ResultRow> Complete();
}
