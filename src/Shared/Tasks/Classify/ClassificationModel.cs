using ModernBert.Documents;
using ModernBert.Inference;
using ModernBert.Modeling;
using ModernBert.Outputs;
using TorchSharp;
using static TorchSharp.torch;

namespace ModernBert.Tasks.Classify;

/// <summary>
/// Sequence classification: softmax over the labels, or an independent sigmoid per label for
/// multi_label_classification checkpoints; the top label, its score and every label's score.
/// </summary>
public sealed class ClassificationModel : IInferenceModel
{
    private readonly ModernBertForSequenceClassification _model;
    private readonly IAttentionKernel _kernel;
    private readonly IDeviceTransfers _transfers;
    private readonly bool _multiLabel;

    public ClassificationModel(ModernBertForSequenceClassification model, IAttentionKernel kernel, IDeviceTransfers transfers)
    {
        _model = model;
        _kernel = kernel;
        _transfers = transfers;
        _multiLabel = model.Config.ProblemType == "multi_label_classification";
    }

    public ModernBertConfig Config => _model.Config;

    public string? Validate(DocumentChunk chunk) => ChunkValidation.Problem(chunk, Config);

    public IPendingRows Start(IReadOnlyList<DocumentChunk> chunks)
    {
        using var scope = torch.NewDisposeScope();
        using var inference = torch.inference_mode();
        using UnpaddedBatch batch = _transfers.Upload(chunks.Select(chunk => (ReadOnlyMemory<int>)chunk.InputIds).ToArray());
        Tensor logits = _model.call(batch);
        return _transfers.Download(_multiLabel ? logits.sigmoid() : logits.softmax(-1), probabilities => Rows(chunks, probabilities));
    }

    private ResultRow[] Rows(IReadOnlyList<DocumentChunk> chunks, float[] probabilities)
    {
        IReadOnlyList<string> labels = Config.Labels;
        var rows = new ResultRow[chunks.Count];
        for (int i = 0; i < rows.Length; i++)
        {
            float[] scores = probabilities.AsSpan(i * labels.Count, labels.Count).ToArray();
            int top = Array.IndexOf(scores, scores.Max());
            DocumentChunk chunk = chunks[i];
            rows[i] = new ClassificationRow(chunk.Id, chunk.Chunk, chunk.TokenStart, chunk.TokenEnd, labels[top], scores[top], scores);
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
