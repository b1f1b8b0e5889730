using ModernBert.Documents;
using ModernBert.Inference;
using ModernBert.Modeling;
using ModernBert.Outputs;
using TorchSharp;
using static TorchSharp.torch;

namespace ModernBert.Tasks.Sparse;

/// <summary>
/// The masked LM with SpladePooling (sentence_transformers/sparse_encoder/models/SpladePooling.py): for every token
/// log(1 + relu(logit)) (log1p twice for activation log1p_relu), then the maximum (or the sum) over the window's
/// tokens; for the maximum, the activation follows the pooling. The vocabulary is taken in slices, so that a batch
/// never holds all its tokens' logits at once (131k tokens x 50k ids would be 26 GB in bf16): each slice's logits,
/// activations and pooling stay within a budget of elements.
/// </summary>
public sealed class SparseModel : IInferenceModel
{
    private readonly ModernBertForMaskedLM _model;
    private readonly IAttentionKernel _kernel;
    private readonly IDeviceTransfers _transfers;
    private readonly SpladePoolingModule _pooling;
    private readonly int? _topK;
    private readonly long _logitsBudget;

    /// <param name="logitsBudget">How many logits (tokens x vocabulary slice, or the padded rectangle for max) a slice may hold.</param>
    public SparseModel(ModernBertForMaskedLM model, IAttentionKernel kernel, IDeviceTransfers transfers, SpladePoolingModule pooling, int? topK,
        long logitsBudget)
    {
        _model = model;
        _kernel = kernel;
        _transfers = transfers;
        _pooling = pooling;
        _topK = topK is int k ? (int)Math.Min(k, model.Decoder.VocabularySize) : null;
        _logitsBudget = logitsBudget;
    }

    /// <summary>2^28 logits (512 MB in bf16, 1 GB as float32 activations) on a GPU; 2^22 on the CPU.</summary>
    public static long LogitsBudget(Device device) => device.type == DeviceType.CUDA ? 1L << 28 : 1L << 22;

    public ModernBertConfig Config => _model.Config;

    public string? Validate(DocumentChunk chunk) => ChunkValidation.Problem(chunk, Config);

    public IPendingRows Start(IReadOnlyList<DocumentChunk> chunks)
    {
        using var scope = torch.NewDisposeScope();
        using var inference = torch.inference_mode();
        using UnpaddedBatch batch = _transfers.Upload(chunks.Select(chunk => (ReadOnlyMemory<int>)chunk.InputIds).ToArray());
        Tensor pooled = Pool(_model.call(batch), batch);
        if (_topK is int k)
        {
            // Weights and their ids in one float32 download: ids below 2^24 are exact as floats.
            (Tensor values, Tensor indices) = pooled.topk(k, dim: 1);
            return _transfers.Download(torch.cat([values, indices.to(ScalarType.Float32)], 1), output => TopRows(chunks, output, k));
        }
        int vocabulary = (int)pooled.shape[1];
        return _transfers.Download(pooled, output => DenseRows(chunks, output, vocabulary));
    }

    /// <returns>[sequences, vocabulary] float32.</returns>
    private Tensor Pool(Tensor headed, UnpaddedBatch batch)
    {
        ModernBertMaskedLMDecoder decoder = _model.Decoder;
        long vocabulary = decoder.VocabularySize;
        bool max = _pooling.Strategy == "max";
        long rows = max ? (long)batch.Count * batch.MaxSequenceLength : batch.TotalTokens;
        long slice = Math.Clamp(_logitsBudget / Math.Max(rows, 1), 1, vocabulary);
        Tensor pooled = torch.zeros(batch.Count, vocabulary, ScalarType.Float32, headed.device);
        using Scalar alpha = 1.0;
        for (long start = 0; start < vocabulary; start += slice)
        {
            using var sliceScope = torch.NewDisposeScope();
            long length = Math.Min(slice, vocabulary - start);
            Tensor logits = decoder.Logits(headed, start, length);
            // relu and log1p never decrease, so the maximum over a sequence's tokens may be taken before them: max pooling
            // activates [sequences, slice] values instead of [tokens, slice], with the same results as SpladePooling.forward,
            // which activates every token first (sentence_transformers/sparse_encoder/models/SpladePooling.py).
            Tensor part = max
                ? Activate(SequencePooling.SegmentMax(logits, batch).to(ScalarType.Float32))
                : torch.zeros(batch.Count, length, ScalarType.Float32, headed.device).index_add_(0, batch.SequenceIndex,
                    Activate(logits.to(ScalarType.Float32)), alpha);
            pooled.narrow(1, start, length).copy_(part);
        }
        return pooled;
    }

    /// <summary>log(1 + relu(x)) in place, and log1p once more for the log1p_relu activation.</summary>
    private Tensor Activate(Tensor values)
    {
        Tensor activated = values.relu_().log1p_();
        return _pooling.Activation == "log1p_relu" ? activated.log1p_() : activated;
    }

    private static ResultRow[] DenseRows(IReadOnlyList<DocumentChunk> chunks, float[] output, int vocabulary)
    {
        var rows = new ResultRow[chunks.Count];
        for (int i = 0; i < rows.Length; i++)
        {
            ReadOnlySpan<float> weights = output.AsSpan(i * vocabulary, vocabulary);
            var indices = new List<int>();
            var values = new List<float>();
            for (int id = 0; id < weights.Length; id++)
            {
                if (weights[id] > 0)
                {
                    indices.Add(id);
                    values.Add(weights[id]);
                }
            }
            rows[i] = Row(chunks[i], [.. indices], [.. values]);
        }
        return rows;
    }

    private static ResultRow[] TopRows(IReadOnlyList<DocumentChunk> chunks, float[] output, int k)
    {
        var rows = new ResultRow[chunks.Count];
        for (int i = 0; i < rows.Length; i++)
        {
            ReadOnlySpan<float> values = output.AsSpan(i * 2 * k, k), ids = output.AsSpan(i * 2 * k + k, k);
            var kept = new List<(int Id, float Value)>(k);
            for (int j = 0; j < k; j++)
            {
                if (values[j] > 0)
                    kept.Add(((int)ids[j], values[j]));
            }
            kept.Sort((a, b) => a.Id.CompareTo(b.Id));
            rows[i] = Row(chunks[i], [.. kept.Select(entry => entry.Id)], [.. kept.Select(entry => entry.Value)]);
        }
        return rows;
    }

    private static SparseRow Row(DocumentChunk chunk, int[] indices, float[] values) =>
        new(chunk.Id, chunk.Chunk, chunk.TokenStart, chunk.TokenEnd, indices, values);

    public void Dispose()
    {
        _model.Dispose();
        (_kernel as IDisposable)?.Dispose();
        _transfers.Dispose();
    }
}
