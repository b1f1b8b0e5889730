using ModernBert.Documents;
using ModernBert.Inference;
using ModernBert.Modeling;
using ModernBert.Outputs;
using TorchSharp;
using static TorchSharp.torch;

namespace ModernBert.Tasks.Embed;

/// <summary>The encoder with its <see cref="EmbeddingHead"/>: pooling, Dense modules, truncation, normalization.</summary>
public sealed class EmbeddingModel : IInferenceModel
{
    private readonly ModernBertModel _model;
    private readonly IAttentionKernel _kernel;
    private readonly IDeviceTransfers _transfers;
    private readonly EmbeddingHead _head;

    public EmbeddingModel(ModernBertModel model, IAttentionKernel kernel, IDeviceTransfers transfers, EmbeddingHead head)
    {
        int width = head.Width(model.Config.HiddenSize);
        if (head.RequestedDimensions is int d && (d <= 0 || d > width))
        {
            head.Dispose();
            throw new ArgumentOutOfRangeException(nameof(head), d, $"Embedding dimensions must be between 1 and {width}.");
        }
        _model = model;
        _kernel = kernel;
        _transfers = transfers;
        _head = head;
        Dimensions = head.Dimensions(model.Config.HiddenSize);
    }

    public ModernBertConfig Config => _model.Config;

    public int Dimensions { get; }

    public string? Validate(DocumentChunk chunk) => ChunkValidation.Problem(chunk, Config);

    public IPendingRows Start(IReadOnlyList<DocumentChunk> chunks)
    {
        using var scope = torch.NewDisposeScope();
        using var inference = torch.inference_mode();
        using UnpaddedBatch batch = _transfers.Upload(chunks.Select(chunk => (ReadOnlyMemory<int>)chunk.InputIds).ToArray());
        Tensor embeddings = _head.Forward(_model.call(batch), batch);
        return _transfers.Download(embeddings, values => Rows(chunks, values));
    }

    private ResultRow[] Rows(IReadOnlyList<DocumentChunk> chunks, float[] embeddings)
    {
        var rows = new ResultRow[chunks.Count];
        for (int i = 0; i < rows.Length; i++)
        {
            DocumentChunk chunk = chunks[i];
            rows[i] = new EmbeddingRow(chunk.Id, chunk.Chunk, chunk.TokenStart, chunk.TokenEnd, embeddings.AsSpan(i * Dimensions, Dimensions).ToArray());
        }
        return rows;
    }

    public void Dispose()
    {
        _model.Dispose();
        _head.Dispose();
        (_kernel as IDisposable)?.Dispose();
        _transfers.Dispose();
    }
}
