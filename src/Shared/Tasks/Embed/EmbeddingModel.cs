using ModernBert.Documents;
using ModernBert.Inference;
using ModernBert.Modeling;
using ModernBert.Outputs;
using TorchSharp;
using static TorchSharp.torch;

namespace ModernBert.Tasks.Embed;

/// <summary>
/// The encoder with its <see cref="EmbeddingHead"/>: pooling, Dense modules, truncation, normalization; then, at a
/// quantized precision, <see cref="EmbeddingQuantizer"/>.
/// </summary>
public sealed class EmbeddingModel : IInferenceModel
{
    private readonly ModernBertModel _model;
    private readonly IAttentionKernel _kernel;
    private readonly IDeviceTransfers _transfers;
    private readonly EmbeddingHead _head;
    private readonly EmbeddingQuantizer? _quantizer;

    /// <param name="ranges">int8 and uint8: each dimension's [minimum, maximum] (see <see cref="EmbedOptions.Ranges"/>).</param>
    /// <exception cref="ArgumentException">The dimensions are out of range, or the ranges do not fit them.</exception>
    public EmbeddingModel(ModernBertModel model, IAttentionKernel kernel, IDeviceTransfers transfers, EmbeddingHead head,
        EmbeddingPrecision precision = EmbeddingPrecision.Float32, float[][]? ranges = null)
    {
        int width = head.Width(model.Config.HiddenSize);
        try
        {
            if (head.RequestedDimensions is int d && (d <= 0 || d > width))
                throw new ArgumentOutOfRangeException(nameof(head), d, $"Embedding dimensions must be between 1 and {width}.");
            _quantizer = EmbedTask.IsQuantized(precision) ? new EmbeddingQuantizer(precision, head.Dimensions(model.Config.HiddenSize), ranges) : null;
        }
        catch (ArgumentException)
        {
            head.Dispose();
            throw;
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
            ReadOnlySpan<float> embedding = embeddings.AsSpan(i * Dimensions, Dimensions);
            rows[i] = _quantizer is null
                ? new EmbeddingRow(chunk.Id, chunk.Chunk, chunk.TokenStart, chunk.TokenEnd, embedding.ToArray())
                : new QuantizedEmbeddingRow(chunk.Id, chunk.Chunk, chunk.TokenStart, chunk.TokenEnd, _quantizer.Quantize(embedding));
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
