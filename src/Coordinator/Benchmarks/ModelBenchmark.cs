using System.Diagnostics;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;
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
/// shape-generic fused kernels (see <see cref="ModelWarmup"/>), which datasets of varying lengths need. The model has
/// random weights, in the size's configuration, built with the settings' kernels.
/// </summary>
public sealed class ModelBenchmark : IDisposable
{
    private readonly string _size;
    private readonly InferenceSettings _settings;
    private readonly IAttentionKernel _kernel;
    private readonly ModernBertModel _model;

    /// <param name="logger">Told why <see cref="ElementwiseImplementation.Auto"/> chose the Torch kernels, if it did.</param>
    public ModelBenchmark(string size, InferenceSettings settings, ILogger logger)
    {
        _size = size;
        _settings = settings;
        _kernel = AttentionKernels.Create(settings.Attention, settings.Device, settings.Dtype.Tensors);
        try
        {
            IElementwiseKernels elementwise = ElementwiseKernels.Create(settings.Elementwise, settings.Device, settings.Dtype.Tensors, logger);
            Elementwise = ElementwiseKernels.ImplementationOf(elementwise);
            _model = new ModernBertModel(ModelSizes.Config(size), settings.Device, settings.Dtype, _kernel, elementwise);
            Fp8Linear.QuantizeAll(_model);
            _model.eval();
        }
        catch
        {
            (_kernel as IDisposable)?.Dispose();
            throw;
        }
    }

    /// <summary>The elementwise kernels the model runs, once Auto has chosen.</summary>
    public ElementwiseImplementation Elementwise { get; }

    public void Dispose()
    {
        _model.Dispose();
        (_kernel as IDisposable)?.Dispose();
    }

    public ModelBenchmarkResult Run(string dataset, int sequences, int batchTokens, int seed)
    {
        var random = new Random(seed);
        int[] lengths = PaperDatasets.Lengths(dataset, sequences, random);
        int[][] data = PaperDatasets.Sequences(lengths, _model.Config.VocabSize, random);
        var batches = Pack(data, batchTokens).Select(batch => UnpaddedBatch.Create(batch, _settings.Device)).ToList();
        try
        {
            using var inference = torch.inference_mode();
            WarmUp(batchTokens, random);
            foreach (UnpaddedBatch warmUp in batches.Take(2))
                _model.call(warmUp).Dispose();
            Synchronize();
            var clock = Stopwatch.StartNew();
            foreach (UnpaddedBatch batch in batches)
                _model.call(batch).Dispose();
            Synchronize();
            double seconds = clock.Elapsed.TotalSeconds;
            long tokens = lengths.Sum(length => (long)length);
            return new ModelBenchmarkResult("modernbert-torchsharp", _size, dataset, _settings.Dtype.Name, _settings.Device.ToString(),
                EnumNames.Name(_settings.Attention), EnumNames.Name(Elementwise), sequences, tokens,
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
            int[][] data = PaperDatasets.Sequences(PaperDatasets.Lengths(dataset, count, random), _model.Config.VocabSize, random);
            try
            {
                using var inference = torch.inference_mode();
                using var batch = UnpaddedBatch.Create(data.Select(ids => (ReadOnlyMemory<int>)ids).ToArray(), _settings.Device);
                _model.call(batch).Dispose();
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
        return new MaxBatchResult(_size, dataset, _settings.Dtype.Name, _settings.Device.ToString(), good * meanLength, good);
    }

    private void WarmUp(int batchTokens, Random random)
    {
        if (_settings.Device.type != DeviceType.CUDA)
            return;
        foreach (int tokens in new[] { batchTokens / 4, batchTokens / 2 + 512, batchTokens - 256 })
        {
            int[][] sequences = PaperDatasets.Sequences(Enumerable.Repeat(256, tokens / 256).ToArray(), _model.Config.VocabSize, random);
            using var batch = UnpaddedBatch.Create(sequences.Select(ids => (ReadOnlyMemory<int>)ids).ToArray(), _settings.Device);
            _model.call(batch).Dispose();
        }
    }

    /// <summary>Consecutive sequences in batches of at most <paramref name="batchTokens"/> tokens (or one longer sequence).</summary>
    internal static IEnumerable<ReadOnlyMemory<int>[]> Pack(int[][] sequences, int batchTokens)
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
        if (_settings.Device.type == DeviceType.CUDA)
            torch.cuda.synchronize(_settings.Device);
    }

    private long? GpuMemory() => _settings.Device.type == DeviceType.CUDA ? CudaDriver.UsedMemory(Math.Max(0, _settings.Device.index)) : null;

    private string? GpuName() => _settings.Device.type == DeviceType.CUDA ? CudaDriver.DeviceName(Math.Max(0, _settings.Device.index)) : null;
}
