using Microsoft.Extensions.Logging.Abstractions;
using ModernBert.Coordinator.Cli;
using ModernBert.Coordinator.Planning;
using ModernBert.Inputs;
using ModernBert.Resilience;
using ModernBert.Storage;
using ModernBert.Tests.Common;
using ModernBert.Tokenization;

namespace ModernBert.Tests.Cli;

/// <summary>The same bad input gets the same one-line report from run (its planner's rejections), embed, classify and tokenize.</summary>
public sealed class BadRecordReportTests : IDisposable
{
    private readonly TemporaryFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task EveryCommandReportsABadRecordInTheSameWords()
    {
        string model = Fixtures.Require("tiny-modernbert-mlm");
        string input = _folder.File("in.jsonl");
        File.WriteAllLines(input,
        [
            """{"id": "a", "text": "hello"}""",
            """{"id": "b", "text": """,
            """{"text": "no id"}""",
            """{"id": "a", "text": "again"}""",
            """{"id": "c", "input_ids": [50281, 60000, 50282]}""",
            """{"id": "d", "text": "fine"}""",
        ]);
        CancellationToken cancellation = TestContext.Current.CancellationToken;

        CommandLineRun embed = await CommandLineRun.RunAsync(EmbedCommand.Create(),
            "embed", "--model", model, "--input", input, "--output", _folder.File("embed.jsonl"), "--device", "cpu");
        CommandLineRun classify = await CommandLineRun.RunAsync(ClassifyCommand.Create(),
            "classify", "--model", Fixtures.Require("tiny-modernbert-cls"), "--input", input, "--output", _folder.File("classify.jsonl"), "--device", "cpu");
        CommandLineRun tokenize = await CommandLineRun.RunAsync(TokenizeCommand.Create(),
            "tokenize", "--tokenizer", model, "--input", input, "--output", _folder.File("tokenize.jsonl"));
        var stores = new ObjectStoreFactory(new StorageOptions(), new ResilienceOptions(), NullLoggerFactory.Instance, environment: _ => null);
        var planner = new RunPlanner(ModernBertTokenizer.Load(model), new PlanningOptions(), new InputOptions(), maxSequenceTokens: 8192);
        List<PlannedItem> planned = await planner.PlanAsync(await CorpusResolver.ResolveAsync(stores, [input], cancellation), cancellation)
            .ToListAsync(cancellation);

        string[] run = [.. planned.OfType<RejectedDocument>().Select(rejected => rejected.ToString())];
        Assert.Equal(4, run.Length);
        Assert.StartsWith($"{input}:2: invalid JSON", run[0], StringComparison.Ordinal);
        Assert.Equal(
        [
            $"{input}:3: missing id field 'id'",
            $"{input}:4: duplicate id 'a': an earlier document has the same id",
            $"{input}:5: document 'c': input id 60000 at position 1 is outside the vocabulary (0..50367)",
        ], run[1..]);
        foreach (CommandLineRun command in new[] { embed, classify, tokenize })
        {
            command.AssertSucceeded();
            Assert.Equal(run.Select(report => $"{report.TrimEnd('.')}; document skipped."), command.Errors.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        }
    }
}
