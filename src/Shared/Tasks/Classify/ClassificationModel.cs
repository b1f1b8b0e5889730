using ModernBert.Documents;
using ModernBert.Inference;
using ModernBert.Modeling;
using ModernBert.Outputs;
using TorchSharp;
using static TorchSharp.torch;

namespace ModernBert.Tasks.Classify;

/// <summary>
/// Sequence classification: the logits through the checkpoint's activation (<see cref="ScoreActivations"/>); the top
/// label, its score and raw logit, and every label's score.
/// </summary>
public sealed class ClassificationModel : IInferenceModel
{
    private readonly ModernBertForSequenceClassification _model;
    private readonly IAttentionKernel _kernel;
    private readonly IDeviceTransfers _transfers;
    private readonly ScoreActivation _activation;

    public ClassificationModel(ModernBertForSequenceClassification model, IAttentionKernel kernel, IDeviceTransfers transfers, ScoreActivation activation)
    {
        _model = model;
        _kernel = kernel;
        _transfers = transfers;
        _activation = activation;
    }

    public ModernBertConfig Config => _model.Config;

    public string? Validate(DocumentChunk chunk) => ChunkValidation.Problem(chunk, Config);

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
        for (int i = 0; i < rows.Length; i++)
        {
            ReadOnlySpan<float> row = logits.AsSpan(i * labels.Count, labels.Count);
            float[] scores = ScoreActivations.Apply(_activation, row);
            int top = Array.IndexOf(scores, scores.Max());
            DocumentChunk chunk = chunks[i];
            rows[i] = new ClassificationRow(chunk.Id, chunk.Chunk, chunk.TokenStart, chunk.TokenEnd, labels[top], scores[top], scores, row[top]);
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
