using System.Diagnostics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using ModernBert.Checkpoints;
using ModernBert.Coordinator.Runs;
using ModernBert.Documents;
using ModernBert.Fleet;
using ModernBert.Inference;
using ModernBert.Modeling;
using ModernBert.Tasks;
using ModernBert.Tasks.Multivector;
using ModernBert.Tasks.Sparse;
using ModernBert.Tokenization;
using TorchSharp;
using static TorchSharp.torch;

namespace ModernBert.Coordinator.Benchmarks;

/// <summary>One line of <c>bench pipeline</c>: the bare forward pass, or the whole embedded pipeline on the same data.</summary>
public sealed record PipelineBenchmarkResult(
    string Stage, string Size, string Dataset, string Dtype, string Device, int Documents, long Tokens, long TokensPerS, double Seconds,
    long? SteadyTokensPerS, double? SteadyFractionOfForward, double? FractionOfForward);

/// <summary>
/// The embedded default end to end (read JSON Lines, tokenize, pack, publish on the in-memory bus, infer, write
/// Parquet, finalize) against the bare forward pass on the same device, on a generated English-like corpus whose
/// token lengths follow one of the paper's datasets; and the task's model (encoder and head) alone on the same
/// lengths, whose shortfall from the bare forward is the head's cost. The model has random weights saved as a
/// checkpoint of the task's layout (the MLM head for sparse, a 128-wide PyLate Dense for multivector), with the given
/// tokenizer. Steady throughput counts the tokens committed between 10% and 90% of the run, leaving out model loading
/// and the last stragglers; it is null for a run that commits both in one step (too few batches to tell).
/// </summary>
public sealed class PipelineBenchmark(string size, string dataset, int documents, InferenceSettings settings, int batchTokens,
    string tokenizerFolder, ILoggerFactory loggerFactory, ConfiguredTask task)
{
    private const int MultivectorDimensions = 128;

    public async Task<IReadOnlyList<PipelineBenchmarkResult>> RunAsync(CancellationToken cancellationToken)
    {
        string work = Directory.CreateTempSubdirectory("modernbert-bench-pipeline-").FullName;
        try
        {
            ModernBertConfig config = ModelSizes.Config(size);
            string model = Path.Combine(work, "model");
            WriteCheckpoint(config, model);
            BenchmarkModelFolder.CopyTokenizer(tokenizerFolder, model);
            string corpus = Path.Combine(work, "corpus.jsonl");
            SyntheticCorpus.WriteText(corpus, ModernBertTokenizer.Load(model), PaperDatasets.Lengths(dataset, documents, new Random(1)));

            PipelineBenchmarkResult forward = MeasureForward();
            PipelineBenchmarkResult head = MeasureTask(model, forward.TokensPerS, cancellationToken);
            PipelineBenchmarkResult pipeline = await MeasurePipelineAsync(work, model, corpus, forward.TokensPerS, cancellationToken);
            return [forward, head, pipeline];
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    private void WriteCheckpoint(ModernBertConfig config, string model)
    {
        var kernel = new SdpaAttentionKernel();
        if (task.Name == SparseTask.Instance.Name)
        {
            using var masked = new ModernBertForMaskedLM(config, settings.Device, settings.Dtype, kernel);
            CheckpointWriter.Save(masked, config with { Architectures = ["ModernBertForMaskedLM"] }, model);
            return;
        }
        using (var module = new ModernBertModel(config, settings.Device, settings.Dtype, kernel))
            CheckpointWriter.Save(module, config, model);
        if (task.Name != MultivectorTask.Instance.Name)
            return;
        File.WriteAllText(Path.Combine(model, "modules.json"),
            """[{"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"}, {"idx": 1, "name": "1", "path": "1_Dense", "type": "pylate.models.Dense.Dense"}]""");
        File.WriteAllText(Path.Combine(model, "config_sentence_transformers.json"),
            $$"""{"document_prefix": "[unused1]", "document_length": {{config.MaxPositionEmbeddings}}}""");
        string dense = Path.Combine(model, "1_Dense");
        using (var module = new Dense(config.HiddenSize, MultivectorDimensions, false, "torch.nn.modules.linear.Identity", useResidual: false,
                   settings.Device, settings.Dtype.Tensors))
            CheckpointWriter.SaveWeights(module, dense);
        File.WriteAllText(Path.Combine(dense, "config.json"),
            $$"""{"in_features": {{config.HiddenSize}}, "out_features": {{MultivectorDimensions}}, "bias": false, "activation_function": "torch.nn.modules.linear.Identity"}""");
    }

    /// <summary>The task's model (encoder and head, rows made on the host) over sequences of the dataset's lengths, batched as the worker batches.</summary>
    private PipelineBenchmarkResult MeasureTask(string model, long forwardTokensPerS, CancellationToken cancellationToken)
    {
        ModelFolder folder = ModelFolder.Open(model);
        ConfiguredTask configured = task.ForModel(folder);
        var random = new Random(1);
        int[][] sequences = PaperDatasets.Sequences(PaperDatasets.Lengths(dataset, documents, random), folder.Config.VocabSize, random);
        DocumentChunk[] chunks = [.. sequences.Select((ids, i) => new DocumentChunk($"doc-{i}", 0, 0, ids.Length - 2, ids))];
        ILogger logger = loggerFactory.CreateLogger<PipelineBenchmark>();
        using IInferenceModel inference = configured.Load(folder, settings, logger, cancellationToken);
        var runner = new InferenceRunner(inference, batchTokens, logger);
        runner.Run(chunks.Take(Math.Max(1, chunks.Length / 10)).ToList(), cancellationToken);
        var clock = Stopwatch.StartNew();
        IReadOnlyList<ChunkResult> results = runner.Run(chunks, cancellationToken);
        double seconds = clock.Elapsed.TotalSeconds;
        if (results.FirstOrDefault(result => result.Failure != null) is { } failed)
            throw new InvalidOperationException($"The {task.Name} model failed a sequence: {failed.Failure}");
        long tokens = sequences.Sum(ids => (long)ids.Length);
        return new PipelineBenchmarkResult($"task:{task.Name}", size, dataset, settings.Dtype.Name, settings.Device.ToString(),
            documents, tokens, (long)(tokens / seconds), Math.Round(seconds, 3), null, null, Math.Round(tokens / seconds / forwardTokensPerS, 3));
    }

    private PipelineBenchmarkResult MeasureForward()
    {
        using var benchmark = new ModelBenchmark(size, settings, loggerFactory.CreateLogger<PipelineBenchmark>());
        ModelBenchmarkResult result = benchmark.Run(dataset, documents, batchTokens, seed: 1);
        return new PipelineBenchmarkResult("forward", size, dataset, result.Dtype, result.Device, documents, result.Tokens, result.TokensPerS,
            result.Seconds, null, null, null);
    }

    private async Task<PipelineBenchmarkResult> MeasurePipelineAsync(string work, string model, string corpus, long forwardTokensPerS,
        CancellationToken cancellationToken)
    {
        IConfiguration configuration = FleetHost.Configuration([],
        [
            new("Runs:Location", Path.Combine(work, "runs")),
            new("Worker:Devices", settings.Device.ToString()),
            new("Worker:Dtype", settings.Dtype.Name),
            new("Worker:Elementwise", settings.Elementwise.ToString()),
            new("Worker:Transfers", settings.Transfers.ToString()),
            new("Worker:BatchTokens", batchTokens.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            new("Logging:LogLevel:Default", "Warning"),
        ]);
        var samples = new List<(TimeSpan At, long Tokens)>();
        RunTracker? tracker = null;
        var clock = Stopwatch.StartNew();
        using var sampling = new CancellationTokenSource();
        Task sampler = Task.Run(async () =>
        {
            while (!sampling.IsCancellationRequested)
            {
                if (tracker != null)
                    samples.Add((clock.Elapsed, tracker.Progress.TokensDone));
                await Task.Delay(50, CancellationToken.None);
            }
        }, CancellationToken.None);
        var request = new RunRequest { Inputs = [corpus], Model = model, Output = Path.Combine(work, "output"), Task = task };
        RunOutcome outcome;
        using (IHost host = CoordinatorHost.ForRuns(configuration))
        {
            await CoordinatorHost.StartAsync(host, cancellationToken);
            outcome = await host.Services.GetRequiredService<RunService>().RunAsync(request, cancellationToken,
                observe => tracker = observe);
            await host.StopAsync(CancellationToken.None);
        }
        double seconds = clock.Elapsed.TotalSeconds;
        await sampling.CancelAsync();
        await sampler;
        if (outcome is not RunOutcome.Finished { Manifest.Status: RunStatus.Completed } || tracker == null)
            throw new InvalidOperationException($"The pipeline run ended as {outcome}.");

        long tokens = tracker.Progress.TokensDone;
        samples.Add((clock.Elapsed, tokens));
        (TimeSpan From, long FromTokens) = samples.First(sample => sample.Tokens >= tokens / 10);
        (TimeSpan To, long ToTokens) = samples.First(sample => sample.Tokens >= tokens * 9 / 10);
        long? steady = To > From ? (long)((ToTokens - FromTokens) / (To - From).TotalSeconds) : null;
        return new PipelineBenchmarkResult("pipeline", size, dataset, settings.Dtype.Name, settings.Device.ToString(), documents, tokens,
            (long)(tokens / seconds), Math.Round(seconds, 3), steady, steady / (double)forwardTokensPerS, Math.Round(tokens / seconds / forwardTokensPerS, 3));
    }
}
