using ModernBert.Coordinator.Corpus;
using ModernBert.Coordinator.Planning;
using ModernBert.Documents;
using ModernBert.Inference;
using ModernBert.Outputs;

namespace ModernBert.Coordinator.Cli;

/// <summary>How many documents a run wrote (in how many rows) and what it skipped.</summary>
internal readonly record struct InferenceSummary(long Documents, long Rows, SkippedCounts Skipped);

/// <summary>
/// Streams a corpus, as the <see cref="CorpusPipeline"/> yields it, through a model into a result sink: documents are
/// gathered into groups of about one batch, run, and written in input order. A group is queued on the device before
/// the one before it is written, so the device does not wait for the writes. A document is written whole or not at
/// all: one that the pipeline rejected or whose chunk fails is reported with its origin and skipped. Memory is
/// bounded by the look-ahead of the pipeline and three groups.
/// </summary>
internal sealed class CorpusInference(InferenceRunner runner, TextWriter problems)
{
    public async Task<InferenceSummary> RunAsync(IAsyncEnumerable<TokenizedRecord> records, IResultSink sink, CancellationToken cancellationToken)
    {
        var summary = new InferenceSummary();
        var group = new List<Document>();
        long groupTokens = 0;
        var running = new Queue<RunningGroup>();
        try
        {
            await foreach (TokenizedRecord record in records.WithCancellation(cancellationToken))
            {
                if (record.Rejection is RejectedDocument rejected)
                {
                    await problems.WriteLineAsync(SkippedReport.Of(rejected));
                    summary = summary with { Skipped = summary.Skipped.Add(rejected) };
                    continue;
                }
                var document = new Document(record.Record.Origin, record.Chunks!);
                long tokens = document.TokenCount;
                if (group.Count > 0 && groupTokens + tokens > runner.BatchTokens)
                {
                    running.Enqueue(Start(group, cancellationToken));
                    group = [];
                    groupTokens = 0;
                    if (running.Count > 1)
                        summary = await WriteAsync(running.Dequeue(), sink, summary, cancellationToken);
                }
                group.Add(document);
                groupTokens += tokens;
            }
            if (group.Count > 0)
                running.Enqueue(Start(group, cancellationToken));
            while (running.Count > 0)
                summary = await WriteAsync(running.Dequeue(), sink, summary, cancellationToken);
        }
        finally
        {
            // A group still running uses the model, which the caller disposes once this returns; its own error, if
            // any, is secondary to the one that ends the run.
            foreach (RunningGroup left in running)
                await ((Task)left.Results).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
        return summary;
    }

    /// <summary>Runs the group's chunks beside the caller, which goes on gathering the next group meanwhile.</summary>
    private RunningGroup Start(List<Document> group, CancellationToken cancellationToken)
    {
        DocumentChunk[] chunks = [.. group.SelectMany(document => document.Chunks)];
        return new RunningGroup(group, Task.Run(() => runner.Run(chunks, cancellationToken), cancellationToken));
    }

    private async Task<InferenceSummary> WriteAsync(RunningGroup running, IResultSink sink, InferenceSummary summary, CancellationToken cancellationToken)
    {
        IReadOnlyList<ChunkResult> results = await running.Results;
        var rows = new List<ResultRow>(results.Count);
        int first = 0;
        foreach (Document document in running.Group)
        {
            int end = first + document.Chunks.Length;
            ChunkResult? failed = FirstFailure(results, first, end);
            if (failed != null)
            {
                string what = document.Chunks.Length == 1 ? $"document '{failed.Chunk.Id}'" : $"window {failed.Chunk.Chunk} of document '{failed.Chunk.Id}'";
                var rejected = new RejectedDocument(null, document.Origin, $"{what} failed: {failed.Failure}");
                await problems.WriteLineAsync(SkippedReport.Of(rejected));
                summary = summary with { Skipped = summary.Skipped.Add(rejected) };
            }
            else
            {
                for (int i = first; i < end; i++)
                    rows.Add(results[i].Row!);
                summary = summary with { Documents = summary.Documents + 1, Rows = summary.Rows + document.Chunks.Length };
            }
            first = end;
        }
        if (rows.Count > 0)
            await sink.WriteAsync(rows, cancellationToken);
        return summary;
    }

    private static ChunkResult? FirstFailure(IReadOnlyList<ChunkResult> results, int first, int end)
    {
        for (int i = first; i < end; i++)
        {
            if (!results[i].Succeeded)
                return results[i];
        }
        return null;
    }

    /// <summary>A group of documents and its results to come.</summary>
    private sealed record RunningGroup(List<Document> Group, Task<IReadOnlyList<ChunkResult>> Results);

    /// <summary>A document's chunks and where it came from.</summary>
    private sealed record Document(string Origin, DocumentChunk[] Chunks)
    {
        public long TokenCount => Chunks.Sum(chunk => (long)chunk.InputIds.Length);
    }
}
