using System.Text.Json;
using Microsoft.Extensions.Configuration;
using ModernBert.Coordinator.Cli;
using ModernBert.Coordinator.Benchmarks;
using ModernBert.Coordinator.Planning;
using ModernBert.Documents;
using ModernBert.Inputs;
using ModernBert.Tests.Tokenization;
using ModernBert.Tests.Composition;
using ModernBert.Tokenization;

namespace ModernBert.Tests.Planning;

public sealed class RunPlannerTests : CorpusFolderTests
{
    private const int JobTokens = 64;
    private const int ModelTokens = 32;

    [Fact]
    public async Task PlansAJsonlCorpusIntoJobsAndReportsEveryBadRecordWithItsOrigin()
    {
        ModernBertTokenizer tokenizer = ReferenceTokenizer.Load();
        string longText = string.Join(' ', Enumerable.Range(0, 40).Select(i => $"sentence number {i}."));
        var texts = new Dictionary<string, string>
        {
            ["d1"] = "Hello world.",
            ["d2"] = longText,
            ["d4"] = "",
            ["d5"] = "A document after the unreadable object.",
        };
        Corpus.WriteText("in/a.jsonl", string.Join('\n',
            Line("d1", texts["d1"]),
            "not json",
            Line("d2", texts["d2"]),
            Line("d1", "the same id again"),
            $$"""{"id":"d3","input_ids":[{{tokenizer.ClsTokenId}},60000,{{tokenizer.SepTokenId}}]}""",
            Line("d4", texts["d4"])) + "\n");
        Corpus.WriteText("in/b.jsonl.gz", "this is not gzip data");
        Corpus.WriteText("in/c.jsonl", Line("d5", texts["d5"]) + "\n");
        IReadOnlyList<CorpusObject> objects = await CorpusResolver.ResolveAsync(Factory(), [Corpus.PathOf("in")], Cancellation);
        var planner = new RunPlanner(tokenizer, Options(tokenizerThreads: 3), new InputOptions(), ModelTokens);

        List<PlannedItem> items = await planner.PlanAsync(objects, Cancellation).ToListAsync(Cancellation);

        string a = Corpus.PathOf("in/a.jsonl");
        var rejections = items.OfType<RejectedDocument>().ToList();
        Assert.Equal([(null, $"{a}:2"), (null, $"{a}:4"), ("d3", $"{a}:5"), (null, Corpus.PathOf("in/b.jsonl.gz"))],
            rejections.Select(r => (r.Id, r.Origin)));
        Assert.StartsWith("invalid JSON", rejections[0].Reason);
        Assert.StartsWith("duplicate id 'd1'", rejections[1].Reason);
        Assert.Equal("input id 60000 at position 1 is outside the vocabulary (0..50367)", rejections[2].Reason);
        Assert.StartsWith("the object cannot be read; the rest of it is skipped: ", rejections[3].Reason);

        var jobs = items.OfType<PackedJob>().ToList();
        var windows = new DocumentWindows(ModelTokens, 0, tokenizer.ClsTokenId, tokenizer.SepTokenId);
        DocumentChunk[] expected = [.. texts.SelectMany(text => windows.Split(text.Key, tokenizer.Encode(text.Value)))];
        Assert.Equal(expected.Select(Describe).Order(), jobs.SelectMany(job => job.Chunks).Select(Describe).Order());
        Assert.Equal(Enumerable.Range(0, jobs.Count).Select(i => (long)i), jobs.Select(job => job.JobId));
        Assert.All(jobs, job => Assert.InRange(job.TokenCount, 1, JobTokens));
        Assert.True(expected.Count(chunk => chunk.Id == "d2") > 2, "The long document was not split.");

        PlanningStatistics statistics = planner.Statistics;
        Assert.Equal((7L, 3L, 1L, 1L), (statistics.DocumentsRead, statistics.DocumentsRejected, statistics.DocumentsSplit, statistics.InputsUnread));
        Assert.StartsWith("7 documents read (3 rejected, 1 split) and the unreadable rest of 1 input, ", statistics.ToString());
        Assert.Equal((expected.Length, (long)jobs.Count), (statistics.Chunks, statistics.Jobs));
        Assert.Equal(expected.Sum(chunk => (long)chunk.InputIds.Length), statistics.Tokens);
        Assert.Equal(statistics.Tokens / (double)(jobs.Count * JobTokens), statistics.PackingEfficiency, 12);
    }

    [Fact]
    public async Task InputSettingsFromTheConfigurationNameTheFields_AndADuplicateIdIsRejectedAtItsOrigin()
    {
        ModernBertTokenizer tokenizer = ReferenceTokenizer.Load();
        Corpus.WriteText("in.jsonl", string.Join('\n',
            """{"key": "a", "body": "Hello world.", "text": 1}""",
            """{"key": "b", "body": "Another one."}""",
            """{"key": "a", "body": "Again."}""") + "\n");
        IConfiguration configuration = CliConfiguration.Build(["Input:TextField=body", "Input:IdField=key"], quietLogs: false);
        var planner = new RunPlanner(tokenizer, Options(tokenizerThreads: 2), SettingsTestServices.Bind<InputOptions>(configuration, InputOptions.SectionName, options => options.Validate()), ModelTokens);
        IReadOnlyList<CorpusObject> objects = await CorpusResolver.ResolveAsync(Factory(), [Corpus.PathOf("in.jsonl")], Cancellation);

        List<PlannedItem> items = await planner.PlanAsync(objects, Cancellation).ToListAsync(Cancellation);

        Assert.Equal([$"{Corpus.PathOf("in.jsonl")}:3: duplicate id 'a': an earlier document has the same id"],
            items.OfType<RejectedDocument>().Select(rejected => rejected.ToString()));
        Assert.Equal([("a", string.Join(',', tokenizer.Encode("Hello world."))), ("b", string.Join(',', tokenizer.Encode("Another one.")))],
            items.OfType<PackedJob>().SelectMany(job => job.Chunks).Select(chunk => (chunk.Id, string.Join(',', chunk.InputIds))).Order());
    }

    [Fact]
    public async Task PlanningTheSameCorpusAgainGivesTheSameItemsWhateverTheThreadCount()
    {
        IReadOnlyList<string> texts = EnglishLikeCorpus.Generate(300, seed: 5);
        Corpus.WriteText("part-1.jsonl", string.Concat(texts.Take(150).Select((text, i) => Line($"doc-{i}", text) + "\n")));
        Corpus.WriteText("part-2.jsonl", string.Concat(texts.Skip(150).Select((text, i) => Line($"doc-{i + 150}", text) + "\n")) + "oops\n");
        CorpusObject[] objects = [new(Corpus.Store, "part-1.jsonl", ""), new(Corpus.Store, "part-2.jsonl", "")];

        List<string> parallel = await PlanAsync(objects, tokenizerThreads: 4);
        List<string> again = await PlanAsync(objects, tokenizerThreads: 4);
        List<string> sequential = await PlanAsync(objects, tokenizerThreads: 1);

        Assert.True(parallel.Count > 100, $"only {parallel.Count} items");
        Assert.Equal(parallel, again);
        Assert.Equal(parallel, sequential);
    }

    [Fact]
    public async Task AnEmptyCorpusPlansNothing()
    {
        var planner = new RunPlanner(ReferenceTokenizer.Load(), Options(2), new InputOptions(), ModelTokens);

        List<PlannedItem> items = await planner.PlanAsync(AsyncEnumerable.Empty<InputRecord>(), Cancellation).ToListAsync(Cancellation);

        Assert.Empty(items);
        Assert.Equal((0L, 0L, 0.0), (planner.Statistics.DocumentsRead, planner.Statistics.Jobs, planner.Statistics.PackingEfficiency));
    }

    [Fact]
    public void AnOverlapThatLeavesNoRoomInTheModelsWindowIsRefused()
    {
        var options = new PlanningOptions { WindowOverlap = 30 };

        var error = Assert.Throws<ConfigurationException>(() => new RunPlanner(ReferenceTokenizer.Load(), options, new InputOptions(), ModelTokens));

        Assert.Equal("Planning:WindowOverlap is 30; it must be below 30, the document tokens of a window of 32 tokens.", error.Message);
    }

    private async Task<List<string>> PlanAsync(IReadOnlyList<CorpusObject> objects, int tokenizerThreads)
    {
        var planner = new RunPlanner(ReferenceTokenizer.Load(), new PlanningOptions { JobTokens = 1024, LookAheadChunks = 16, TokenizerThreads = tokenizerThreads },
            new InputOptions(), maxSequenceTokens: 512);
        return await planner.PlanAsync(objects, Cancellation).Select(item => item switch
        {
            PackedJob job => $"job {job.JobId}: {string.Join(' ', job.Chunks.Select(Describe))}",
            _ => item.ToString()!,
        }).ToListAsync(Cancellation);
    }

    private static PlanningOptions Options(int tokenizerThreads) =>
        new() { JobTokens = JobTokens, LookAheadChunks = 4, TokenizerThreads = tokenizerThreads };

    private static string Line(string id, string text) => JsonSerializer.Serialize(new Dictionary<string, string> { ["id"] = id, ["text"] = text });

    private static string Describe(DocumentChunk chunk) =>
        $"{chunk.Id}#{chunk.Chunk}[{chunk.TokenStart},{chunk.TokenEnd})={string.Join(',', chunk.InputIds)}";
}
