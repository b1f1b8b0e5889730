using ModernBert.Tests.Common;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using ModernBert.Tests.Inputs;
using ModernBert.Coordinator.Cli;
using ModernBert.Tests.Tokenization;
using ModernBert.Tokenization;
using Parquet;
using Parquet.Schema;

namespace ModernBert.Tests.Cli;

public class TokenizeCommandTests
{
    [Fact]
    public async Task Tokenize_AddsInputIds_KeepsTheLinesAsTheyWere_AndReportsBadLinesAsEveryCommandDoes()
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
            """{"id": 8, "input_ids": null, "text": "hello"}""",
        ]);

        CommandLineRun run = await TokenizeAsync(files, input);

        run.AssertSucceeded();
        string[] lines = File.ReadAllLines(output);
        Assert.Equal(4, lines.Length);
        Assert.Equal($$"""{"id": 1, "text": "hello world", "lang": "en", "meta": {"score": 0.5},"input_ids":[{{string.Join(',', tokenizer.Encode("hello world"))}}]}""", lines[0]);
        JsonObject second = JsonNode.Parse(lines[1])!.AsObject();
        Assert.Equal(("four", "café [MASK]"), ((string)second["id"]!, (string)second["text"]!));
        Assert.Equal(tokenizer.Encode("café [MASK]"), Ids(second));
        // Pre-tokenized ids are taken as given (checked against the vocabulary), [CLS] and [SEP] added where missing, as
        // run, embed and classify take them.
        Assert.Equal([tokenizer.ClsTokenId, 9, 9, tokenizer.SepTokenId], Ids(JsonNode.Parse(lines[2])!.AsObject()));
        JsonObject last = JsonNode.Parse(lines[3])!.AsObject();
        Assert.Equal(["id", "text", "input_ids"], last.Select(property => property.Key));
        Assert.Equal(tokenizer.Encode("hello"), Ids(last));

        string[] problems = run.Errors.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(7, problems.Length);
        Assert.All(problems, problem => Assert.EndsWith("; document skipped.", problem, StringComparison.Ordinal));
        Assert.StartsWith($"{input}:2: invalid JSON", problems[0], StringComparison.Ordinal);
        Assert.Equal($"{input}:3: neither text field 'text' nor input ids field 'input_ids' has a value; document skipped.", problems[1]);
        Assert.Equal($"{input}:6: text field 'text' must be a string, found a number; document skipped.", problems[2]);
        Assert.Equal($"{input}:7: missing id field 'id'; document skipped.", problems[3]);
        Assert.Equal($"{input}:9: expected a JSON object, found an array; document skipped.", problems[4]);
        Assert.StartsWith($"{input}:10: invalid string value", problems[5], StringComparison.Ordinal);
        Assert.Equal($"{input}:11: id field 'id' is empty; document skipped.", problems[6]);
        Assert.Equal($"Wrote 4 documents to {output}; skipped 7 documents.", run.Output.Trim());
    }

    [Fact]
    public async Task Tokenize_RejectsADuplicateIdWithItsOrigin_AndHonoursInputSettings()
    {
        using var files = new TokenizeFiles();
        (ModernBertTokenizer tokenizer, string input, string output) = (files.Tokenizer, files.Input, files.Output);
        File.WriteAllLines(input,
        [
            """{"key": "a", "body": "hello", "text": 1}""",
            """{"key": "b", "body": "world"}""",
            """{"key": "a", "body": "again"}""",
        ]);

        CommandLineRun run = await TokenizeAsync(files, input, "--set", "Input:TextField=body", "--set", "Input:IdField=key");

        run.AssertSucceeded();
        Assert.Equal($"{input}:3: duplicate id 'a': an earlier document has the same id; document skipped.", run.Errors.Trim());
        JsonObject[] lines = [.. File.ReadAllLines(output).Select(line => JsonNode.Parse(line)!.AsObject())];
        Assert.Equal(["a", "b"], lines.Select(line => (string)line["key"]!));
        Assert.Equal([tokenizer.Encode("hello"), tokenizer.Encode("world")], lines.Select(Ids));
    }

    /// <summary>A configuration shared with <c>run</c> may hold output and worker settings that tokenize has no use for.</summary>
    [Fact]
    public async Task Tokenize_ValidatesTheCorpusSettings_NotTheOutputsOrTheWorkers()
    {
        using var files = new TokenizeFiles();
        File.WriteAllLines(files.Input, ["""{"id": "a", "text": "hello"}"""]);

        CommandLineRun unused = await TokenizeAsync(files, files.Input, "--set", "Worker:BatchJobs=0", "--set", "Output:TargetFileBytes=0");
        CommandLineRun invalid = await TokenizeAsync(files, files.Input, "--set", "Input:TextField=", "--set", "Worker:BatchJobs=0");

        unused.AssertSucceeded();
        Assert.Equal(1, invalid.ExitCode);
        Assert.Equal("modernbert tokenize: Input:TextField must not be empty.", invalid.Errors.Trim());
    }

    [Fact]
    public async Task Tokenize_RefusesToWriteOverOneOfItsInputs()
    {
        using var files = new TokenizeFiles();
        File.WriteAllLines(files.Input, ["""{"id": "a", "text": "hello"}"""]);

        CommandLineRun run = await CommandLineRun.RunAsync(TokenizeCommand.Create(),
            ["tokenize", "--tokenizer", files.Folder.Path, "--input", files.Input, "--output", files.Input]);

        Assert.Equal(1, run.ExitCode);
        Assert.Equal($"modernbert tokenize: --output {files.Input} is one of the inputs: write the output to another file.", run.Errors.Trim());
        Assert.Equal(["""{"id": "a", "text": "hello"}"""], File.ReadAllLines(files.Input));
    }

    [Fact]
    public async Task Tokenize_ReadsFoldersOfParquetAndTextFiles_AndWritesThemAsIdTextAndIds()
    {
        using var files = new TokenizeFiles();
        ModernBertTokenizer tokenizer = files.Tokenizer;
        string corpus = Directory.CreateDirectory(Path.Combine(files.Folder.Path, "corpus")).FullName;
        var idField = new DataField<string>("id");
        var textField = new DataField<string>("text");
        await using (FileStream stream = File.Create(Path.Combine(corpus, "a.parquet")))
        await using (ParquetWriter writer = await ParquetWriter.CreateAsync(new ParquetSchema(idField, textField), stream,
            cancellationToken: TestContext.Current.CancellationToken))
        {
            using ParquetRowGroupWriter rowGroup = writer.CreateRowGroup();
            await rowGroup.WriteAsync(idField, ["p1", "p2"]);
            await rowGroup.WriteAsync(textField, ["hello", "world hello"]);
        }
        File.WriteAllText(Path.Combine(corpus, "b.txt"), "a text file");

        CommandLineRun run = await TokenizeAsync(files, corpus);

        run.AssertSucceeded();
        string[] lines = File.ReadAllLines(files.Output);
        Assert.Equal(
        [
            $$"""{"id":"p1","text":"hello","input_ids":[{{string.Join(',', tokenizer.Encode("hello"))}}]}""",
            $$"""{"id":"p2","text":"world hello","input_ids":[{{string.Join(',', tokenizer.Encode("world hello"))}}]}""",
            $$"""{"id":"b.txt","text":"a text file","input_ids":[{{string.Join(',', tokenizer.Encode("a text file"))}}]}""",
        ], lines);
    }

    [Fact]
    public async Task Tokenize_ManyLines_KeepsTheInputOrder()
    {
        using var files = new TokenizeFiles();
        (ModernBertTokenizer tokenizer, string input, string output) = (files.Tokenizer, files.Input, files.Output);
        const int Count = 5000;
        string TextOf(int i) => string.Concat(Enumerable.Repeat("hello world ", i % 17)) + i;
        File.WriteAllLines(input, Enumerable.Range(0, Count).Select(i => new JsonObject { ["id"] = i, ["text"] = TextOf(i) }.ToJsonString()));

        CommandLineRun run = await TokenizeAsync(files, input);

        run.AssertSucceeded();
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

        CommandLineRun run = await TokenizeAsync(files, files.Input);

        Assert.Equal(1, run.ExitCode);
        Assert.Equal($"modernbert tokenize: Storage location '{files.Input}': it matches no objects.", run.Errors.Trim());
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

    [Fact]
    public async Task AnUnreadableObjectIsReportedOnceInOneLine_AndTheSummaryCountsItApartFromDocuments()
    {
        using var files = new TokenizeFiles();
        string corpus = Directory.CreateDirectory(Path.Combine(files.Folder.Path, "corpus")).FullName;
        byte[] gzip = TempCorpus.Gzip(Encoding.UTF8.GetBytes("{\"id\": \"a\", \"text\": \"hello\"}\n"));
        string truncated = Path.Combine(corpus, "a.jsonl.gz");
        File.WriteAllBytes(truncated, gzip[..12]);
        File.WriteAllText(Path.Combine(corpus, "b.jsonl"), "{\"id\": \"b\", \"text\": \"world\"}\n");

        CommandLineRun run = await TokenizeAsync(files, corpus);

        run.AssertSucceeded();
        string report = run.Errors.Trim();
        Assert.Matches(
            $"^{Regex.Escape(truncated)}: the object cannot be read; the rest of it is skipped: the gzip data is corrupt or truncated before its first line: .*[^.;]\\.$",
            report);
        Assert.Single(Regex.Matches(report, Regex.Escape(truncated)));
        Assert.Equal($"Wrote 1 document to {files.Output}; skipped 0 documents and the unreadable rest of 1 input.", run.Output.Trim());
    }

    [Theory]
    [InlineData("ids.parquet")]
    [InlineData("ids.jsonl.gz")]
    public async Task AnOutputNamedForAnotherFormatIsRefused(string name)
    {
        using var files = new TokenizeFiles();
        File.WriteAllText(files.Input, "{\"id\": \"a\", \"text\": \"hello\"}\n");
        string output = Path.Combine(files.Folder.Path, name);

        CommandLineRun run = await CommandLineRun.RunAsync(TokenizeCommand.Create(),
            "tokenize", "--tokenizer", files.Folder.Path, "--input", files.Input, "--output", output);

        Assert.Equal(1, run.ExitCode);
        Assert.StartsWith($"--output {name}: tokenize writes JSON Lines; give a .jsonl, .ndjson or .json file.", run.Errors.Trim());
        Assert.False(File.Exists(output));
    }

    private static Task<CommandLineRun> TokenizeAsync(TokenizeFiles files, string input, params string[] options) =>
        CommandLineRun.RunAsync(TokenizeCommand.Create(), ["tokenize", "--tokenizer", files.Folder.Path, "--input", input, "--output", files.Output, .. options]);

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
