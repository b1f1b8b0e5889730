using ModernBert.Coordinator.Cli;
using ModernBert.Outputs;
using ModernBert.Storage;
using ModernBert.Tests.Common;
using ModernBert.Tests.Inference;
using ModernBert.Tests.Inputs;
using ModernBert.Tests.Modeling;
using ModernBert.Tests.Outputs;
using ModernBert.Tokenization;
using Parquet;
using Parquet.Schema;
using ModernBert.Tasks.Embed;

namespace ModernBert.Tests.Cli;

/// <summary><c>modernbert embed</c> with the tiny checkpoint on the CPU in fp32, against the reference hidden states.</summary>
public sealed class EmbedCommandTests : IDisposable
{
    private readonly TemporaryFolder _folder = new();
    private readonly string _model = Fixtures.Require("tiny-modernbert-mlm");

    public void Dispose() => _folder.Dispose();

    [Theory]
    [InlineData("out.jsonl", "overlapped")]
    [InlineData("out.parquet", "synchronous")]
    [InlineData("out.json", "overlapped")]
    public async Task WithTheCheckpointDefaults_EmbeddingsAreTheMeanOfTheReferenceHiddenStates(string outputName, string transfers)
    {
        ReferenceOutputs reference = ReferenceOutputs.Load();
        string output = _folder.File(outputName);

        // The CPU copies synchronously either way: the option is taken, and changes nothing there.
        CommandLineRun run = await EmbedAsync(WriteReferenceInput(reference), output, "--transfers", transfers);

        run.AssertSucceeded();
        Assert.Equal("", run.Errors);
        Assert.Contains($"Wrote {ReferenceOutputs.Count} documents ({ReferenceOutputs.Count} rows) to {output}; skipped 0 documents.", run.Output, StringComparison.Ordinal);
        IReadOnlyList<ResultRow> rows = await InferenceFiles.ReadAsync(output);
        Assert.Equal(ReferenceOutputs.Count, rows.Count);
        for (int k = 0; k < ReferenceOutputs.Count; k++)
        {
            var row = Assert.IsType<EmbeddingRow>(rows[k]);
            Assert.Equal(($"seq{k}", 0, 0, reference.InputIds[k].Length - 2), (row.Id, row.Chunk, row.TokenStart, row.TokenEnd));
            ReferenceEmbeddings.AssertClose(ReferenceEmbeddings.Mean(reference.Hidden[k]), row.Embedding, $"sequence {k}");
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task TheCommandsOwnInformationLinesFollowTheConfiguredLogLevel(bool information)
    {
        ReferenceOutputs reference = ReferenceOutputs.Load();

        CommandLineRun run = await EmbedAsync(WriteReferenceInput(reference), _folder.File("out.jsonl"),
            ["--precision", "int8", .. information ? ["--set", "Logging:LogLevel:Default=Information"] : Array.Empty<string>()]);

        run.AssertSucceeded();
        Assert.Equal(information, run.Errors.Contains("Computing the embed task's calibration from the corpus's first 10 chunks", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Fp8EmbeddingsStayCloseToTheReference_AndDifferFromIt()
    {
        ReferenceOutputs reference = ReferenceOutputs.Load();
        string output = _folder.File("out.jsonl");

        CommandLineRun run = await EmbedAsync(WriteReferenceInput(reference), output, "--dtype", "fp8");

        run.AssertSucceeded();
        IReadOnlyList<ResultRow> rows = await InferenceFiles.ReadAsync(output);
        AssertFp8Embeddings(reference, rows);
    }

    [Fact]
    public async Task WorkerSettingsApplyWhereNoOptionIsGiven_AndAnOptionOverridesThem()
    {
        ReferenceOutputs reference = ReferenceOutputs.Load();
        string input = WriteReferenceInput(reference);
        string[] settings = ["--set", "Worker:Devices=cpu", "--set", "Worker:Dtype=fp8"];

        CommandLineRun configured = await EmbedAsync(input, _folder.File("configured.jsonl"), settings);
        CommandLineRun overridden = await EmbedAsync(input, _folder.File("overridden.jsonl"), [.. settings, "--dtype", "fp32"]);

        configured.AssertSucceeded();
        overridden.AssertSucceeded();
        AssertFp8Embeddings(reference, await InferenceFiles.ReadAsync(_folder.File("configured.jsonl")));
        IReadOnlyList<ResultRow> rows = await InferenceFiles.ReadAsync(_folder.File("overridden.jsonl"));
        for (int k = 0; k < ReferenceOutputs.Count; k++)
            ReferenceEmbeddings.AssertClose(ReferenceEmbeddings.Mean(reference.Hidden[k]), Assert.IsType<EmbeddingRow>(rows[k]).Embedding, $"sequence {k}");
    }

    private static void AssertFp8Embeddings(ReferenceOutputs reference, IReadOnlyList<ResultRow> rows)
    {
        for (int k = 0; k < ReferenceOutputs.Count; k++)
        {
            float[] expected = ReferenceEmbeddings.Mean(reference.Hidden[k]);
            float[] actual = Assert.IsType<EmbeddingRow>(rows[k]).Embedding;
            double cosine = expected.Zip(actual, (e, a) => (double)e * a).Sum()
                / Math.Sqrt(expected.Sum(e => (double)e * e) * actual.Sum(a => (double)a * a));
            Assert.True(cosine is >= 0.995 and < 0.99999, $"sequence {k}: cosine {cosine} against the fp32 reference");
        }
    }

    [Fact]
    public async Task ClsPoolingNormalizedAndTruncated_MatchesTheReference_AndTheFooterNamesModelAndTask()
    {
        ReferenceOutputs reference = ReferenceOutputs.Load();
        string output = _folder.File("out.parquet");

        CommandLineRun run = await EmbedAsync(WriteReferenceInput(reference), output, "--pooling", "cls", "--normalize", "--dims", "16", "--batch-tokens", "300");

        run.AssertSucceeded();
        IReadOnlyList<ResultRow> rows = await InferenceFiles.ReadAsync(output);
        for (int k = 0; k < ReferenceOutputs.Count; k++)
        {
            float[] expected = ReferenceEmbeddings.Normalize(ReferenceEmbeddings.Cls(reference.Hidden[k])[..16]);
            ReferenceEmbeddings.AssertClose(expected, Assert.IsType<EmbeddingRow>(rows[k]).Embedding, $"sequence {k}");
        }
        Dictionary<string, string> metadata = await ParquetNetReader.ReadMetadataAsync(output);
        Assert.Equal(_model, metadata[ResultFileMetadata.ModelKey]);
        Assert.Equal("embed", metadata[ResultFileMetadata.TaskKey]);
    }

    [Fact]
    public async Task Float16PrecisionStoresHalfFloats()
    {
        ReferenceOutputs reference = ReferenceOutputs.Load();
        string output = _folder.File("out.parquet");

        CommandLineRun run = await EmbedAsync(WriteReferenceInput(reference), output, "--precision", "float16");

        run.AssertSucceeded();
        // The file holds float16 columns (which Parquet.Net cannot read): opening it with that schema checks them.
        PartFileReader reader = await PartFileReader.OpenAsync(new LocalObjectStore(_folder.Path), "out.parquet", null, EmbeddingSchema.Float16,
            TestContext.Current.CancellationToken);
        IReadOnlyList<ResultRow> rows = await reader.ReadAllAsync(TestContext.Current.CancellationToken);
        for (int k = 0; k < ReferenceOutputs.Count; k++)
        {
            float[] expected = ReferenceEmbeddings.Mean(reference.Hidden[k]);
            ReferenceEmbeddings.AssertClose(expected, Assert.IsType<EmbeddingRow>(rows[k]).Embedding, $"sequence {k}", tolerance: 2e-3);
        }
    }

    [Fact]
    public async Task SentenceTransformersModulesSetTheDefaults_AndOptionsOverrideThem()
    {
        ReferenceOutputs reference = ReferenceOutputs.Load();
        string model = Directory.CreateDirectory(_folder.File("st-model")).FullName;
        foreach (string file in Directory.EnumerateFiles(_model))
            File.CreateSymbolicLink(Path.Combine(model, Path.GetFileName(file)), file);
        File.WriteAllText(Path.Combine(model, "modules.json"), """
            [{"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
             {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
             {"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"}]
            """);
        Directory.CreateDirectory(Path.Combine(model, "1_Pooling"));
        File.WriteAllText(Path.Combine(model, "1_Pooling", "config.json"), """{"word_embedding_dimension": 64, "pooling_mode_cls_token": true, "pooling_mode_mean_tokens": false}""");
        string input = WriteReferenceInput(reference);

        CommandLineRun defaults = await EmbedWithModelAsync(model, input, _folder.File("defaults.jsonl"), []);
        CommandLineRun overridden = await EmbedWithModelAsync(model, input, _folder.File("overridden.jsonl"), ["--normalize", "false", "--pooling", "mean"]);

        defaults.AssertSucceeded();
        overridden.AssertSucceeded();
        IReadOnlyList<ResultRow> normalizedCls = await InferenceFiles.ReadAsync(_folder.File("defaults.jsonl"));
        IReadOnlyList<ResultRow> plainMean = await InferenceFiles.ReadAsync(_folder.File("overridden.jsonl"));
        for (int k = 0; k < ReferenceOutputs.Count; k++)
        {
            ReferenceEmbeddings.AssertClose(ReferenceEmbeddings.Normalize(ReferenceEmbeddings.Cls(reference.Hidden[k])),
                Assert.IsType<EmbeddingRow>(normalizedCls[k]).Embedding, $"sequence {k} with the defaults");
            ReferenceEmbeddings.AssertClose(ReferenceEmbeddings.Mean(reference.Hidden[k]),
                Assert.IsType<EmbeddingRow>(plainMean[k]).Embedding, $"sequence {k} with --normalize false --pooling mean");
        }
    }

    [Fact]
    public async Task TextIsTokenizedWithTheCheckpointTokenizer_AndManyDocumentsKeepTheirOrder()
    {
        ModernBertTokenizer tokenizer = ModernBertTokenizer.Load(_model);
        const int Count = 300;
        string TextOf(int i) => string.Concat(Enumerable.Repeat($"Document {i} says hello to the world. ", 1 + i % 7));
        string texts = InferenceFiles.WriteLines(_folder, "texts.jsonl", Enumerable.Range(0, Count).Select(i => InferenceFiles.Text($"doc-{i}", TextOf(i))));
        string ids = InferenceFiles.WriteLines(_folder, "ids.jsonl", Enumerable.Range(0, Count).Select(i => InferenceFiles.PreTokenized($"doc-{i}", tokenizer.Encode(TextOf(i)))));

        CommandLineRun fromTexts = await EmbedAsync(texts, _folder.File("texts-out.jsonl"), "--batch-tokens", "256");
        CommandLineRun fromIds = await EmbedAsync(ids, _folder.File("ids-out.jsonl"), "--batch-tokens", "1000");

        fromTexts.AssertSucceeded();
        fromIds.AssertSucceeded();
        IReadOnlyList<ResultRow> textRows = await InferenceFiles.ReadAsync(_folder.File("texts-out.jsonl"));
        IReadOnlyList<ResultRow> idRows = await InferenceFiles.ReadAsync(_folder.File("ids-out.jsonl"));
        Assert.Equal(Enumerable.Range(0, Count).Select(i => $"doc-{i}"), textRows.Select(row => row.Id));
        for (int i = 0; i < Count; i++)
        {
            Assert.Equal(tokenizer.Encode(TextOf(i)).Length - 2, textRows[i].TokenEnd);
            ReferenceEmbeddings.AssertClose(Assert.IsType<EmbeddingRow>(idRows[i]).Embedding, Assert.IsType<EmbeddingRow>(textRows[i]).Embedding, $"document {i}");
        }
    }

    [Fact]
    public async Task CompressedJsonLinesAndParquetInputsGiveTheSameEmbeddingsAsJsonLines()
    {
        string[] ids = ["one", "two", "three"];
        string[] texts = ["hello world", "", "a third, longer document with a few more words in it"];
        string plain = InferenceFiles.WriteLines(_folder, "in.jsonl", ids.Zip(texts, InferenceFiles.Text));
        string gzip = _folder.File("in.jsonl.gz");
        File.WriteAllBytes(gzip, TempCorpus.Gzip(File.ReadAllBytes(plain)));
        string parquet = _folder.File("in.parquet");
        var idField = new DataField<string>("id");
        var textField = new DataField<string>("text");
        await using (FileStream stream = File.Create(parquet))
        await using (ParquetWriter writer = await ParquetWriter.CreateAsync(new ParquetSchema(idField, textField), stream,
            cancellationToken: TestContext.Current.CancellationToken))
        {
            using ParquetRowGroupWriter rowGroup = writer.CreateRowGroup();
            await rowGroup.WriteAsync(idField, ids);
            await rowGroup.WriteAsync(textField, texts);
        }

        List<IReadOnlyList<ResultRow>> outputs = [];
        foreach (string input in new[] { plain, gzip, parquet })
        {
            string output = _folder.File(Path.GetFileName(input) + ".out.jsonl");
            (await EmbedAsync(input, output)).AssertSucceeded();
            outputs.Add(await InferenceFiles.ReadAsync(output));
        }

        Assert.All(outputs, rows => Assert.Equal(ids, rows.Select(row => row.Id)));
        for (int i = 0; i < ids.Length; i++)
        {
            float[] expected = Assert.IsType<EmbeddingRow>(outputs[0][i]).Embedding;
            Assert.Equal(expected, Assert.IsType<EmbeddingRow>(outputs[1][i]).Embedding);
            Assert.Equal(expected, Assert.IsType<EmbeddingRow>(outputs[2][i]).Embedding);
        }
    }

    [Fact]
    public async Task ADocumentLongerThanTheModelIsSplitIntoWindowsOverlappingAsPlanningConfigures()
    {
        var random = new Random(5);
        int[] content = [.. Enumerable.Range(0, 8500).Select(_ => random.Next(100, 50000))];
        const int Cls = 50281, Sep = 50282;
        int[] Wrapped(int start, int end) => [Cls, .. content[start..end], Sep];
        string longInput = InferenceFiles.WriteLines(_folder, "long.jsonl",
            [InferenceFiles.PreTokenized("short", Wrapped(0, 10)), InferenceFiles.PreTokenized("long", Wrapped(0, content.Length))]);
        // With 8192 positions a window holds 8190 document tokens and, overlapping by 100, advances by 8090.
        string windowsInput = InferenceFiles.WriteLines(_folder, "windows.jsonl",
            [InferenceFiles.PreTokenized("w0", Wrapped(0, 8190)), InferenceFiles.PreTokenized("w1", Wrapped(8090, 8500))]);

        CommandLineRun run = await EmbedAsync(longInput, _folder.File("long.parquet"), "--set", "Planning:WindowOverlap=100", "--batch-tokens", "4096");
        CommandLineRun direct = await EmbedAsync(windowsInput, _folder.File("windows.parquet"));

        run.AssertSucceeded();
        direct.AssertSucceeded();
        Assert.Contains("Wrote 2 documents (3 rows)", run.Output, StringComparison.Ordinal);
        IReadOnlyList<ResultRow> rows = await InferenceFiles.ReadAsync(_folder.File("long.parquet"));
        IReadOnlyList<ResultRow> windows = await InferenceFiles.ReadAsync(_folder.File("windows.parquet"));
        Assert.Equal([("short", 0, 0, 10), ("long", 0, 0, 8190), ("long", 1, 8090, 8500)], rows.Select(row => (row.Id, row.Chunk, row.TokenStart, row.TokenEnd)));
        for (int window = 0; window < 2; window++)
        {
            ReferenceEmbeddings.AssertClose(Assert.IsType<EmbeddingRow>(windows[window]).Embedding,
                Assert.IsType<EmbeddingRow>(rows[1 + window]).Embedding, $"window {window}");
        }
    }

    [Fact]
    public async Task MalformedLinesAreReportedWithTheirLineNumbers_AndTheRunCompletes()
    {
        string input = _folder.File("in.jsonl");
        File.WriteAllLines(input,
        [
            """{"id": "first", "input_ids": [50281, 10, 20, 50282]}""",
            """{"id": "broken", "input_ids": [""",
            """{"input_ids": [50281, 50282]}""",
            """{"id": "outside", "input_ids": [50281, 60000, 50282]}""",
            """{"id": "empty", "input_ids": []}""",
            "",
            """{"id": "negative", "input_ids": [50281, -3, 50282]}""",
            """{"id": "nothing"}""",
            """{"id": "surrogate", "text": "\ud800"}""",
            """{"id": "last", "text": "still read"}""",
        ]);
        string output = _folder.File("out.jsonl");

        CommandLineRun run = await EmbedAsync(input, output);

        run.AssertSucceeded();
        Assert.Equal(["first", "last"], (await InferenceFiles.ReadAsync(output)).Select(row => row.Id));
        Assert.Contains("Wrote 2 documents (2 rows)", run.Output, StringComparison.Ordinal);
        Assert.Contains("skipped 7 documents.", run.Output, StringComparison.Ordinal);
        string[] problems = run.Errors.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(7, problems.Length);
        Assert.StartsWith($"{input}:2: invalid JSON", problems[0], StringComparison.Ordinal);
        Assert.Equal($"{input}:3: missing id field 'id'; document skipped.", problems[1]);
        Assert.Equal($"{input}:4: document 'outside': input id 60000 at position 1 is outside the vocabulary (0..50367); document skipped.", problems[2]);
        Assert.Equal($"{input}:5: document 'empty': the input ids are empty (expected at least [CLS] and [SEP]); document skipped.", problems[3]);
        Assert.StartsWith($"{input}:7: input_ids[1] is -3", problems[4], StringComparison.Ordinal);
        Assert.StartsWith($"{input}:8: neither text field 'text' nor input ids field 'input_ids' has a value", problems[5], StringComparison.Ordinal);
        Assert.StartsWith($"{input}:9: ", problems[6], StringComparison.Ordinal);
        Assert.Contains("invalid string value", problems[6], StringComparison.Ordinal);
    }

    [Fact]
    public async Task AMissingModelFolderEndsTheRunWithAMessage_AndNoOutput()
    {
        string missing = _folder.File("no-model");
        string output = _folder.File("out.parquet");

        CommandLineRun run = await EmbedWithModelAsync(missing, WriteReferenceInput(ReferenceOutputs.Load()), output, []);

        Assert.Equal(1, run.ExitCode);
        Assert.Contains($"modernbert embed: The model '{missing}' is neither an existing folder nor a Hugging Face repository id", run.Errors, StringComparison.Ordinal);
        Assert.False(File.Exists(output));
    }

    [Fact]
    public async Task AHubModelsDownloadsOfAMebibyteOrMoreAreNamedOnStandardError_AndItsSmallFilesAreNot()
    {
        await using HubTestServer hub = await HubTestServer.StartAsync();
        hub.AddRepositoryFromFolder("test-org/tiny", _model);
        string output = _folder.File("out.jsonl");

        CommandLineRun run = await EmbedWithModelAsync("test-org/tiny", WriteReferenceInput(ReferenceOutputs.Load()), output,
            ["--set", $"HuggingFace:Endpoint={hub.Endpoint}", "--set", $"HuggingFace:CacheDirectory={_folder.File("hf-cache")}"]);

        run.AssertSucceeded();
        string[] lines = run.Errors.Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
        string at = $"of test-org/tiny at revision {HubTestServer.Commit}";
        Assert.Equal([$"Downloading model.safetensors {at} (13.3 MiB) from {hub.Endpoint}", $"Downloading tokenizer.json {at} (1.5 MiB) from {hub.Endpoint}"],
            lines.Where(line => line.StartsWith("Downloading ", StringComparison.Ordinal)).Order());
        Assert.Equal([$"Downloaded model.safetensors {at} (13.3 MiB) in", $"Downloaded tokenizer.json {at} (1.5 MiB) in"],
            lines.Where(line => line.StartsWith("Downloaded ", StringComparison.Ordinal)).Select(line => line[..line.LastIndexOf(" in ", StringComparison.Ordinal)] + " in").Order());
        Assert.Equal(4, lines.Length);
    }

    [Fact]
    public async Task AMissingInputEndsTheRunWithAMessage_AndNoOutput()
    {
        string missing = _folder.File("missing.jsonl");
        string output = _folder.File("out.parquet");

        CommandLineRun run = await EmbedAsync(missing, output);

        Assert.Equal(1, run.ExitCode);
        Assert.Equal($"modernbert embed: Storage location '{missing}': it matches no objects.", run.Errors.Trim());
        Assert.Empty(Directory.EnumerateFiles(_folder.Path));
    }

    [Fact]
    public async Task AnOutputThatIsOneOfTheInputsIsRefused_AndTheInputIsKept()
    {
        string input = InferenceFiles.WriteLines(_folder, "in.jsonl", [InferenceFiles.PreTokenized("a", [50281, 50282])]);
        string[] lines = File.ReadAllLines(input);

        CommandLineRun run = await EmbedAsync(Path.Combine(_folder.Path, "*.jsonl"), Path.Combine(_folder.Path, ".", "in.jsonl"));

        Assert.Equal(1, run.ExitCode);
        Assert.Equal($"modernbert embed: --output {input} is one of the inputs: write the output to another file.", run.Errors.Trim());
        Assert.Equal(lines, File.ReadAllLines(input));
        Assert.Equal([input], Directory.EnumerateFiles(_folder.Path));
    }

    [Fact]
    public async Task AStorageUrlAsOutputIsRefused_NotWrittenAsALocalFolder()
    {
        string input = InferenceFiles.WriteLines(_folder, "in.jsonl", [InferenceFiles.PreTokenized("a", [50281, 50282])]);

        CommandLineRun run = await EmbedAsync(input, "az://results/e.parquet");

        Assert.Equal(1, run.ExitCode);
        Assert.StartsWith("--output az://results/e.parquet: this command writes one local file; run --output writes to blob storage.",
            run.Errors.Trim(), StringComparison.Ordinal);
        Assert.False(Directory.Exists("az:"));
    }

    [Fact]
    public async Task ADuplicateIdIsReportedWithItsOriginAndSkipped_InputSettingsApply_AndEveryInputIsRead()
    {
        ModernBertTokenizer tokenizer = ModernBertTokenizer.Load(_model);
        string first = _folder.File("first.jsonl");
        File.WriteAllLines(first,
        [
            """{"id": "a", "body": "hello world"}""",
            """{"id": "b", "body": "a second document"}""",
            """{"id": "a", "body": "the same id again"}""",
        ]);
        string second = _folder.File("second.jsonl");
        File.WriteAllLines(second, ["""{"id": "c", "body": "from the second input"}""", """{"id": "b", "body": "and b again"}"""]);
        string output = _folder.File("out.jsonl");

        CommandLineRun run = await EmbedAsync(first, output, "--input", second, "--set", "Input:TextField=body");

        run.AssertSucceeded();
        Assert.Equal(
            [
                $"{first}:3: duplicate id 'a': an earlier document has the same id; document skipped.",
                $"{second}:2: duplicate id 'b': an earlier document has the same id; document skipped.",
            ],
            run.Errors.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("Wrote 3 documents (3 rows)", run.Output, StringComparison.Ordinal);
        Assert.Contains("skipped 2 documents.", run.Output, StringComparison.Ordinal);
        IReadOnlyList<ResultRow> rows = await InferenceFiles.ReadAsync(output);
        Assert.Equal([("a", 0), ("b", 0), ("c", 0)], rows.Select(row => (row.Id, row.Chunk)));
        Assert.Equal(new[] { "hello world", "a second document", "from the second input" }.Select(text => tokenizer.Encode(text).Length - 2),
            rows.Select(row => row.TokenEnd));
    }

    [Theory]
    [InlineData("out.csv", "Output file", "must end in .parquet (Parquet) or .jsonl, .ndjson or .json (JSON Lines).")]
    [InlineData("out.jsonl", "--dims 65", "tiny-modernbert-mlm embeds in 64 dimensions.")]
    [InlineData("out.jsonl", "--window-overlap 8190", "--window-overlap 8190: The overlap must be at least 0 and below 8190 tokens.")]
    [InlineData("out.jsonl", "--max-tokens 512 --set Planning:WindowOverlap=600", "Planning:WindowOverlap is 600: The overlap must be at least 0 and below 510 tokens.")]
    [InlineData("out.jsonl", "--device quantum", "Unknown device 'quantum': use cpu, cuda or cuda:N.")]
    [InlineData("out.jsonl", "--set Worker:Devices=cpu,cpu", "Worker:Devices is 'cpu,cpu'; embed and classify run on one device: name it with --device.")]
    [InlineData("out.jsonl", "--set Worker:Elementwise=Native", "The native kernels need a CUDA device and bf16 or fp16, not CPU with Float32.")]
    [InlineData("out.jsonl", "--set Worker:BatchTokens=100", "Worker:BatchTokens is 100; it must be at least 8192 (one job).")]
    [InlineData("out.jsonl", "--elementwise native", "The native kernels need a CUDA device and bf16 or fp16, not CPU with Float32.")]
    [InlineData("out.jsonl", "--transfers fast", "--transfers must be overlapped or synchronous, not 'fast'.")]
    [InlineData("out.jsonl", "--pooling median", "--pooling must be cls, mean, max, mean_sqrt_len_tokens, weightedmean or lasttoken, not 'median'.")]
    public async Task InvalidSettingsEndTheRunWithAMessage_AndNoOutput(string outputName, string option, string message)
    {
        string input = InferenceFiles.WriteLines(_folder, "in.jsonl", [InferenceFiles.PreTokenized("a", [50281, 50282])]);
        string[] extra = option.StartsWith("--", StringComparison.Ordinal) ? option.Split(' ') : [];

        CommandLineRun run = await EmbedAsync(input, _folder.File(outputName), extra);

        Assert.Equal(1, run.ExitCode);
        Assert.Contains(message, run.Errors, StringComparison.Ordinal);
        Assert.Equal([input], Directory.EnumerateFiles(_folder.Path));
    }

    private string WriteReferenceInput(ReferenceOutputs reference) => InferenceFiles.WriteLines(_folder, "reference.jsonl",
        reference.InputIds.Select((ids, k) => InferenceFiles.PreTokenized($"seq{k}", ids)));

    private Task<CommandLineRun> EmbedAsync(string input, string output, params string[] options) => EmbedWithModelAsync(_model, input, output, options);

    private static Task<CommandLineRun> EmbedWithModelAsync(string model, string input, string output, string[] options) =>
        CommandLineRun.RunAsync(EmbedCommand.Create(), ["embed", "--model", model, "--input", input, "--output", output, .. options, .. DeviceChosen(options) ? Array.Empty<string>() : ["--device", "cpu"]]);

    private static bool DeviceChosen(string[] options) =>
        options.Contains("--device") || options.Any(option => option.StartsWith("Worker:Devices=", StringComparison.Ordinal));
}
