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
    public async Task<(RunPlanner Planner, IReadOnlyList<CorpusObject> Corpus)> PrepareAsync(RunSpec spec, CancellationToken cancellationToken)
    {
        string folder = await models.ResolveAsync(spec.Job.Model, spec.Job.Revision, cancellationToken);
        ModelFolder model = ModelFolder.Open(folder);
        // A run keeps the job size and window overlap it was planned with, so that a resumed run plans the same jobs.
        PlanningOptions settings = planning.Value;
        if (settings.JobTokens != spec.JobTokens || settings.WindowOverlap != spec.WindowOverlap)
            logger.LogWarning("Run {Run} keeps the {JobTokens} job tokens and {WindowOverlap} window overlap it was planned with; " +
                "Planning:JobTokens {SetJobTokens} and Planning:WindowOverlap {SetWindowOverlap} apply to new runs", spec.RunId,
                spec.JobTokens, spec.WindowOverlap, settings.JobTokens, settings.WindowOverlap);
        var options = new PlanningOptions
        {
            JobTokens = spec.JobTokens,
            WindowOverlap = spec.WindowOverlap,
            LookAheadChunks = settings.LookAheadChunks,
            TokenizerThreads = settings.TokenizerThreads,
        };
        ConfiguredTask task = InferenceTasks.Configure(spec.Job.Task, spec.Job.TaskOptions);
        TaskTokenization tokenization = task.Tokenization;
        var planner = new RunPlanner(model.LoadTokenizer(), options, input.Value, tokenization.MaxTokens ?? model.Config.MaxPositionEmbeddings,
            task.Task.Input, tokenization);
        IReadOnlyList<CorpusObject>? corpus = await store.ReadCorpusAsync(spec.RunId, stores, cancellationToken);
        if (corpus == null)
        {
            corpus = await CorpusResolver.ResolveAsync(stores, spec.Inputs, cancellationToken);
            await store.WriteCorpusAsync(spec.RunId, corpus, cancellationToken);
        }
        return (planner, corpus);
    }
}
