using ModernBert.Documents;
using ModernBert.Inference;
using ModernBert.Modeling;
using ModernBert.Outputs;
using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace ModernBert.Tasks.Multivector;

/// <summary>
/// The encoder with PyLate's Dense projection of every token, each token's vector L2-normalized, and the tokens whose
/// id is in the skiplist dropped (documents; queries keep every token, unattended [MASK] expansion included) -
/// ColBERT.encode in pylate/models/colbert.py.
/// </summary>
public sealed class MultivectorModel : IInferenceModel
{
    private readonly ModernBertModel _model;
    private readonly IAttentionKernel _kernel;
    private readonly IDeviceTransfers _transfers;
    private readonly IReadOnlyList<Dense> _dense;
    private readonly IReadOnlySet<int> _skiplist;

    public MultivectorModel(ModernBertModel model, IAttentionKernel kernel, IDeviceTransfers transfers, IReadOnlyList<Dense> dense, IReadOnlySet<int> skiplist)
    {
        _model = model;
        _kernel = kernel;
        _transfers = transfers;
        _dense = dense;
        _skiplist = skiplist;
        Dimensions = dense.Count > 0 ? dense[^1].OutFeatures : model.Config.HiddenSize;
    }

    public ModernBertConfig Config => _model.Config;

    public int Dimensions { get; }

    public string? Validate(DocumentChunk chunk) => ChunkValidation.Problem(chunk, Config);

    public IPendingRows Start(IReadOnlyList<DocumentChunk> chunks)
    {
        using var scope = torch.NewDisposeScope();
        using var inference = torch.inference_mode();
        int[]? attended = chunks.Any(chunk => chunk.AttendedTokens is not null)
            ? [.. chunks.Select(chunk => chunk.AttendedTokens ?? chunk.InputIds.Length)]
            : null;
        using UnpaddedBatch batch = _transfers.Upload(chunks.Select(chunk => (ReadOnlyMemory<int>)chunk.InputIds).ToArray(), attended);
        Tensor vectors = F.normalize(DenseModules.Apply(_dense, _model.call(batch)).to(ScalarType.Float32), p: 2, dim: 1);
        return _transfers.Download(vectors, values => Rows(chunks, values));
    }

    private ResultRow[] Rows(IReadOnlyList<DocumentChunk> chunks, float[] vectors)
    {
        var rows = new ResultRow[chunks.Count];
        int token = 0;
        for (int i = 0; i < rows.Length; i++)
        {
            DocumentChunk chunk = chunks[i];
            var kept = new List<float[]>(chunk.InputIds.Length);
            foreach (int id in chunk.InputIds)
            {
                if (!_skiplist.Contains(id))
                    kept.Add(vectors.AsSpan(token * Dimensions, Dimensions).ToArray());
                token++;
            }
            rows[i] = new MultivectorRow(chunk.Id, chunk.Chunk, chunk.TokenStart, chunk.TokenEnd, [.. kept]);
        }
        return rows;
    }

    public void Dispose()
    {
        _model.Dispose();
        foreach (Dense dense in _dense)
            dense.Dispose();
        (_kernel as IDisposable)?.Dispose();
        _transfers.Dispose();
    }
}
