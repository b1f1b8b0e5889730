using ModernBert.Coordinator.Cli;
using ModernBert.Documents;
using ModernBert.Coordinator.Corpus;
using ModernBert.Coordinator.Planning;
using ModernBert.Inference;
using ModernBert.Inputs;
using ModernBert.Outputs;
using ModernBert.Tests.Common;
using ModernBert.Tests.Inference;
using ModernBert.Tokenization;

namespace ModernBert.Tests.Cli;

/// <summary>The embed/classify pipeline over a fake model: grouping, ordering, and documents whose chunks fail.</summary>
public sealed class CorpusInferenceTests
{
    private const int Cls = 50281, Sep = 50282;

    [Fact]
    public async Task ADocumentWithAChunkThatFailsIsSkippedWhole_TheOthersAreWrittenInOrder()
    {
        // Windows of 16 tokens, which the fake model's 12-token memory cannot hold.
        CorpusPipeline pipeline = Pipeline();
        var fake = new FakeInferenceModel(memoryTokens: 12);
        var problems = new StringWriter();
        var sink = new RecordingSink();
        InputRecord[] records =
        [
            Document("a", 5, "in.jsonl:1"),
            new MalformedInput("invalid JSON", "in.jsonl:2"),
            Document("long", 30, "in.jsonl:3"),
            .. Enumerable.Range(0, 6).Select(i => Document($"small{i}", 3, $"in.jsonl:{4 + i}")),
            new MalformedInput("the object cannot be read; the rest of it is skipped: truncated.", "in.jsonl", RestUnread: true),
        ];

        InferenceSummary summary = await new CorpusInference(new InferenceRunner(fake, batchTokens: 12), problems)
            .RunAsync(pipeline.TokenizeAsync(records.ToAsyncEnumerable(), TestContext.Current.CancellationToken), sink, TestContext.Current.CancellationToken);

        Assert.Equal(new InferenceSummary(Documents: 7, Rows: 7, Skipped: new SkippedCounts(Documents: 2, UnreadObjects: 1)), summary);
        Assert.Equal(["a", .. Enumerable.Range(0, 6).Select(i => $"small{i}")], sink.Rows.Select(row => row.Id));
        string[] reported = problems.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("in.jsonl:2: invalid JSON; document skipped.", reported[0]);
        Assert.StartsWith("in.jsonl:3: window 0 of document 'long' failed: out of memory even alone (16 tokens): CUDA out of memory.", reported[1], StringComparison.Ordinal);
        Assert.EndsWith("; document skipped.", reported[1], StringComparison.Ordinal);
        Assert.Equal("in.jsonl: the object cannot be read; the rest of it is skipped: truncated.", reported[2]);
        Assert.Equal(3, reported.Length);
        Assert.All(fake.Batches.Where(batch => batch.Length > 1), batch => Assert.True(batch.Sum(chunk => chunk.InputIds.Length) <= 12));
    }

    [Fact]
    public async Task TheNextGroupIsQueuedOnTheDeviceBeforeThePreviousOneIsWritten()
    {
        CorpusPipeline pipeline = Pipeline();
        using var secondQueued = new ManualResetEventSlim();
        var fake = new FakeInferenceModel { Starting = batch => { if (batch[0].Id == "b") secondQueued.Set(); } };
        var sink = new RecordingSink { Writing = rows => { if (rows[0].Id == "a") Assert.True(secondQueued.Wait(TimeSpan.FromSeconds(30)), "b was not queued before a was written"); } };
        InputRecord[] records = [Document("a", 8, "in.jsonl:1"), Document("b", 8, "in.jsonl:2"), Document("c", 8, "in.jsonl:3")];

        InferenceSummary summary = await new CorpusInference(new InferenceRunner(fake, batchTokens: 12), new StringWriter())
            .RunAsync(pipeline.TokenizeAsync(records.ToAsyncEnumerable(), TestContext.Current.CancellationToken), sink, TestContext.Current.CancellationToken);

        Assert.Equal(new InferenceSummary(Documents: 3, Rows: 3, Skipped: new SkippedCounts()), summary);
        Assert.Equal(["a", "b", "c"], sink.Rows.Select(row => row.Id));
        Assert.Equal(3, fake.Batches.Count);
        Assert.Equal(0, fake.Unfreed);
    }

    // Windows of 16 tokens.
    private static CorpusPipeline Pipeline() =>
        new(new InputOptions(), ModernBertTokenizer.Load(Fixtures.Require("tiny-modernbert-mlm")), new DocumentWindows(16, 0, Cls, Sep), threads: 2);

    private static InputDocument Document(string id, int tokens, string origin) =>
        new(id, null, [Cls, .. Enumerable.Range(100, tokens), Sep], origin);

    private sealed class RecordingSink : IResultSink
    {
        public List<ResultRow> Rows { get; } = [];

        /// <summary>Runs at each write, before the rows are recorded.</summary>
        public Action<IReadOnlyList<ResultRow>>? Writing { get; init; }

        public Task WriteAsync(IReadOnlyList<ResultRow> rows, CancellationToken cancellationToken)
        {
            Writing?.Invoke(rows);
            Rows.AddRange(rows);
            return Task.CompletedTask;
        }

        public Task CompleteAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
