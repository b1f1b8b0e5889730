using ModernBert.Documents;
using ModernBert.Modeling;
using ModernBert.Outputs;

namespace ModernBert.Inference;

/// <summary>A loaded model that turns chunks into result rows, one per chunk, in order.</summary>
public interface IInferenceModel : IDisposable
{
    ModernBertConfig Config { get; }

    /// <summary>Why the model cannot read this chunk (ids outside the vocabulary, too long, empty), or null.</summary>
    string? Validate(DocumentChunk chunk);

    /// <summary>Runs one batch. Chunks must be valid. Throws libtorch's out-of-memory error when the batch does not fit.</summary>
    IReadOnlyList<ResultRow> Run(IReadOnlyList<DocumentChunk> chunks);
}
