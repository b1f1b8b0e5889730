using ModernBert.Documents;
using ModernBert.Modeling;

namespace ModernBert.Inference;

/// <summary>A loaded model that turns batches of chunks into result rows, one per chunk, in order.</summary>
public interface IInferenceModel : IDisposable
{
    ModernBertConfig Config { get; }

    /// <summary>Why the model cannot read this chunk (ids outside the vocabulary, too long, empty), or null.</summary>
    string? Validate(DocumentChunk chunk);

    /// <summary>
    /// Queues one batch's forward pass on the device and returns its rows to be read, so that the next batch can be
    /// queued first. Chunks must be valid. Throws libtorch's out-of-memory error when the batch does not fit. One
    /// caller at a time; the pending rows may be completed on any thread.
    /// </summary>
    IPendingRows Start(IReadOnlyList<DocumentChunk> chunks);
}
