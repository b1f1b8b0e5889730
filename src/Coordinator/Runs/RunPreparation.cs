using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ModernBert.Coordinator.Planning;
using ModernBert.Hub;
using ModernBert.Inference;
using ModernBert.Inputs;
using ModernBert.Storage;
using ModernBert.Tasks;

namespace ModernBert.Coordinator.Runs;

/// <summary>
/// What planning a run needs: a planner with the run's model's tokenizer and the run's job size, and its corpus,
/// listed once and kept in the runs store, so that a resumed run reads the same objects in the same order.
/// </summary>
public sealed class RunPreparation(RunStore store, ObjectStoreFactory stores, HuggingFaceModelResolver models,
    IOptions<PlanningOptions> planning, IOptions<InputOptions> input, ILogger<RunPreparation> logger)
{
    /// <param name="model">The run's model folder where the caller opened it (a new run); null: resolved and opened here.</param>
    public async Task<(RunPlanner Planner, IReadOnlyList<CorpusObject> Corpus)> PrepareAsync(RunSpec spec, ModelFolder? model,
        CancellationToken cancellationToken)
    {
        model ??= ModelFolder.Open(await models.ResolveAsync(spec.Job.Model, spec.Job.Revision, cancellationToken));
        PlanningOptions options = PlanningOf(spec, planning.Value);
        if (planning.Value.JobTokens != options.JobTokens || planning.Value.WindowOverlap != options.WindowOverlap ||
            planning.Value.LookAheadChunks != options.LookAheadChunks || planning.Value.LookAheadTokens != options.LookAheadTokens)
            logger.LogWarning("Run {Run} keeps the {JobTokens} job tokens, {WindowOverlap} window overlap and look-ahead of {LookAheadChunks} " +
                "chunks and {LookAheadTokens} tokens it was planned with; the Planning settings apply to new runs", spec.RunId,
                options.JobTokens, options.WindowOverlap, options.LookAheadChunks, options.LookAheadTokens);
        InputOptions fields = spec.Input ?? input.Value;
        if (fields != input.Value)
            logger.LogWarning("Run {Run} reads its corpus with the field names it was planned with (Input:IdField {IdField}, TextField {TextField}, " +
                "InputIdsField {InputIdsField}, TextPairField {TextPairField}); the Input settings apply to new runs", spec.RunId,
                fields.IdField, fields.TextField, fields.InputIdsField, fields.TextPairField);
        RunPlanner planner = Planner(model, InferenceTasks.Configure(spec.Job.Task, spec.Job.TaskOptions), options, fields);
        IReadOnlyList<CorpusObject>? corpus = await store.ReadCorpusAsync(spec.RunId, stores, cancellationToken);
        if (corpus == null)
        {
            corpus = await CorpusResolver.ResolveAsync(stores, spec.Inputs, cancellationToken);
            await store.WriteCorpusAsync(spec.RunId, corpus, cancellationToken);
        }
        return (planner, corpus);
    }

    /// <summary>The planner of a run of <paramref name="task"/> on <paramref name="model"/>: its tokenizer, windows and task tokenization.</summary>
    /// <exception cref="ConfigurationException">The window overlap leaves no room in a window, or the task's prefix or mask token is not one of the tokenizer's.</exception>
    internal static RunPlanner Planner(ModelFolder model, ConfiguredTask task, PlanningOptions options, InputOptions input)
    {
        TaskTokenization tokenization = task.Tokenization;
        return new RunPlanner(model.Tokenizer, options, input, tokenization.MaxTokens ?? model.Config.MaxPositionEmbeddings, task.Task.Input,
            tokenization);
    }

    /// <summary>
    /// The planning a run was planned with, so that a resumed run packs the same jobs: its job size, window overlap and
    /// look-ahead from its spec (a run planned before the look-ahead was kept: the look-ahead in chunks set now, which
    /// it had then unless changed since, and no token bound), the tokenizer threads set now.
    /// </summary>
    internal static PlanningOptions PlanningOf(RunSpec spec, PlanningOptions settings) => new()
    {
        JobTokens = spec.JobTokens,
        WindowOverlap = spec.WindowOverlap,
        LookAheadChunks = spec.LookAheadChunks ?? settings.LookAheadChunks,
        LookAheadTokens = spec.LookAheadTokens ?? long.MaxValue,
        TokenizerThreads = settings.TokenizerThreads,
    };
}
