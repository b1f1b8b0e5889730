using ModernBert.Modeling;
using System.Runtime.InteropServices;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ModernBert.Composition;
using ModernBert.Coordinator.Corpus;
using ModernBert.Coordinator.Planning;
using ModernBert.Hub;
using ModernBert.Documents;
using ModernBert.Inference;
using ModernBert.Outputs;
using ModernBert.Tasks;
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
    /// <param name="name">The command's name, which its error lines start with.</param>
    /// <param name="read">Reads the request and the task from the command line; what it throws is reported as the run's errors are.</param>
    public static Task<int> RunAsync(string name, Func<(InferenceRequest Request, ConfiguredTask Task)> read, TextWriter console, TextWriter errors,
        CancellationToken cancellationToken)
    {
        return CommandOutcome.RunAsync(name, errors, async () =>
        {
            (InferenceRequest request, ConfiguredTask task) = read();
            InferenceSummary summary = await RunOrThrowAsync(request, task, errors, cancellationToken);
            await console.WriteLineAsync(
                $"Wrote {Counted.Of(summary.Documents, "document")} ({Counted.Of(summary.Rows, "row")}) to {request.Output.FullName}; " +
                $"{SkippedReport.Summary(summary.Skipped)}.");
            return ExitCodes.Completed;
        }, cancellationToken);
    }

    private static async Task<InferenceSummary> RunOrThrowAsync(InferenceRequest request, ConfiguredTask task, TextWriter errors,
        CancellationToken cancellationToken)
    {
        using IHost host = CoordinatorHost.ForLocalInference(CliConfiguration.Build(request.Settings, quietLogs: true), errors);
        host.Services.ValidateSettings();
        WorkerOptions worker = host.Services.GetRequiredService<IOptions<WorkerOptions>>().Value;
        int windowOverlap = request.WindowOverlap ?? host.Services.GetRequiredService<IOptions<PlanningOptions>>().Value.WindowOverlap;
        InferenceSettings settings = Setting(() => Settings(request, worker));
        HuggingFaceModelResolver models = host.Services.GetRequiredService<HuggingFaceModelResolver>();
        ModelFolder folder = ModelFolder.Open(await models.ResolveAsync(request.Model, null, cancellationToken));
        task = task.ForModel(folder);
        CommandCorpus corpus = await OpenCorpusAsync(host.Services, request, windowOverlap, task, folder, cancellationToken);
        OutputOptions output = host.Services.GetRequiredService<IOptions<OutputOptions>>().Value;
        ILogger logger = host.Services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(InferenceCommand).FullName!);
        task = await TaskCalibration.CalibrateAsync(task, folder, corpus.ReadAsync(cancellationToken), settings, logger, cancellationToken);

        await using IResultSink sink = Setting(() => CreateSink(request, task, output));
        using IInferenceModel model = Setting(() => task.Load(folder, settings, logger, cancellationToken));
        var runner = new InferenceRunner(model, request.BatchTokens ?? worker.BatchTokens, logger);

        InferenceSummary summary = await new CorpusInference(runner, errors).RunAsync(corpus.ReadAsync(cancellationToken), sink, cancellationToken);
        await sink.CompleteAsync(cancellationToken);
        return summary;
    }

    /// <summary>The corpus as every command reads it, tokenized with the model's tokenizer into windows of the task's length, with its prompt.</summary>
    private static async Task<CommandCorpus> OpenCorpusAsync(IServiceProvider services, InferenceRequest request, int windowOverlap, ConfiguredTask task,
        ModelFolder folder, CancellationToken cancellationToken)
    {
        ModernBertTokenizer tokenizer = folder.Tokenizer;
        DocumentWindows windows;
        try
        {
            windows = new DocumentWindows(task.Tokenization.MaxTokens ?? folder.Config.MaxPositionEmbeddings, windowOverlap,
                tokenizer.ClsTokenId, tokenizer.SepTokenId);
        }
        catch (ArgumentOutOfRangeException e)
        {
            string setting = request.WindowOverlap is null
                ? $"{PlanningOptions.SectionName}:{nameof(PlanningOptions.WindowOverlap)} is {windowOverlap}"
                : $"--window-overlap {windowOverlap}";
            throw new ConfigurationException($"{setting}: {CommandOutcome.UserMessage(e)}");
        }
        return await CommandCorpus.OpenAsync(services, request.Inputs, request.Output, tokenizer, windows, keepJsonLines: false, task.Task.Input, cancellationToken,
            task.Tokenization);
    }

    /// <summary>The task's result file, with the model and task named in its footer.</summary>
    private static IResultSink CreateSink(InferenceRequest request, ConfiguredTask task, OutputOptions output) =>
        ResultSinks.Create(request.Output.FullName, task.Schema, output, ResultFileMetadata.Create(request.Model, task.Name));

    /// <summary>
    /// How the model runs: each setting from the command line, else from the <c>Worker</c> section, as a worker of
    /// <c>run</c> would take it. These commands run on one device, so <c>Worker:Devices</c> counts only where it names one.
    /// </summary>
    private static InferenceSettings Settings(InferenceRequest request, WorkerOptions worker)
    {
        string? deviceName = request.Device ?? worker.ListedDevices switch
        {
            null => null,
            [string only] => only,
            _ => throw new ConfigurationException(
                $"{WorkerOptions.SectionName}:{nameof(WorkerOptions.Devices)} is '{worker.Devices}'; embed and classify run on one device: name it with --device."),
        };
        Device device = DeviceOptions.Resolve(deviceName);
        ModelDtype dtype = ModelDtype.ParseOrDefault(request.Dtype ?? worker.Dtype, device);
        return new InferenceSettings(device, dtype, worker.Attention, request.Elementwise ?? worker.Elementwise, request.Transfers ?? worker.Transfers);
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
            throw new ConfigurationException(CommandOutcome.UserMessage(e));
        }
    }
}
