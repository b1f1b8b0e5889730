using System.Runtime.InteropServices;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using ModernBert.Hub;
using ModernBert.Documents;
using ModernBert.Inference;
using ModernBert.Outputs;
using ModernBert.Tokenization;
using ModernBert.Worker;
using static TorchSharp.torch;

namespace ModernBert.Coordinator.Cli;

/// <summary>
/// The run behind <c>embed</c> and <c>classify</c>: resolves the model, reads its corpus through the corpus pipeline
/// (<see cref="CommandCorpus"/>), streams it through the model into the output file, and reports. Exit code 0 when
/// the run completed (malformed, duplicate or failed documents are reported on stderr and skipped), 1 when it could
/// not run (see <see cref="CommandOutcome"/>); the output file appears only when the run completed.
/// </summary>
internal static class InferenceCommand
{
    public static Task<int> RunAsync(InferenceRequest request, InferenceTask task, EmbeddingOptions embedding, OutputOptions output,
        TextWriter console, TextWriter errors, CancellationToken cancellationToken)
    {
        string command = task == InferenceTask.Embed ? "embed" : "classify";
        return CommandOutcome.RunAsync(command, errors, async () =>
        {
            InferenceSummary summary = await RunOrThrowAsync(request, task, command, embedding, output, errors, cancellationToken);
            await console.WriteLineAsync(
                $"Wrote {summary.Documents} documents ({summary.Rows} rows) to {request.Output.FullName}; skipped {summary.Skipped} documents.");
            return ExitCodes.Completed;
        }, cancellationToken);
    }

    private static async Task<InferenceSummary> RunOrThrowAsync(InferenceRequest request, InferenceTask task, string command,
        EmbeddingOptions embedding, OutputOptions output, TextWriter errors, CancellationToken cancellationToken)
    {
        IConfiguration configuration = CliConfiguration.Build(request.Settings, interactive: false);
        InferenceSettings settings = Setting(() => Settings(request));
        using var models = HuggingFaceModelResolver.FromConfiguration(configuration, NullLoggerFactory.Instance);
        ModelFolder folder = ModelFolder.Open(await models.ResolveAsync(request.Model, null, cancellationToken));
        CommandCorpus corpus = await OpenCorpusAsync(configuration, request, folder, cancellationToken);

        ResultSchema schema = task == InferenceTask.Embed ? ResultSchema.Embeddings(output.EmbeddingPrecision) : ResultSchema.Classification;
        await using IResultSink sink = Setting(() => ResultSinks.Create(request.Output.FullName, schema, output, ResultFileMetadata.Create(request.Model, command)));
        var logger = new TextWriterLogger(errors, LogLevel.Warning);
        using IInferenceModel model = Setting(() => ModelLoader.Load(folder, task, settings, embedding, logger, cancellationToken));
        var runner = new InferenceRunner(model, request.BatchTokens, logger);

        InferenceSummary summary = await new CorpusInference(runner, errors).RunAsync(corpus.ReadAsync(cancellationToken), sink, cancellationToken);
        await sink.CompleteAsync(cancellationToken);
        return summary;
    }

    /// <summary>The corpus as every command reads it, tokenized with the model's tokenizer into windows of the model's length.</summary>
    private static async Task<CommandCorpus> OpenCorpusAsync(IConfiguration configuration, InferenceRequest request, ModelFolder folder,
        CancellationToken cancellationToken)
    {
        ModernBertTokenizer tokenizer = ModernBertTokenizer.Load(folder.Path);
        DocumentWindows windows;
        try
        {
            windows = new DocumentWindows(folder.Config.MaxPositionEmbeddings, request.WindowOverlap, tokenizer.ClsTokenId, tokenizer.SepTokenId);
        }
        catch (ArgumentOutOfRangeException e)
        {
            throw new ConfigurationException($"--window-overlap {request.WindowOverlap}: {UserMessage(e)}");
        }
        return await CommandCorpus.OpenAsync(configuration, request.Inputs, tokenizer, windows, keepJsonLines: false, cancellationToken);
    }

    private static InferenceSettings Settings(InferenceRequest request)
    {
        Device device = request.Device is string deviceName ? TorchRuntime.ParseDevice(deviceName) : TorchRuntime.DefaultDevice();
        ScalarType dtype = request.Dtype is string dtypeName ? TorchRuntime.ParseDtype(dtypeName) : TorchRuntime.DefaultDtype(device);
        return new InferenceSettings(device, dtype, Elementwise: request.Elementwise, Transfers: request.Transfers);
    }

    /// <summary>
    /// The device and dtype parsers, the model loader and the sink factory report settings they cannot use (a device,
    /// --dims, kernels for another device, an output name) as ArgumentException, and a libtorch that cannot serve
    /// them as InvalidOperationException or ExternalException: the user's to fix, so they end the command with their message.
    /// </summary>
    private static T Setting<T>(Func<T> create)
    {
        try
        {
            return create();
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or ExternalException)
        {
            throw new ConfigurationException(UserMessage(e));
        }
    }

    /// <summary>The message without what only a programmer needs: ArgumentException's parameter name and value.</summary>
    private static string UserMessage(Exception e) => e is ArgumentException { ParamName: string parameter }
        ? e.Message.Split('\n')[0].Replace($" (Parameter '{parameter}')", "", StringComparison.Ordinal)
        : e.Message;
}
