using Microsoft.Extensions.Logging;
using ModernBert.Documents;
using ModernBert.Inference;
using ModernBert.Outputs;
using ModernBert.Tasks;

namespace ModernBert.Coordinator.Corpus;

/// <summary>
/// Gives a task what it takes from its corpus before the run (<see cref="ConfiguredTask.CalibrationTask"/>: the ranges
/// of int8/uint8 embeddings): the first <see cref="SampleChunks"/> chunks of the corpus, in corpus order, so the
/// sample is the same on every machine, run through the calibration task's model in this process.
/// </summary>
internal static class TaskCalibration
{
    public const int SampleChunks = 1024;
    private const int BatchTokens = 8192;

    /// <exception cref="ConfigurationException">The corpus has no document to sample.</exception>
    public static async Task<ConfiguredTask> CalibrateAsync(ConfiguredTask task, ModelFolder folder, IAsyncEnumerable<TokenizedRecord> corpus,
        InferenceSettings settings, ILogger? logger, CancellationToken cancellationToken)
    {
        if (task.CalibrationTask is not { } calibration)
            return task;
        var chunks = new List<DocumentChunk>(SampleChunks);
        await foreach (TokenizedRecord record in corpus.WithCancellation(cancellationToken))
        {
            chunks.AddRange(record.Chunks ?? []);
            if (chunks.Count >= SampleChunks)
                break;
        }
        logger?.LogInformation("Computing the {Task} task's calibration from the corpus's first {Chunks} chunks", task.Name, Math.Min(chunks.Count, SampleChunks));
        using IInferenceModel model = calibration.Load(folder, settings, logger, cancellationToken);
        IReadOnlyList<ChunkResult> results = new InferenceRunner(model, BatchTokens, logger).Run(chunks.Take(SampleChunks).ToList(), cancellationToken);
        List<ResultRow> rows = [.. results.Where(result => result.Row is not null).Select(result => result.Row!)];
        return task.Calibrated(rows);
    }
}
