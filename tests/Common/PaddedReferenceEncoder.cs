using System.Text.Json;
using ModernBert.Checkpoints;
using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace ModernBert.Tests.Common;

/// <summary>
/// ModernBERT's encoder written out as Hugging Face's eager attention runs it on a padded batch with an attention mask
/// (transformers' models/modernbert/modeling_modernbert.py: ModernBertModel._update_attention_mask and
/// eager_attention_forward), independently of the product's unpadded model: the mask adds finfo.min to the scores of
/// masked keys, the sliding-window layers also to keys farther than local_attention / 2, and every position, masked or
/// not, is computed as a query. Reads config.json and model.safetensors of a checkpoint folder; fp32 on the CPU.
/// </summary>
internal sealed class PaddedReferenceEncoder : IDisposable
{
    private readonly SafetensorsFile _weights;
    private readonly int _layers, _heads, _window, _globalEvery;
    private readonly double _eps, _globalTheta, _localTheta;

    public PaddedReferenceEncoder(string folder)
    {
        using JsonDocument config = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "config.json")));
        JsonElement root = config.RootElement;
        _layers = root.GetProperty("num_hidden_layers").GetInt32();
        _heads = root.GetProperty("num_attention_heads").GetInt32();
        _window = root.GetProperty("local_attention").GetInt32() / 2;
        _globalEvery = root.GetProperty("global_attn_every_n_layers").GetInt32();
        _eps = root.GetProperty("norm_eps").GetDouble();
        _globalTheta = root.GetProperty("global_rope_theta").GetDouble();
        _localTheta = root.GetProperty("local_rope_theta").GetDouble();
        _weights = SafetensorsFile.Open(Path.Combine(folder, "model.safetensors"));
    }

    /// <param name="ids">The sequences, padded to one length with any id.</param>
    /// <param name="attended">For each sequence, how many of its first positions the attention mask holds as 1.</param>
    /// <returns>last_hidden_state, [sequences][length, hidden], every position included.</returns>
    public float[][,] LastHiddenState(int[][] ids, int[] attended)
    {
        using var scope = torch.NewDisposeScope();
        int count = ids.Length, length = ids[0].Length;
        Tensor input = torch.tensor(ids.SelectMany(sequence => sequence.Select(id => (long)id)).ToArray(), [count, length]);
        Tensor mask = torch.tensor(attended.SelectMany(n => Enumerable.Range(0, length).Select(p => p < n)).ToArray(), [count, 1, 1, length]);
        float min = float.MinValue;
        Tensor globalMask = torch.zeros(count, 1, length, length).masked_fill(mask.logical_not(), min);
        Tensor positions = torch.arange(length);
        Tensor far = (positions.unsqueeze(1) - positions.unsqueeze(0)).abs() > _window;
        Tensor slidingMask = globalMask.masked_fill(far, min);

        Tensor embedded = W("model.embeddings.tok_embeddings.weight").index_select(0, input.flatten()).view(count, length, -1);
        Tensor hidden = LayerNorm(embedded, "model.embeddings.norm.weight");
        for (int layer = 0; layer < _layers; layer++)
        {
            // A layer's scores are [sequences, heads, length, length]: freed with the layer, not kept to the end.
            using var layerScope = torch.NewDisposeScope();
            string prefix = $"model.layers.{layer}.";
            bool global = layer % _globalEvery == 0;
            Tensor normed = layer == 0 ? hidden : LayerNorm(hidden, prefix + "attn_norm.weight");
            hidden = hidden + Attention(normed, prefix, global ? _globalTheta : _localTheta, global ? globalMask : slidingMask);
            Tensor gated = F.linear(LayerNorm(hidden, prefix + "mlp_norm.weight"), W(prefix + "mlp.Wi.weight"));
            Tensor[] halves = gated.chunk(2, -1);
            hidden = (hidden + F.linear(F.gelu(halves[0]) * halves[1], W(prefix + "mlp.Wo.weight"))).MoveToOuterDisposeScope();
        }
        Tensor last = LayerNorm(hidden, "model.final_norm.weight");
        return [.. Enumerable.Range(0, count).Select(k => ToMatrix(last[k]))];
    }

    private Tensor Attention(Tensor hidden, string prefix, double theta, Tensor mask)
    {
        long count = hidden.shape[0], length = hidden.shape[1], width = hidden.shape[2], headDim = width / _heads;
        Tensor[] qkv = F.linear(hidden, W(prefix + "attn.Wqkv.weight")).view(count, length, 3, _heads, headDim).transpose(3, 1).unbind(2);
        Tensor inverse = 1.0 / torch.pow(theta, torch.arange(0, headDim, 2, ScalarType.Int64).to(ScalarType.Float32) / headDim);
        Tensor frequencies = torch.arange(length).to(ScalarType.Float32).unsqueeze(1) * inverse.unsqueeze(0);
        Tensor angles = torch.cat([frequencies, frequencies], -1);
        Tensor cos = angles.cos(), sin = angles.sin();
        Tensor query = qkv[0] * cos + RotateHalf(qkv[0]) * sin, key = qkv[1] * cos + RotateHalf(qkv[1]) * sin;
        Tensor scores = query.matmul(key.transpose(2, 3)) * Math.Pow(headDim, -0.5) + mask;
        Tensor attended = scores.softmax(-1).matmul(qkv[2]).transpose(1, 2).reshape(count, length, width);
        return F.linear(attended, W(prefix + "attn.Wo.weight"));
    }

    private static float[,] ToMatrix(Tensor tensor)
    {
        var matrix = new float[tensor.shape[0], tensor.shape[1]];
        float[] values = tensor.contiguous().data<float>().ToArray();
        Buffer.BlockCopy(values, 0, matrix, 0, values.Length * sizeof(float));
        return matrix;
    }

    private static Tensor RotateHalf(Tensor x)
    {
        long half = x.shape[^1] / 2;
        return torch.cat([-x.narrow(-1, half, half), x.narrow(-1, 0, half)], -1);
    }

    private Tensor LayerNorm(Tensor x, string weight) => F.layer_norm(x, [x.shape[^1]], W(weight), null, _eps);

    private Tensor W(string name) => _weights.Read(name);

    public void Dispose() => _weights.Dispose();
}
