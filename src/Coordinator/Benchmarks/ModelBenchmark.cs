using System.Diagnostics;
using System.Runtime.InteropServices;
using ModernBert.Cuda;
using ModernBert.Inference;
using ModernBert.Modeling;
using TorchSharp;
using static TorchSharp.torch;

namespace ModernBert.Coordinator.Benchmarks;

/// <summary>One dataset's figures for the bare forward pass.</summary>
public sealed record ModelBenchmarkResult(
    string Impl, string Size, string Dataset, string Dtype, string Device, string Attention, string Elementwise, int Sequences, long Tokens,
    long TokensPerS, double Seconds, int BatchTokens, int Batches, long? GpuMemoryUsedBytes, string? Gpu);

/// <summary>The largest batch that fits on the device, for one dataset.</summary>
public sealed record MaxBatchResult(string Size, string Dataset, string Dtype, string Device, int MaxBatchTokens, int MaxBatchSequences);

/// <summary>
/// Times the model's forward pass over the paper's synthetic datasets, as transformers' reference benchmark does:
/// the batches are on the device before the clock starts, two warm-up batches run first, and the device is
/// synchronized before the clock is read. Before those, batches of three other sizes let TorchScript compile its
/// shape-generic fused kernels (see <see cref="ModelWarmup"/>), which datasets of varying lengths need.
/// </summary>
public sealed class ModelBenchmark(ModernBertModel model, string size, Device device, ScalarType dtype, AttentionImplementation attention,
    ElementwiseImplementation elementwise)
{
    public ModelBenchmarkResult Run(string dataset, int sequences, int batchTokens, int seed)
    {
        var random = new Random(seed);
        int[] lengths = PaperDatasets.Lengths(dataset, sequences, random);
        int[][] data = PaperDatasets.Sequences(lengths, model.Config.VocabSize, random);
        var batches = Pack(data, batchTokens).Select(batch => UnpaddedBatch.Create(batch, device)).ToList();
        try
        {
            using var inference = torch.inference_mode();
            WarmUp(batchTokens, random);
            foreach (UnpaddedBatch warmUp in batches.Take(2))
                model.call(warmUp).Dispose();
            Synchronize();
            var clock = Stopwatch.StartNew();
            foreach (UnpaddedBatch batch in batches)
                model.call(batch).Dispose();
            Synchronize();
            double seconds = clock.Elapsed.TotalSeconds;
            long tokens = lengths.Sum(length => (long)length);
            return new ModelBenchmarkResult("modernbert-torchsharp", size, dataset, TorchRuntime.DtypeName(dtype), device.ToString(),
                attention.ToString().ToLowerInvariant(), elementwise.ToString().ToLowerInvariant(), sequences, tokens,
                (long)(tokens / seconds), Math.Round(seconds, 3), batchTokens, batches.Count, GpuMemory(), GpuName());
        }
        finally
        {
            batches.ForEach(batch => batch.Dispose());
        }
    }

    /// <summary>Doubles, then bisects, the tokens per batch until a forward pass runs out of memory.</summary>
    public MaxBatchResult FindMaxBatch(string dataset, int seed)
    {
        var random = new Random(seed);
        int meanLength = (int)PaperDatasets.Lengths(dataset, 256, random).Average();
        bool Fits(int count)
        {
            int[][] data = PaperDatasets.Sequences(PaperDatasets.Lengths(dataset, count, random), model.Config.VocabSize, random);
            try
            {
                using var inference = torch.inference_mode();
                using var batch = UnpaddedBatch.Create(data.Select(ids => (ReadOnlyMemory<int>)ids).ToArray(), device);
                model.call(batch).Dispose();
                Synchronize();
                return true;
            }
            catch (ExternalException e) when (OutOfMemory.Is(e))
            {
                return false;
            }
        }

        int good = 1, bad = 2;
        while (Fits(bad))
        {
            good = bad;
            bad *= 2;
            if (bad > 1 << 20)
                break;
        }
        while (bad - good > 1)
        {
            int middle = (good + bad) / 2;
            if (Fits(middle))
                good = middle;
            else
                bad = middle;
        }
        return new MaxBatchResult(size, dataset, TorchRuntime.DtypeName(dtype), device.ToString(), good * meanLength, good);
    }

    private void WarmUp(int batchTokens, Random random)
    {
        if (device.type != DeviceType.CUDA)
            return;
        foreach (int tokens in new[] { batchTokens / 4, batchTokens / 2 + 512, batchTokens - 256 })
        {
            int[][] sequences = PaperDatasets.Sequences(Enumerable.Repeat(256, tokens / 256).ToArray(), model.Config.VocabSize, random);
            using var batch = UnpaddedBatch.Create(sequences.Select(ids => (ReadOnlyMemory<int>)ids).ToArray(), device);
            model.call(batch).Dispose();
        }
    }

    private static IEnumerable<ReadOnlyMemory<int>[]> Pack(int[][] sequences, int batchTokens)
    {
        var batch = new List<ReadOnlyMemory<int>>();
        int tokens = 0;
        foreach (int[] sequence in sequences)
        {
            if (batch.Count > 0 && tokens + sequence.Length > batchTokens)
            {
                yield return batch.ToArray();
                batch.Clear();
                tokens = 0;
            }
            batch.Add(sequence);
            tokens += sequence.Length;
        }
        if (batch.Count > 0)
            yield return batch.ToArray();
    }

    private void Synchronize()
    {
        if (device.type == DeviceType.CUDA)
            torch.cuda.synchronize(device);
    }

    private long? GpuMemory() => device.type == DeviceType.CUDA ? CudaDriver.UsedMemory(Math.Max(0, device.index)) : null;

    private string? GpuName() => device.type == DeviceType.CUDA ? CudaDriver.DeviceName(Math.Max(0, device.index)) : null;
}
