using ModernBert.Modeling;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ModernBert.Coordinator.Corpus;
using ModernBert.Coordinator.Planning;
using ModernBert.Documents;
using ModernBert.Fleet;
using ModernBert.Fleet.Contracts;
using ModernBert.Hub;
using ModernBert.Inference;
using ModernBert.Inputs;
using ModernBert.Storage;
using ModernBert.Tasks;
using ModernBert.Tokenization;
using static TorchSharp.torch;

namespace ModernBert.Coordinator.Runs;

/// <summary>
/// Turns a <see cref="RunRequest"/> into the spec of the run it names, in two steps around the run's lease, so that a
/// request that cannot start leaves nothing behind. <see cref="OpenAsync"/>, before the lease, reads the stored spec of a
/// resumed run or of an existing run id (refusing a request that gives other settings than the run's), or makes a new spec: the model pinned to the
/// commit resolved now, so that a moving branch cannot change it mid-run, its task's options as applied to that model,
/// calibrated from a sample of the corpus when the task needs one (<see cref="TaskCalibration"/>), and its corpus listing.
/// <see cref="KeepAsync"/>, under the lease, writes a new spec and its listing (which <see cref="RunPreparation"/> reads).
/// </summary>
public sealed class RunSpecs(RunStore store, HuggingFaceModelResolver models, IOptions<RunsOptions> runs, IOptions<PlanningOptions> planning,
    ObjectStoreFactory stores, IOptions<InputOptions> input, ILogger<RunSpecs> logger)
{
    private static string NewRunId() => $"run-{DateTime.UtcNow:yyyyMMdd-HHmmss}-{Guid.NewGuid().ToString("N")[..4]}";

    /// <summary>The spec of the run the request names, and, for a new run, the corpus listing to keep beside it; nothing is written.</summary>
    /// <exception cref="ConfigurationException">
    /// The request names no run to resume, gives other settings than the existing run of its id, or lacks --input or --model.
    /// </exception>
    /// <exception cref="StorageLocationException">An input matches nothing, or the output location cannot be opened.</exception>
    /// <exception cref="ModelConfigException">The task cannot run on the model.</exception>
    public async Task<OpenedRunSpec> OpenAsync(RunRequest request, CancellationToken cancellationToken)
    {
        if (request.Resume is string resume)
        {
            if (request.RunId is string other && other != resume)
                throw new ConfigurationException($"--resume {resume} and --run-id {other} name two runs: give one.");
            return new OpenedRunSpec(Existing(request, await store.ReadExistingSpecAsync(resume, cancellationToken)), null);
        }
        if (request.RunId is string id && await store.ReadSpecAsync(id, cancellationToken) is { } existing)
            return new OpenedRunSpec(Existing(request, existing), null);
        if (request.Inputs.Count == 0 || request.Model is null)
            throw new ConfigurationException("A new run needs --input and --model.");
        string folder = await models.ResolveAsync(request.Model, request.Revision, cancellationToken);
        bool local = Directory.Exists(request.Model);
        string runId = request.RunId ?? NewRunId();
        IReadOnlyList<string> inputs = [.. request.Inputs.Select(StoreLocation.Absolute)];
        // The options as applied to this model (its prompt, its window length, its calibration), so that workers and the manifest hold them.
        // A model the task cannot run, a prefix its tokenizer lacks, inputs that match nothing or an output location that
        // cannot be opened (wildcards, no Azure account) end the command here, before a run exists.
        string output = StoreLocation.Absolute(request.Output ?? $"{runs.Value.AbsoluteLocation()}/{runId}/output").TrimEnd('/');
        await EnsureHoldsNoRunAsync(stores.OpenFolder(StoreLocation.Parse(output)), output, cancellationToken);
        ModelFolder model = ModelFolder.Open(folder);
        ConfiguredTask task = request.NewRunTask.ForModel(model);
        RunPlanner planner = RunPreparation.Planner(model, task, planning.Value, input.Value);
        IReadOnlyList<CorpusObject> corpus = await CorpusResolver.ResolveAsync(stores, inputs, cancellationToken);
        task = await CalibrateAsync(task, model, planner, corpus, cancellationToken);
        var spec = new RunSpec
        {
            RunId = runId,
            Inputs = inputs,
            JobTokens = planning.Value.JobTokens,
            WindowOverlap = planning.Value.WindowOverlap,
            LookAheadChunks = planning.Value.LookAheadChunks,
            LookAheadTokens = planning.Value.LookAheadTokens,
            Input = input.Value with { },
            CreatedAt = DateTimeOffset.UtcNow,
            Requested = new RequestedRunSettings(request.NewRunTask.Name, request.NewRunTask.OptionsJson, request.Revision),
            Job = new JobSpec
            {
                Task = task.Name,
                TaskOptions = task.OptionsJson,
                Model = local ? folder : request.Model,
                Revision = local ? null : Path.GetFileName(folder),
                OutputLocation = output,
            },
        };
        return new OpenedRunSpec(spec, new OpenedNewRun(corpus, model));
    }

    /// <summary>
    /// Under the run's lease: the spec of the run, writing an opened new one and its corpus listing, with the model folder
    /// opened for it; when another coordinator created a run of the same id since it was opened, that run's spec, as an
    /// existing run id's. The model is null where the spec is not the new one opened.
    /// </summary>
    /// <exception cref="ConfigurationException">The run created meanwhile has other settings than the request's.</exception>
    public async Task<(RunSpec Spec, ModelFolder? Model)> KeepAsync(OpenedRunSpec opened, RunRequest request, CancellationToken cancellationToken)
    {
        if (opened.NewRun is not { } newRun)
            return (opened.Spec, null);
        if (await store.ReadSpecAsync(opened.Spec.RunId, cancellationToken) is { } existing)
            return (Existing(request, existing), null);
        await store.WriteSpecAsync(opened.Spec, cancellationToken);
        await store.WriteCorpusAsync(opened.Spec.RunId, newRun.Corpus, cancellationToken);
        return (opened.Spec, newRun.Model);
    }

    /// <summary>
    /// Refuses a new run's output location that holds a run's output: the new run's workers would take that run's
    /// <c>_CLOSED</c> for their own and drop every result, and its finalizing would delete that run's part files. Reaching
    /// the location here also fails early where the storage refuses it (a missing container, a key it does not accept).
    /// </summary>
    private static async Task EnsureHoldsNoRunAsync(IObjectStore output, string location, CancellationToken cancellationToken)
    {
        foreach (string marker in new[] { RunOutput.ClosedMarker, RunOutput.SuccessMarker, RunOutput.Manifest })
        {
            if (await output.GetLengthAsync(marker, cancellationToken) is not null)
                throw new ConfigurationException($"The output location {location} holds another run's output ({marker}): give the new run " +
                    "its own --output, or resume that run with its --run-id.");
        }
        await foreach (ObjectInfo part in output.ListAsync(RunOutput.PartsPrefix, cancellationToken))
            throw new ConfigurationException($"The output location {location} holds another run's part files ({part.Key}): give the new run " +
                "its own --output, or resume that run with its --run-id.");
    }

    private RunSpec Existing(RunRequest request, RunSpec existing)
    {
        if (Differences(request, existing).ToList() is [_, ..] differences)
            throw new ConfigurationException($"Run {existing.RunId} exists with other settings: it has {string.Join("; ", differences)}. " +
                $"Give a new --run-id, or --resume {existing.RunId} without them to continue it as it is.");
        logger.LogInformation("Run {Run} exists: resuming it", existing.RunId);
        return existing;
    }

    /// <summary>What the request gives that differs from the run's settings, as the run has it.</summary>
    private static IEnumerable<string> Differences(RunRequest request, RunSpec existing)
    {
        if (request.Inputs.Count > 0 && !request.Inputs.Select(StoreLocation.Absolute).SequenceEqual(existing.Inputs))
            yield return $"inputs {string.Join(", ", existing.Inputs)}";
        if (request.Model is not null && request.Model != existing.Job.Model
            && !(Directory.Exists(request.Model) && Path.GetFullPath(request.Model) == existing.Job.Model))
            yield return $"model {existing.Job.Model}";
        if (request.Output is not null && StoreLocation.Absolute(request.Output).TrimEnd('/') != existing.Job.OutputLocation)
            yield return $"output {existing.Job.OutputLocation}";
        if (existing.Requested is not { } requested)
            yield break;
        if (request.Revision is not null && request.Revision != requested.Revision)
            yield return $"revision {requested.Revision ?? "(none)"}";
        if (request.Task is { } task && (task.Name, task.OptionsJson) != (requested.Task, requested.TaskOptions))
            yield return $"task {requested.Task} {requested.TaskOptions}";
    }

    /// <summary>The task calibrated from the corpus's first chunks, read as the run will read them, on this machine's default device.</summary>
    private async Task<ConfiguredTask> CalibrateAsync(ConfiguredTask task, ModelFolder model, RunPlanner planner, IReadOnlyList<CorpusObject> corpus,
        CancellationToken cancellationToken)
    {
        if (task.CalibrationTask is null)
            return task;
        Device device = TorchRuntime.DefaultDevice();
        return await TaskCalibration.CalibrateAsync(task, model, planner.ReadAsync(corpus, cancellationToken),
            new InferenceSettings(device, ModelDtype.Default(device)), logger, cancellationToken);
    }
}
