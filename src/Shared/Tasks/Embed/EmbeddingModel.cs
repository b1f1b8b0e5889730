using ModernBert.Documents;
using ModernBert.Inference;
using ModernBert.Modeling;
using ModernBert.Outputs;
using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace ModernBert.Tasks.Embed;

/// <summary>The encoder with pooling, optional Matryoshka truncation and optional L2 normalization.</summary>
public sealed class EmbeddingModel : IInferenceModel
{
    private readonly ModernBertModel _model;
    private readonly IAttentionKernel _kernel;
    private readonly IDeviceTransfers _transfers;
    private readonly PoolingMode _pooling;
    private readonly bool _normalize;

    public EmbeddingModel(ModernBertModel model, IAttentionKernel kernel, IDeviceTransfers transfers, PoolingMode pooling, bool normalize, int? dimensions)
    {
        if (dimensions is int d && (d <= 0 || d > model.Config.HiddenSize))
            throw new ArgumentOutOfRangeException(nameof(dimensions), d, $"Embedding dimensions must be between 1 and {model.Config.HiddenSize}.");
        _model = model;
        _kernel = kernel;
        _transfers = transfers;
        _pooling = pooling;
        _normalize = normalize;
        Dimensions = dimensions ?? model.Config.HiddenSize;
    }

    public ModernBertConfig Config => _model.Config;

    public int Dimensions { get; }

    public string? Validate(DocumentChunk chunk) => ChunkValidation.Problem(chunk, Config);

    public IPendingRows Start(IReadOnlyList<DocumentChunk> chunks)
    {
        using var scope = torch.NewDisposeScope();
        using var inference = torch.inference_mode();
        using UnpaddedBatch batch = _transfers.Upload(chunks.Select(chunk => (ReadOnlyMemory<int>)chunk.InputIds).ToArray());
        Tensor pooled = SequencePooling.Pool(_model.call(batch), batch, _pooling);
        if (Dimensions < Config.HiddenSize)
            pooled = pooled.narrow(1, 0, Dimensions);
        if (_normalize)
            pooled = F.normalize(pooled, p: 2, dim: 1);
        return _transfers.Download(pooled, embeddings => Rows(chunks, embeddings));
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
        (_kernel as IDisposable)?.Dispose();
        _transfers.Dispose();
    }
}
