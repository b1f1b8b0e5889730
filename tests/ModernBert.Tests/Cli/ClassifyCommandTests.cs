using ModernBert.Coordinator.Cli;
using ModernBert.Outputs;
using ModernBert.Tests.Common;
using ModernBert.Tests.Inference;
using ModernBert.Tests.Modeling;
using ModernBert.Tests.Outputs;
using ModernBert.Tasks.Classify;
using ModernBert.Tokenization;

namespace ModernBert.Tests.Cli;

/// <summary><c>modernbert classify</c> with the tiny classifier on the CPU in fp32, against the reference logits.</summary>
public sealed class ClassifyCommandTests : IDisposable
{
    private static readonly string[] Labels = ["negative", "neutral", "positive"];

    private readonly TemporaryFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Theory]
    [InlineData("out.parquet")]
    [InlineData("out.jsonl")]
    public async Task ProbabilitiesAreTheSoftmaxOfTheReferenceLogits_WithLabelsFromId2Label(string outputName)
    {
        ReferenceOutputs reference = ReferenceOutputs.Load();
        string input = InferenceFiles.WriteLines(_folder, "in.jsonl", reference.InputIds.Select((ids, k) => InferenceFiles.PreTokenized($"seq{k}", ids)));
        string output = _folder.File(outputName);

        CommandLineRun run = await CommandLineRun.RunAsync(ClassifyCommand.Create(),
            "classify", "--model", Fixtures.Require("tiny-modernbert-cls"), "--input", input, "--output", output, "--device", "cpu", "--batch-tokens", "1024");

        run.AssertSucceeded();
        Assert.Contains($"Wrote {ReferenceOutputs.Count} documents ({ReferenceOutputs.Count} rows)", run.Output, StringComparison.Ordinal);
        IReadOnlyList<ResultRow> rows = await InferenceFiles.ReadAsync(output);
        Assert.Equal(ReferenceOutputs.Count, rows.Count);
        for (int k = 0; k < ReferenceOutputs.Count; k++)
        {
            var row = Assert.IsType<ClassificationRow>(rows[k]);
            float[] expected = ReferenceEmbeddings.Softmax(reference.Logits, k);
            int top = Array.IndexOf(expected, expected.Max());
            Assert.Equal(($"seq{k}", 0, 0, reference.InputIds[k].Length - 2), (row.Id, row.Chunk, row.TokenStart, row.TokenEnd));
            Assert.Equal(Labels[top], row.Label);
            ReferenceEmbeddings.AssertClose(expected, row.Scores, $"sequence {k}");
            Assert.Equal(row.Scores[top], row.Score);
        }
        if (outputName.EndsWith(".parquet", StringComparison.Ordinal))
            Assert.Equal("classify", (await ParquetNetReader.ReadMetadataAsync(output))[ResultFileMetadata.TaskKey]);
    }

    [Fact]
    public async Task ADuplicateIdIsReportedWithItsOriginAndSkipped_AndInputSettingsApply()
    {
        string model = Fixtures.Require("tiny-modernbert-cls");
        ModernBertTokenizer tokenizer = ModernBertTokenizer.Load(model);
        string input = _folder.File("in.jsonl");
        File.WriteAllLines(input,
        [
            """{"id": "a", "body": "hello world"}""",
            """{"id": "a", "body": "the same id again"}""",
            """{"id": "b", "body": "a second document"}""",
        ]);
        string output = _folder.File("out.jsonl");

        CommandLineRun run = await CommandLineRun.RunAsync(ClassifyCommand.Create(),
            "classify", "--model", model, "--input", input, "--output", output, "--device", "cpu", "--set", "Input:TextField=body");

        run.AssertSucceeded();
        Assert.Equal($"{input}:2: duplicate id 'a': an earlier document has the same id; document skipped.", run.Errors.Trim());
        Assert.Contains("Wrote 2 documents (2 rows)", run.Output, StringComparison.Ordinal);
        IReadOnlyList<ResultRow> rows = await InferenceFiles.ReadAsync(output);
        Assert.Equal([("a", tokenizer.Encode("hello world").Length - 2), ("b", tokenizer.Encode("a second document").Length - 2)],
            rows.Select(row => (row.Id, row.TokenEnd)));
        Assert.All(rows, row => Assert.Contains(Assert.IsType<ClassificationRow>(row).Label, Labels));
    }

    [Fact]
    public async Task AModelWithoutLabelsCannotClassify()
    {
        string input = InferenceFiles.WriteLines(_folder, "in.jsonl", [InferenceFiles.Text("a", "hello")]);
        string model = Fixtures.Require("tiny-modernbert-mlm");

        CommandLineRun run = await CommandLineRun.RunAsync(ClassifyCommand.Create(),
            "classify", "--model", model, "--input", input, "--output", _folder.File("out.parquet"), "--device", "cpu");

        Assert.Equal(1, run.ExitCode);
        Assert.Contains($"modernbert classify: {Path.Combine(model, "config.json")} has no id2label: it is not a sequence classification model.", run.Errors, StringComparison.Ordinal);
        Assert.Equal([input], Directory.EnumerateFiles(_folder.Path));
    }
}
