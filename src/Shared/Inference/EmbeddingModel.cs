using ModernBert.Documents;
using ModernBert.Modeling;
using ModernBert.Outputs;
using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace ModernBert.Inference;

/// <summary>The encoder with pooling, optional Matryoshka truncation and optional L2 normalization.</summary>
public sealed class EmbeddingModel : IInferenceModel
{
    private readonly ModernBertModel _model;
    private readonly IAttentionKernel _kernel;
    private readonly Device _device;
    private readonly PoolingMode _pooling;
    private readonly bool _normalize;

    public EmbeddingModel(ModernBertModel model, IAttentionKernel kernel, Device device, PoolingMode pooling, bool normalize, int? dimensions)
    {
        if (dimensions is int d && (d <= 0 || d > model.Config.HiddenSize))
            throw new ArgumentOutOfRangeException(nameof(dimensions), d, $"Embedding dimensions must be between 1 and {model.Config.HiddenSize}.");
        _model = model;
        _kernel = kernel;
        _device = device;
        _pooling = pooling;
        _normalize = normalize;
        Dimensions = dimensions ?? model.Config.HiddenSize;
    }

    public ModernBertConfig Config => _model.Config;

    public int Dimensions { get; }

    public string? Validate(DocumentChunk chunk) => ChunkValidation.Problem(chunk, Config);

    public IReadOnlyList<ResultRow> Run(IReadOnlyList<DocumentChunk> chunks)
    {
        float[] embeddings;
        using (var scope = torch.NewDisposeScope())
        using (torch.inference_mode())
        using (var batch = UnpaddedBatch.Create(chunks.Select(chunk => (ReadOnlyMemory<int>)chunk.InputIds).ToArray(), _device))
        {
            Tensor pooled = SequencePooling.Pool(_model.call(batch), batch, _pooling);
            if (Dimensions < Config.HiddenSize)
                pooled = pooled.narrow(1, 0, Dimensions);
            if (_normalize)
                pooled = F.normalize(pooled, p: 2, dim: 1);
            embeddings = pooled.cpu().data<float>().ToArray();
        }
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
    }
}
