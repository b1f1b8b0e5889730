using ModernBert.Modeling;
using TorchSharp;
using static TorchSharp.torch;

namespace ModernBert.Tests.Modeling;

/// <summary>The kernel against attention written out in full (scores, mask, softmax) on random inputs.</summary>
public sealed class SdpaAttentionKernelTests
{
    public static TheoryData<int[], int?> Cases => new()
    {
        { [1], null },
        { [5, 5, 5], null },
        { [3, 17, 17, 40, 1], null },
        { [3, 17, 17, 40, 1], 4 },
        { [9], 8 },
        { [24, 25, 23], 8 },
        { [200, 64, 129, 7, 200], 8 },
        { [1000], 64 },
        { [2049, 3000, 2049], 64 },
        { [2100, 4500], 8 },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void MatchesExplicitAttention(int[] lengths, int? window)
    {
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(lengths.Sum() + (window ?? 0));
        int total = lengths.Sum();
        Tensor query = torch.randn(total, 2, 8), key = torch.randn(total, 2, 8), value = torch.randn(total, 2, 8);
        using var batch = UnpaddedBatch.Create(lengths.Select(length => (ReadOnlyMemory<int>)new int[length]).ToArray(), torch.CPU);

        Tensor actual = new SdpaAttentionKernel().Attend(query, key, value, batch, window);

        Tensor expected = ExplicitAttention(query, key, value, lengths, window);
        double error = (actual - expected).abs().max().item<float>();
        Assert.True(error < 1e-5, $"max abs error {error:E2}");
    }

    private static Tensor ExplicitAttention(Tensor query, Tensor key, Tensor value, int[] lengths, int? window)
    {
        var outputs = new List<Tensor>();
        int start = 0;
        foreach (int length in lengths)
        {
            Tensor q = query.narrow(0, start, length).transpose(0, 1);
            Tensor k = key.narrow(0, start, length).transpose(0, 1);
            Tensor v = value.narrow(0, start, length).transpose(0, 1);
            Tensor scores = q.matmul(k.transpose(1, 2)) / Math.Sqrt(q.shape[2]);
            if (window is int w)
            {
                Tensor positions = torch.arange(length);
                Tensor far = (positions.unsqueeze(1) - positions.unsqueeze(0)).abs() > w;
                scores = scores.masked_fill(far, double.NegativeInfinity);
            }
            outputs.Add(scores.softmax(-1).matmul(v).transpose(0, 1));
            start += length;
        }
        return torch.cat(outputs, 0);
    }
}
