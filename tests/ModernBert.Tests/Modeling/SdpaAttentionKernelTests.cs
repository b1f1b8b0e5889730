using ModernBert.Modeling;
using TorchSharp;
using static TorchSharp.torch;

namespace ModernBert.Tests.Modeling;

/// <summary>
/// The kernel against attention written out in full (scores, mask, softmax) on random inputs, with its default
/// tokens per call and with 10, which attends each group's sequences one or two at a time.
/// </summary>
public sealed class SdpaAttentionKernelTests
{
    private static readonly int[] TokensPerCall = [SdpaAttentionKernel.DefaultTokensPerCall, 10];

    public static TheoryData<int[], int?> Cases => new()
    {
        { [1], null },
        { [5, 5, 5], null },
        { [5, 5, 5, 5, 5, 5, 5], 2 },
        { [24, 24, 24, 24, 3], 8 },
        { [3, 17, 17, 40, 1], null },
        { [3, 17, 17, 40, 1], 4 },
        { [9], 8 },
        { [24, 25, 23], 8 },
        { [200, 64, 129, 7, 200], 8 },
        { [1000], 64 },
        { [2049, 3000, 2049], 64 },
        { [2100, 4500], 8 },
        { [2100, 2100, 2100], 8 },
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

        Tensor expected = ExplicitAttention(query, key, value, lengths, window);

        foreach (int tokensPerCall in TokensPerCall)
        {
            Tensor actual = new SdpaAttentionKernel(tokensPerCall).Attend(query, key, value, batch, window);
            double error = (actual - expected).abs().max().item<float>();
            Assert.True(error < 1e-5, $"{tokensPerCall} tokens per call: max abs error {error:E2}");
        }
    }

    /// <summary>
    /// Sequences whose last tokens are unattended, against attention with Hugging Face's additive mask (finfo.min on
    /// masked keys and, with a window, on far ones): among them tokens left with no key in their window (in [30] with
    /// 3 attended and a window of 4), which weigh every key of their sequence alike, as there.
    /// </summary>
    public static TheoryData<int[], int[], int?> UnattendedCases => new()
    {
        { [12], [5], null },
        { [12, 12, 12], [5, 12, 1], null },
        { [12, 12, 12, 12], [5, 12, 1, 7], 3 },
        { [30], [3], 4 },
        { [3, 17, 17, 40, 1], [3, 9, 17, 2, 1], 8 },
        { [2500, 2100], [100, 2100], 64 },
    };

    [Theory]
    [MemberData(nameof(UnattendedCases))]
    public void UnattendedTokensAttendButAreNotAttended(int[] lengths, int[] attended, int? window)
    {
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(lengths.Sum() + attended.Sum());
        int total = lengths.Sum();
        Tensor query = torch.randn(total, 2, 8), key = torch.randn(total, 2, 8), value = torch.randn(total, 2, 8);
        using var batch = UnpaddedBatch.Create(lengths.Select(length => (ReadOnlyMemory<int>)new int[length]).ToArray(), torch.CPU, attended);

        Tensor expected = ExplicitAttention(query, key, value, lengths, window, attended);

        foreach (int tokensPerCall in TokensPerCall)
        {
            Tensor actual = new SdpaAttentionKernel(tokensPerCall).Attend(query, key, value, batch, window);
            double error = (actual - expected).abs().max().item<float>();
            Assert.True(error < 1e-5, $"{tokensPerCall} tokens per call: max abs error {error:E2}");
        }
    }

    [Fact]
    public void ABatchWhoseTokensAreAllAttendedHasNoAttendedLengths()
    {
        using var batch = UnpaddedBatch.Create([new int[4], new int[6]], torch.CPU, [4, 6]);

        Assert.Null(batch.AttendedLengths);
        Assert.All(batch.LengthGroups, group => Assert.Null(group.KeyMask));
        Assert.Throws<ArgumentException>(() => UnpaddedBatch.Create([new int[4]], torch.CPU, [5]));
        Assert.Throws<ArgumentException>(() => UnpaddedBatch.Create([new int[4]], torch.CPU, [0]));
    }

    private static Tensor ExplicitAttention(Tensor query, Tensor key, Tensor value, int[] lengths, int? window, int[]? attended = null)
    {
        var outputs = new List<Tensor>();
        int start = 0;
        for (int s = 0; s < lengths.Length; s++)
        {
            int length = lengths[s];
            Tensor q = query.narrow(0, start, length).transpose(0, 1);
            Tensor k = key.narrow(0, start, length).transpose(0, 1);
            Tensor v = value.narrow(0, start, length).transpose(0, 1);
            Tensor scores = q.matmul(k.transpose(1, 2)) / Math.Sqrt(q.shape[2]);
            Tensor positions = torch.arange(length);
            Tensor far = window is int w ? (positions.unsqueeze(1) - positions.unsqueeze(0)).abs() > w : torch.zeros([length, length], ScalarType.Bool);
            if (attended is null)
                scores = scores.masked_fill(far, double.NegativeInfinity);
            else
                scores += torch.zeros(length, length).masked_fill(far | (positions >= attended[s]).unsqueeze(0), float.MinValue);
            outputs.Add(scores.softmax(-1).matmul(v).transpose(0, 1));
            start += length;
        }
        return torch.cat(outputs, 0);
    }
}
