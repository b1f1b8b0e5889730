using ModernBert.Checkpoints;
using ModernBert.Tests.Common;
using TorchSharp;
using static TorchSharp.torch;

namespace ModernBert.Tests.Modeling;

/// <summary>The ten reference sequences of base_reference.safetensors, their hidden states and the classifier's logits.</summary>
internal sealed class ReferenceOutputs
{
    public const int Count = 10;

    private ReferenceOutputs(int[][] inputIds, float[][,] hidden, float[,] logits)
    {
        InputIds = inputIds;
        Hidden = hidden;
        Logits = logits;
    }

    public int[][] InputIds { get; }

    /// <summary>last_hidden_state of tiny-modernbert-mlm's encoder for each sequence alone, [length, 64].</summary>
    public float[][,] Hidden { get; }

    /// <summary>tiny-modernbert-cls logits for each sequence alone, [10, 3].</summary>
    public float[,] Logits { get; }

    public static ReferenceOutputs Load()
    {
        using var scope = torch.NewDisposeScope();
        using SafetensorsFile base_ = SafetensorsFile.Open(Fixtures.Require("reference/base_reference.safetensors"));
        using SafetensorsFile classifier = SafetensorsFile.Open(Fixtures.Require("reference/cls_reference.safetensors"));
        var ids = new int[Count][];
        var hidden = new float[Count][,];
        for (int k = 0; k < Count; k++)
        {
            ids[k] = base_.Read($"input_ids_{k}").data<long>().Select(id => (int)id).ToArray();
            hidden[k] = ToMatrix(base_.Read($"hidden_{k}"));
        }
        return new ReferenceOutputs(ids, hidden, ToMatrix(classifier.Read("logits")));
    }

    public static float[,] ToMatrix(Tensor tensor)
    {
        var matrix = new float[tensor.shape[0], tensor.shape[1]];
        float[] values = tensor.to(ScalarType.Float32).contiguous().data<float>().ToArray();
        Buffer.BlockCopy(values, 0, matrix, 0, values.Length * sizeof(float));
        return matrix;
    }

    public static double MaxAbsDifference(float[,] expected, float[,] actual)
    {
        Assert.Equal(expected.GetLength(0), actual.GetLength(0));
        Assert.Equal(expected.GetLength(1), actual.GetLength(1));
        double max = 0;
        for (int i = 0; i < expected.GetLength(0); i++)
            for (int j = 0; j < expected.GetLength(1); j++)
                max = Math.Max(max, Math.Abs(expected[i, j] - actual[i, j]));
        return max;
    }
}
