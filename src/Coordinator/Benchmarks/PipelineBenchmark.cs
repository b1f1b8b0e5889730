using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using ModernBert.Checkpoints;
using ModernBert.Coordinator.Runs;
using ModernBert.Fleet;
using ModernBert.Inference;
using ModernBert.Modeling;
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
/// token lengths follow one of the paper's datasets. The model has random weights saved as a checkpoint, with the
/// given tokenizer. Steady throughput counts the tokens committed between 10% and 90% of the run, leaving out model
/// loading and the last stragglers.
/// </summary>
public sealed class PipelineBenchmark(string size, string dataset, int documents, InferenceSettings settings, int batchTokens,
    string tokenizerFolder, ILoggerFactory loggerFactory)
{
    public async Task<IReadOnlyList<PipelineBenchmarkResult>> RunAsync(CancellationToken cancellationToken)
    {
        string work = Directory.CreateTempSubdirectory("modernbert-bench-pipeline-").FullName;
        try
        {
            ModernBertConfig config = ModelSizes.Config(size);
            string model = Path.Combine(work, "model");
            using (var module = new ModernBertModel(config, settings.Device, settings.Dtype, new SdpaAttentionKernel()))
                CheckpointWriter.Save(module, config, model);
            foreach (string file in new[] { ModernBertTokenizer.TokenizerFileName, ModernBertTokenizer.TokenizerConfigFileName })
                if (File.Exists(Path.Combine(tokenizerFolder, file)))
                    File.Copy(Path.Combine(tokenizerFolder, file), Path.Combine(model, file));
            string corpus = Path.Combine(work, "corpus.jsonl");
            WriteCorpus(ModernBertTokenizer.Load(model), corpus);

            PipelineBenchmarkResult forward = MeasureForward();
            PipelineBenchmarkResult pipeline = await MeasurePipelineAsync(work, model, corpus, forward.TokensPerS, cancellationToken);
            return [forward, pipeline];
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
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
            new("Worker:Dtype", TorchRuntime.DtypeName(settings.Dtype)),
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
        var request = new RunRequest { Inputs = [corpus], Model = model, Output = Path.Combine(work, "output") };
        RunOutcome outcome;
        using (IHost host = CoordinatorHost.ForRuns(configuration))
        {
            await CoordinatorHost.StartAsync(host, cancellationToken);
            outcome = await host.Services.GetRequiredService<RunService>().RunAsync(request, interactive: false, cancellationToken,
                observe => tracker = observe);
            await host.StopAsync(CancellationToken.None);
        }
        double seconds = clock.Elapsed.TotalSeconds;
        await sampling.CancelAsync();
        await sampler;
        if (outcome is not RunOutcome.Finished { Manifest.Status: RunStatus.Completed } || tracker == null)
            throw new InvalidOperationException($"The pipeline run ended as {outcome}.");

        long tokens = tracker.Progress.TokensDone;
        (TimeSpan From, long FromTokens) = samples.First(sample => sample.Tokens >= tokens / 10);
        (TimeSpan To, long ToTokens) = samples.First(sample => sample.Tokens >= tokens * 9 / 10);
        long? steady = To > From ? (long)((ToTokens - FromTokens) / (To - From).TotalSeconds) : null;
        return new PipelineBenchmarkResult("pipeline", size, dataset, TorchRuntime.DtypeName(settings.Dtype), settings.Device.ToString(), documents, tokens,
            (long)(tokens / seconds), Math.Round(seconds, 3), steady, steady / (double)forwardTokensPerS, Math.Round(tokens / seconds / forwardTokensPerS, 3));
    }

    // Documents whose token counts follow the dataset: words per document from the tokens a word takes on average.
    private void WriteCorpus(ModernBertTokenizer tokenizer, string path)
    {
        IReadOnlyList<string> sample = EnglishLikeCorpus.Generate(Enumerable.Repeat(1000, 8).ToArray(), seed: 7);
        double tokensPerWord = sample.Average(text => tokenizer.EncodeWithoutSpecialTokens(text).Length) / 1000.0;
        int[] lengths = PaperDatasets.Lengths(dataset, documents, new Random(1));
        int[] words = lengths.Select(length => Math.Max(1, (int)((length - 2) / tokensPerWord * 0.97))).ToArray();
        using var writer = new StreamWriter(path, append: false, new UTF8Encoding(false));
        int id = 0;
        foreach (string text in EnglishLikeCorpus.Generate(words, seed: 11))
            writer.WriteLine(JsonSerializer.Serialize(new { id = $"doc-{id++}", text }));
    }
}
