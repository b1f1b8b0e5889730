using ModernBert.Documents;
using ModernBert.Inference;
using ModernBert.Modeling;
using ModernBert.Outputs;
using TorchSharp;
using static TorchSharp.torch;

namespace ModernBert.Tasks.TokenClassify;

/// <summary>
/// Token classification: each token's logits through a softmax (as the pipeline computes it, in float32), then the
/// tokens a chunk decides (<see cref="TokenAlignment"/>) grouped into entities (<see cref="EntityGrouping"/>) with
/// their spans in the document's text.
/// </summary>
public sealed class TokenClassificationModel : IInferenceModel
{
    private readonly ModernBertForTokenClassification _model;
    private readonly IAttentionKernel _kernel;
    private readonly IDeviceTransfers _transfers;
    private readonly TokenClassifyOptions _options;

    public TokenClassificationModel(ModernBertForTokenClassification model, IAttentionKernel kernel, IDeviceTransfers transfers, TokenClassifyOptions options)
    {
        _model = model;
        _kernel = kernel;
        _transfers = transfers;
        _options = options;
    }

    public ModernBertConfig Config => _model.Config;

    public string? Validate(DocumentChunk chunk) =>
        ChunkValidation.Problem(chunk, Config)
        ?? (chunk.Alignment is not { } alignment ? "it has no token spans (token classification reads texts, not pre-tokenized ids)"
            : alignment.Offsets.Length != 2 * chunk.InputIds.Length || alignment.Subword.Length != chunk.InputIds.Length
                || alignment.DecidedStart < 0 || alignment.DecidedEnd > chunk.InputIds.Length
                ? "its token spans do not match its tokens"
            : null);

    public IPendingRows Start(IReadOnlyList<DocumentChunk> chunks)
    {
        using var scope = torch.NewDisposeScope();
        using var inference = torch.inference_mode();
        using UnpaddedBatch batch = _transfers.Upload(chunks.Select(chunk => (ReadOnlyMemory<int>)chunk.InputIds).ToArray());
        Tensor logits = _model.call(batch);
        return _transfers.Download(logits, values => Rows(chunks, values));
    }

    private ResultRow[] Rows(IReadOnlyList<DocumentChunk> chunks, float[] logits)
    {
        IReadOnlyList<string> labels = Config.Labels;
        var rows = new ResultRow[chunks.Count];
        int token = 0;
        for (int c = 0; c < rows.Length; c++)
        {
            DocumentChunk chunk = chunks[c];
            TokenAlignment alignment = chunk.Alignment!;
            var tokens = new List<TokenScores>(alignment.DecidedEnd - alignment.DecidedStart);
            for (int i = alignment.DecidedStart; i < alignment.DecidedEnd; i++)
            {
                tokens.Add(new TokenScores(Softmax(logits.AsSpan((token + i) * labels.Count, labels.Count)),
                    alignment.Offsets[2 * i], alignment.Offsets[2 * i + 1], alignment.Subword[i]));
            }
            token += chunk.InputIds.Length;
            rows[c] = new TokenClassificationRow(chunk.Id, chunk.Chunk, chunk.TokenStart, chunk.TokenEnd,
                [.. EntityGrouping.Group(tokens, labels, _options.Aggregation, _options.EffectiveIgnoreLabels)]);
        }
        return rows;
    }

    /// <summary>As postprocess computes it: exp(logits - max) / sum, in float32.</summary>
    internal static float[] Softmax(ReadOnlySpan<float> logits)
    {
        float max = float.NegativeInfinity;
        foreach (float logit in logits)
            max = MathF.Max(max, logit);
        var scores = new float[logits.Length];
        float sum = 0;
        for (int i = 0; i < scores.Length; i++)
            sum += scores[i] = MathF.Exp(logits[i] - max);
        for (int i = 0; i < scores.Length; i++)
            scores[i] /= sum;
        return scores;
    }

    public void Dispose()
    {
        _model.Dispose();
        (_kernel as IDisposable)?.Dispose();
        _transfers.Dispose();
    }
}
