using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ModernBert.Coordinator.Planning;
using ModernBert.Fleet.Contracts;
using ModernBert.Hub;
using ModernBert.Inference;
using ModernBert.Storage;

namespace ModernBert.Coordinator.Runs;

/// <summary>
/// Turns a <see cref="RunRequest"/> into the spec of the run it names: the stored spec of a resumed run or of an
/// existing run id given the same inputs and model, or a new spec (written to the runs store) with the model pinned to
/// the commit resolved now, so that a moving branch cannot change it mid-run.
/// </summary>
public sealed class RunSpecs(RunStore store, HuggingFaceModelResolver models, IOptions<RunsOptions> runs, IOptions<PlanningOptions> planning,
    ILogger<RunSpecs> logger)
{
    /// <exception cref="ConfigurationException">The request names no run to resume, conflicts with the existing run of its id, or lacks --input or --model.</exception>
    public async Task<RunSpec> OpenAsync(RunRequest request, CancellationToken cancellationToken)
    {
        if (request.Resume is string resume)
            return await store.ReadSpecAsync(resume, cancellationToken)
                ?? throw new ConfigurationException($"There is no run {resume} in {store.DescribeRun(resume)} (set Runs:Location to the runs store).");
        if (request.RunId is string id && await store.ReadSpecAsync(id, cancellationToken) is { } existing)
        {
            bool sameInputs = request.Inputs.Count == 0 || request.Inputs.Select(StoreLocation.Absolute).SequenceEqual(existing.Inputs);
            bool sameModel = request.Model is null || request.Model == existing.Job.Model
                || Directory.Exists(request.Model) && Path.GetFullPath(request.Model) == existing.Job.Model;
            if (!sameInputs || !sameModel)
                throw new ConfigurationException($"Run {id} exists with other inputs or another model ({string.Join(", ", existing.Inputs)}; " +
                    $"{existing.Job.Model}). Give a new --run-id, or --resume {id} to continue it as it is.");
            logger.LogInformation("Run {Run} exists: resuming it", id);
            return existing;
        }
        if (request.Inputs.Count == 0 || request.Model is null)
            throw new ConfigurationException("A new run needs --input and --model.");
        string folder = await models.ResolveAsync(request.Model, request.Revision, cancellationToken);
        bool local = Directory.Exists(request.Model);
        string runId = request.RunId ?? $"run-{DateTime.UtcNow:yyyyMMdd-HHmmss}-{Guid.NewGuid().ToString("N")[..4]}";
        var spec = new RunSpec
        {
            RunId = runId,
            Inputs = request.Inputs.Select(StoreLocation.Absolute).ToArray(),
            JobTokens = planning.Value.JobTokens,
            WindowOverlap = planning.Value.WindowOverlap,
            CreatedAt = DateTimeOffset.UtcNow,
            Job = new JobSpec
            {
                Task = request.Task.Name,
                // The options as applied to this model (its prompt, its window length), so that workers and the manifest hold them.
                TaskOptions = request.Task.ForModel(ModelFolder.Open(folder)).OptionsJson,
                Model = local ? folder : request.Model,
                Revision = local ? null : Path.GetFileName(folder),
                OutputLocation = StoreLocation.Absolute(request.Output ?? $"{runs.Value.AbsoluteLocation()}/{runId}/output").TrimEnd('/'),
            },
        };
        await store.WriteSpecAsync(spec, cancellationToken);
        return spec;
    }
}
