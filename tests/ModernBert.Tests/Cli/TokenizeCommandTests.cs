using ModernBert.Tests.Common;
using System.Text.Json.Nodes;
using ModernBert.Coordinator.Cli;
using ModernBert.Tests.Tokenization;
using ModernBert.Tokenization;

namespace ModernBert.Tests.Cli;

public class TokenizeCommandTests
{
    [Fact]
    public async Task Tokenize_AddsInputIds_KeepsFieldsAndOrder_AndSkipsMalformedLines()
    {
        using var files = new TokenizeFiles();
        (ModernBertTokenizer tokenizer, string input, string output) = (files.Tokenizer, files.Input, files.Output);
        File.WriteAllLines(input,
        [
            """{"id": 1, "text": "hello world", "lang": "en", "meta": {"score": 0.5}}""",
            """{"id": 2, "text": """,
            """{"id": 3}""",
            """{"id": "four", "text": "caf\u00E9 [MASK]"}""",
            "",
            """{"id": 5, "text": 42}""",
            """{"text": "no id"}""",
            """{"id": 6, "text": "", "input_ids": [9, 9]}""",
            """[1, 2]""",
            """{"id": 7, "text": "\ud800"}""",
            """{"id": "", "text": "x"}""",
        ]);

        CommandLineRun run = await CommandLineRun.RunAsync(TokenizeCommand.Create(), "tokenize", "--tokenizer", files.Folder.Path, "--input", input, "--output", output);

        Assert.Equal(0, run.ExitCode);
        string[] lines = File.ReadAllLines(output);
        Assert.Equal(3, lines.Length);
        JsonObject first = JsonNode.Parse(lines[0])!.AsObject();
        Assert.Equal(["id", "text", "lang", "meta", "input_ids"], first.Select(property => property.Key));
        Assert.Equal(0.5, (double)first["meta"]!["score"]!);
        Assert.Equal(tokenizer.Encode("hello world"), Ids(first));
        JsonObject second = JsonNode.Parse(lines[1])!.AsObject();
        Assert.Equal("four", (string)second["id"]!);
        Assert.Contains("café", lines[1], StringComparison.Ordinal);
        Assert.Equal(tokenizer.Encode("café [MASK]"), Ids(second));
        Assert.Equal([TinyTokenizer.Cls, TinyTokenizer.Sep], Ids(JsonNode.Parse(lines[2])!.AsObject()));

        Assert.Contains("in.jsonl:2: not valid JSON", run.Errors, StringComparison.Ordinal);
        Assert.Contains("in.jsonl:3: \"text\" is missing or not a string", run.Errors, StringComparison.Ordinal);
        Assert.Contains("in.jsonl:5: empty line", run.Errors, StringComparison.Ordinal);
        Assert.Contains("in.jsonl:6: \"text\" is missing or not a string", run.Errors, StringComparison.Ordinal);
        Assert.Contains("in.jsonl:7: \"id\" is missing", run.Errors, StringComparison.Ordinal);
        Assert.Contains("in.jsonl:9: not a JSON object", run.Errors, StringComparison.Ordinal);
        Assert.Contains("in.jsonl:10: \"text\" is not valid Unicode", run.Errors, StringComparison.Ordinal);
        Assert.Contains("in.jsonl:11: \"id\" is empty", run.Errors, StringComparison.Ordinal);
        Assert.Contains("Wrote 3 lines", run.Output, StringComparison.Ordinal);
        Assert.Contains("skipped 8 malformed lines", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Tokenize_ManyLines_KeepsTheInputOrder()
    {
        using var files = new TokenizeFiles();
        (ModernBertTokenizer tokenizer, string input, string output) = (files.Tokenizer, files.Input, files.Output);
        const int Count = 5000;
        string TextOf(int i) => string.Concat(Enumerable.Repeat("hello world ", i % 17)) + i;
        File.WriteAllLines(input, Enumerable.Range(0, Count).Select(i => new JsonObject { ["id"] = i, ["text"] = TextOf(i) }.ToJsonString()));

        CommandLineRun run = await CommandLineRun.RunAsync(TokenizeCommand.Create(), "tokenize", "--tokenizer", files.Folder.Path, "--input", input, "--output", output);

        Assert.Equal(0, run.ExitCode);
        Assert.Equal("", run.Errors);
        string[] lines = File.ReadAllLines(output);
        Assert.Equal(Count, lines.Length);
        for (int i = 0; i < Count; i++)
        {
            JsonObject line = JsonNode.Parse(lines[i])!.AsObject();
            Assert.Equal(i, (int)line["id"]!);
            Assert.Equal(tokenizer.Encode(TextOf(i)), Ids(line));
        }
    }

    [Fact]
    public async Task Tokenize_MissingInput_FailsWithTheFileName()
    {
        using var files = new TokenizeFiles();

        CommandLineRun run = await CommandLineRun.RunAsync(TokenizeCommand.Create(), "tokenize", "--tokenizer", files.Folder.Path, "--input", files.Input, "--output", files.Output);

        Assert.NotEqual(0, run.ExitCode);
        Assert.Contains(files.Input, run.Errors, StringComparison.Ordinal);
        Assert.False(File.Exists(files.Output));
    }

    [Fact]
    public async Task Tokenize_MissingTokenizer_FailsWithTheFolderName()
    {
        using var folder = new TemporaryFolder();
        string input = Path.Combine(folder.Path, "in.jsonl");
        File.WriteAllText(input, """{"id": 1, "text": "x"}""");

        CommandLineRun run = await CommandLineRun.RunAsync(TokenizeCommand.Create(), "tokenize", "--tokenizer", folder.Path, "--input", input, "--output", Path.Combine(folder.Path, "out.jsonl"));

        Assert.NotEqual(0, run.ExitCode);
        Assert.Contains(Path.Combine(folder.Path, "tokenizer.json"), run.Errors, StringComparison.Ordinal);
    }

    private static int[] Ids(JsonObject line) => [.. line["input_ids"]!.AsArray().Select(id => (int)id!)];

    /// <summary>A folder with the tiny tokenizer, and the paths of an input and an output JSONL file in it.</summary>
    private sealed class TokenizeFiles : IDisposable
    {
        public TokenizeFiles()
        {
            Folder = TinyTokenizer.Write(TinyTokenizer.Json());
            Tokenizer = ModernBertTokenizer.Load(Folder.Path);
        }

        public TemporaryFolder Folder { get; }

        public ModernBertTokenizer Tokenizer { get; }

        public string Input => Path.Combine(Folder.Path, "in.jsonl");

        public string Output => Path.Combine(Folder.Path, "out.jsonl");

        public void Dispose() => Folder.Dispose();
    }
}
