using ModernBert.Coordinator.Planning;
using ModernBert.Documents;
using ModernBert.Inference;
using ModernBert.Inputs;
using ModernBert.Outputs;

namespace ModernBert.Coordinator.Cli;

/// <summary>How many documents a run wrote (in how many rows) and how many it skipped.</summary>
internal readonly record struct InferenceSummary(long Documents, long Rows, long Skipped);

/// <summary>
/// Streams a corpus through a model into a result sink: records are tokenized and split into windows on all cores,
/// gathered into groups of about one batch, run, and written in input order. A document is written whole or not at
/// all: one that cannot be tokenized or whose chunk fails is reported with its origin and skipped. Memory is bounded
/// by the look-ahead of the tokenization and one group.
/// </summary>
internal sealed class CorpusInference(DocumentTokenizer tokenizer, InferenceRunner runner, TextWriter problems)
{
    private const int MaxTokenizationBatchDocuments = 128;
    private const long MaxTokenizationBatchCost = 1 << 20;

    public async Task<InferenceSummary> RunAsync(IAsyncEnumerable<InputRecord> records, IResultSink sink, CancellationToken cancellationToken)
    {
        var tokenization = new OrderedParallelSelector<InputRecord, (string Origin, TokenizedRecord Tokenized)>(
            record => (record.Origin, tokenizer.Tokenize(record)), DocumentTokenizer.CostOf,
            Environment.ProcessorCount, MaxTokenizationBatchDocuments, MaxTokenizationBatchCost);
        var summary = new InferenceSummary();
        var group = new List<Document>();
        long groupTokens = 0;
        await foreach ((string origin, TokenizedRecord record) in tokenization.SelectAsync(records, cancellationToken))
        {
            if (record.Rejection is RejectedDocument rejected)
            {
                await problems.WriteLineAsync($"{rejected}; document skipped.");
                summary = summary with { Skipped = summary.Skipped + 1 };
                continue;
            }
            var document = new Document(origin, record.Chunks!);
            long tokens = document.TokenCount;
            if (group.Count > 0 && groupTokens + tokens > runner.BatchTokens)
            {
                summary = await RunGroupAsync(group, sink, summary, cancellationToken);
                group.Clear();
                groupTokens = 0;
            }
            group.Add(document);
            groupTokens += tokens;
        }
        if (group.Count > 0)
            summary = await RunGroupAsync(group, sink, summary, cancellationToken);
        return summary;
    }

    private async Task<InferenceSummary> RunGroupAsync(List<Document> group, IResultSink sink, InferenceSummary summary, CancellationToken cancellationToken)
    {
        IReadOnlyList<ChunkResult> results = runner.Run([.. group.SelectMany(document => document.Chunks)], cancellationToken);
        var rows = new List<ResultRow>(results.Count);
        int first = 0;
        foreach (Document document in group)
        {
            int end = first + document.Chunks.Length;
            ChunkResult? failed = FirstFailure(results, first, end);
            if (failed != null)
            {
                string what = document.Chunks.Length == 1 ? $"document '{failed.Chunk.Id}'" : $"window {failed.Chunk.Chunk} of document '{failed.Chunk.Id}'";
                await ReportAsync(document.Origin, $"{what} failed: {failed.Failure}");
                summary = summary with { Skipped = summary.Skipped + 1 };
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

    private Task ReportAsync(string origin, string problem) => problems.WriteLineAsync($"{origin}: {problem}; document skipped.");

    /// <summary>A document's chunks and where it came from.</summary>
    private sealed record Document(string Origin, DocumentChunk[] Chunks)
    {
        public long TokenCount => Chunks.Sum(chunk => (long)chunk.InputIds.Length);
    }
}
