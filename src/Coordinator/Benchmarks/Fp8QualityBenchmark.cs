using ModernBert.Checkpoints;
using ModernBert.Modeling;
using TorchSharp;
using static TorchSharp.torch;

namespace ModernBert.Coordinator.Benchmarks;

/// <summary>Cosine similarities of pooled outputs, one model against another, over the same sequences.</summary>
public sealed record CosineSummary(double Min, double Mean);

/// <summary>One model's FP8 quality figures: fp8 against bf16 (the acceptance figure), and both against fp32.</summary>
public sealed record Fp8QualityResult(
    string Model, string Dataset, string Device, int Sequences, long Tokens, string Pooling,
    CosineSummary Fp8VsBf16, CosineSummary Fp8VsFp32, CosineSummary Bf16VsFp32, CosineSummary ClsFp8VsBf16);

/// <summary>
/// The quality of <c>--dtype fp8</c>: the same model (random weights of a size, or a checkpoint) in fp32, bf16 and fp8
/// runs the same sequences, and their mean-pooled last hidden states (and [CLS] states) are compared by cosine. On a
/// device without FP8 GEMMs (the CPU) the fp8 model emulates them with the same rounding and scales (see
/// <see cref="Fp8Linear"/>), so its figures are the GPU's up to the order of float32 sums.
/// </summary>
public sealed class Fp8QualityBenchmark : IDisposable
{
    private static readonly ModelDtype[] Dtypes = [ScalarType.Float32, ScalarType.BFloat16, ModelDtype.Fp8];

    private readonly string _name;
    private readonly Device _device;
    private readonly ModernBertModel[] _models;
    private readonly IAttentionKernel[] _kernels;

    private Fp8QualityBenchmark(string name, Device device, ModernBertModel[] models, IAttentionKernel[] kernels)
    {
        _name = name;
        _device = device;
        _models = models;
        _kernels = kernels;
    }

    /// <summary>Random weights (torch's default initialization, as <c>bench model</c>) of a size, drawn once and shared.</summary>
    public static Fp8QualityBenchmark RandomWeights(string size, Device device, int seed)
    {
        torch.manual_seed(seed);
        return Create(size, device, ModelSizes.Config(size), models =>
        {
            using var noGrad = torch.no_grad();
            Dictionary<string, Tensor> drawn = models[0].named_parameters().ToDictionary(named => named.name, named => (Tensor)named.parameter);
            foreach (ModernBertModel model in models.Skip(1))
                foreach ((string name, var parameter) in model.named_parameters())
                    parameter.copy_(drawn[name]);
        });
    }

    /// <summary>The encoder of a checkpoint folder (config.json and safetensors).</summary>
    public static Fp8QualityBenchmark Checkpoint(string folder, Device device) =>
        Create(Path.GetFileName(Path.TrimEndingDirectorySeparator(folder)), device, ModernBertConfig.Load(Path.Combine(folder, "config.json")), models =>
        {
            using CheckpointDirectory checkpoint = CheckpointDirectory.Open(folder);
            foreach (ModernBertModel model in models)
                CheckpointLoader.Load(model, checkpoint);
        });

    public ModernBertConfig Config => _models[0].Config;

    public Fp8QualityResult Run(string dataset, int[][] sequences, int batchTokens)
    {
        var pooled = Dtypes.Select(_ => new List<Tensor>()).ToArray();
        var cls = Dtypes.Select(_ => new List<Tensor>()).ToArray();
        try
        {
            using var inference = torch.inference_mode();
            foreach (ReadOnlyMemory<int>[] batchSequences in ModelBenchmark.Pack(sequences, batchTokens))
            {
                using UnpaddedBatch batch = UnpaddedBatch.Create(batchSequences, _device);
                for (int i = 0; i < _models.Length; i++)
                {
                    using var scope = torch.NewDisposeScope();
                    Tensor hidden = _models[i].call(batch);
                    pooled[i].Add(SequencePooling.Pool(hidden, batch, PoolingMode.Mean).cpu().MoveToOuterDisposeScope());
                    cls[i].Add(SequencePooling.Pool(hidden, batch, PoolingMode.Cls).cpu().MoveToOuterDisposeScope());
                }
            }
            using var summaryScope = torch.NewDisposeScope();
            Tensor[] mean = pooled.Select(parts => torch.cat(parts, 0)).ToArray();
            Tensor[] first = cls.Select(parts => torch.cat(parts, 0)).ToArray();
            return new Fp8QualityResult(_name, dataset, _device.ToString(), sequences.Length, sequences.Sum(ids => (long)ids.Length), "mean",
                Fp8VsBf16: Cosines(mean[2], mean[1]), Fp8VsFp32: Cosines(mean[2], mean[0]), Bf16VsFp32: Cosines(mean[1], mean[0]),
                ClsFp8VsBf16: Cosines(first[2], first[1]));
        }
        finally
        {
            foreach (Tensor tensor in pooled.Concat(cls).SelectMany(parts => parts))
                tensor.Dispose();
        }
    }

    public void Dispose()
    {
        foreach (ModernBertModel model in _models)
            model.Dispose();
        foreach (IAttentionKernel kernel in _kernels)
            (kernel as IDisposable)?.Dispose();
    }

    private static Fp8QualityBenchmark Create(string name, Device device, ModernBertConfig config, Action<ModernBertModel[]> fill)
    {
        var models = new List<ModernBertModel>();
        var kernels = new List<IAttentionKernel>();
        try
        {
            foreach (ModelDtype dtype in Dtypes)
            {
                kernels.Add(AttentionKernels.Create(AttentionImplementation.Auto, device, dtype.Tensors));
                models.Add(new ModernBertModel(config, device, dtype, kernels[^1]));
            }
            fill([.. models]);
            foreach (ModernBertModel model in models)
            {
                Fp8Linear.QuantizeAll(model);
                model.eval();
            }
            return new Fp8QualityBenchmark(name, device, [.. models], [.. kernels]);
        }
        catch
        {
            models.ForEach(model => model.Dispose());
            kernels.ForEach(kernel => (kernel as IDisposable)?.Dispose());
            throw;
        }
    }

    private static CosineSummary Cosines(Tensor candidate, Tensor reference)
    {
        Tensor cosines = nn.functional.cosine_similarity(candidate.to_type(ScalarType.Float64), reference.to_type(ScalarType.Float64), dim: 1);
        return new CosineSummary(Math.Round(cosines.min().item<double>(), 6), Math.Round(cosines.mean().item<double>(), 6));
    }
}
