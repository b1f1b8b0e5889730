using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using ModernBert.Hub;
using ModernBert.Checkpoints;
using ModernBert.Cuda;
using ModernBert.Coordinator.Planning;
using ModernBert.Documents;
using ModernBert.Inference;
using ModernBert.Inputs;
using ModernBert.Modeling;
using ModernBert.Outputs;
using ModernBert.Storage;
using ModernBert.Tasks;
using ModernBert.Tokenization;
using ModernBert.Worker;
using static TorchSharp.torch;

namespace ModernBert.Coordinator.Cli;

/// <summary>
/// The run behind <c>embed</c> and <c>classify</c>: resolves and loads the model and its tokenizer, streams the input
/// through it into the output file, and reports. Exit code 0 when the run completed (malformed or failed documents
/// are reported on stderr and skipped), 1 when it could not run; the output file appears only when the run completed.
/// </summary>
internal static class InferenceCommand
{
    public static async Task<int> RunAsync(InferenceRequest request, ConfiguredTask task, OutputOptions output,
        TextWriter console, TextWriter errors, CancellationToken cancellationToken)
    {
        string command = task.Name;
        try
        {
            InferenceSummary summary = await RunOrThrowAsync(request, task, output, errors, cancellationToken);
            await console.WriteLineAsync(
                $"Wrote {summary.Documents} documents ({summary.Rows} rows) to {request.Output.FullName}; skipped {summary.Skipped} documents.");
            return 0;
        }
        catch (Exception e) when (IsFatal(e))
        {
            await errors.WriteLineAsync($"modernbert {command}: {UserMessage(e)}");
            return 1;
        }
    }

    private static async Task<InferenceSummary> RunOrThrowAsync(InferenceRequest request, ConfiguredTask task, OutputOptions output,
        TextWriter errors, CancellationToken cancellationToken)
    {
        using var models = HuggingFaceModelResolver.FromConfiguration(CliConfiguration.Build(null, interactive: false), NullLoggerFactory.Instance);
        ModelFolder folder = ModelFolder.Open(await models.ResolveAsync(request.Model, null, cancellationToken));
        ModernBertTokenizer tokenizer = ModernBertTokenizer.Load(folder.Path);
        DocumentWindows windows;
        try
        {
            windows = new DocumentWindows(folder.Config.MaxPositionEmbeddings, request.WindowOverlap, tokenizer.ClsTokenId, tokenizer.SepTokenId);
        }
        catch (ArgumentOutOfRangeException e)
        {
            throw new ArgumentException($"--window-overlap {request.WindowOverlap}: {UserMessage(e)}", e);
        }
        if (!request.Input.Exists)
            throw new FileNotFoundException($"Input file not found: {request.Input.FullName}");

        await using IResultSink sink = CreateSink(request, task, output);
        var logger = new TextWriterLogger(errors, LogLevel.Warning);
        using IInferenceModel model = LoadModel(request, task, folder, logger, cancellationToken);
        var runner = new InferenceRunner(model, request.BatchTokens, logger);

        var input = new CorpusObject(new LocalObjectStore(request.Input.DirectoryName!), request.Input.Name, "");
        IAsyncEnumerable<InputRecord> records = new CorpusReader(new InputOptions()).ReadAsync([input], cancellationToken);
        InferenceSummary summary = await new CorpusInference(new DocumentTokenizer(tokenizer, windows), runner, errors).RunAsync(records, sink, cancellationToken);
        await sink.CompleteAsync(cancellationToken);
        return summary;
    }

    /// <summary>The task's result file, with the model and task named in its footer.</summary>
    private static IResultSink CreateSink(InferenceRequest request, ConfiguredTask task, OutputOptions output) =>
        ResultSinks.Create(request.Output.FullName, task.Schema, output, ResultFileMetadata.Create(request.Model, task.Name));

    /// <summary>The task's model on the requested device and dtype (by default CUDA in bf16 when available, else the CPU in fp32).</summary>
    private static IInferenceModel LoadModel(InferenceRequest request, ConfiguredTask task, ModelFolder folder, ILogger logger,
        CancellationToken cancellationToken)
    {
        Device device = request.Device is string deviceName ? TorchRuntime.ParseDevice(deviceName) : TorchRuntime.DefaultDevice();
        ScalarType dtype = request.Dtype is string dtypeName ? TorchRuntime.ParseDtype(dtypeName) : TorchRuntime.DefaultDtype(device);
        var settings = new InferenceSettings(device, dtype, Elementwise: request.Elementwise, Transfers: request.Transfers);
        return task.Load(folder, settings, logger, cancellationToken);
    }

    /// <summary>The message without what only a programmer needs: ArgumentException's parameter name and value.</summary>
    private static string UserMessage(Exception e) => e is ArgumentException { ParamName: string parameter }
        ? e.Message.Split('\n')[0].Replace($" (Parameter '{parameter}')", "", StringComparison.Ordinal)
        : e.Message;

    /// <summary>Errors that end the run with a message: bad options, missing or invalid files, libtorch failures.</summary>
    private static bool IsFatal(Exception e) => e is IOException or InvalidDataException or UnauthorizedAccessException or ModelResolutionException
        or ModelConfigException or CheckpointException or ArgumentException or InvalidOperationException or NotSupportedException
        or ExternalException or CudaException;
}
