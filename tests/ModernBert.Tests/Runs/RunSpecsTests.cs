using ModernBert.Storage;
using ModernBert.Inputs;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using ModernBert.Coordinator.Planning;
using ModernBert.Coordinator.Runs;
using ModernBert.Hub;
using ModernBert.Inference;
using ModernBert.Resilience;
using ModernBert.Tests.Common;
using ModernBert.Tests.Outputs;
using ModernBert.Tasks;
using static ModernBert.Tests.Runs.RunSamples;

namespace ModernBert.Tests.Runs;

/// <summary>How a request becomes the spec of a new, existing or resumed run, and the user's mistakes it reports.</summary>
public sealed class RunSpecsTests : TemporaryStoreTests
{
    private RunStore Runs => new(Store, Store.Describe(""));

    [Fact]
    public async Task ANewRunPinsTheLocalModelFolderAndTheCurrentPlanningSettings_AndListsItsCorpusBesideItsSpecOnceKept()
    {
        string model = Fixtures.Require("tiny-modernbert-mlm");
        string corpus = WriteCorpus("corpus.jsonl");
        var request = new RunRequest { Inputs = [corpus], Model = model, RunId = "r1" };
        RunSpecs specs = Specs(jobTokens: 4096);

        OpenedRunSpec opened = await specs.OpenAsync(request, Cancellation);
        Assert.Null(await Runs.ReadSpecAsync("r1", Cancellation));
        (RunSpec spec, ModelFolder? folder) = await specs.KeepAsync(opened, request, Cancellation);

        Assert.Equal(("r1", Path.GetFullPath(model), null, 4096), (spec.RunId, spec.Job.Model, spec.Job.Revision, spec.JobTokens));
        Assert.Equal(Path.GetFullPath(model), folder?.Path);
        Assert.Equal([corpus], spec.Inputs);
        Assert.Equal(Store.Describe("r1/output"), spec.Job.OutputLocation);
        Assert.Equivalent(spec, await Runs.ReadSpecAsync("r1", Cancellation), strict: true);
        IReadOnlyList<CorpusObject>? listed = await Runs.ReadCorpusAsync("r1", Stores, Cancellation);
        Assert.Equal([corpus], listed!.Select(corpusObject => corpusObject.Store.Describe(corpusObject.Key)));
    }

    [Fact]
    public async Task AClassifyRunRecordsTheActivationItsModelChooses()
    {
        var request = new RunRequest
        {
            Inputs = [WriteCorpus("corpus.jsonl")], Model = Fixtures.Require("tiny-modernbert-cls"), RunId = "r1", Task = InferenceTasks.Configure("classify", null),
        };

        RunSpec spec = (await Specs().OpenAsync(request, Cancellation)).Spec;

        // Three labels and no problem_type: softmax, as transformers' text-classification pipeline chooses.
        Assert.Equal("""{"pairs":false,"truncation":"longest_first","pair_overflow":"truncate","activation":"softmax"}""", spec.Job.TaskOptions);
    }

    [Fact]
    public async Task InputsThatMatchNothingEndTheRequestBeforeTheRunExists()
    {
        string missing = Store.Describe("missing-*.jsonl");

        var error = await Assert.ThrowsAsync<StorageLocationException>(() => Specs().OpenAsync(
            new RunRequest { Inputs = [missing], Model = Fixtures.Require("tiny-modernbert-mlm"), RunId = "r1" }, Cancellation));

        Assert.Equal($"Storage location '{missing}': it matches no objects.", error.Message);
        Assert.Null(await Runs.ReadSpecAsync("r1", Cancellation));
    }

    [Theory]
    [InlineData("az://results/run", "no Azure Storage account is configured")]
    [InlineData("results/*/run", "a folder location cannot hold wildcards.")]
    public async Task AnOutputLocationThatCannotBeOpenedEndsTheRequestBeforeTheRunExists(string output, string problem)
    {
        var request = new RunRequest { Inputs = [WriteCorpus("corpus.jsonl")], Model = Fixtures.Require("tiny-modernbert-mlm"), RunId = "r1", Output = output };

        var error = await Assert.ThrowsAsync<StorageLocationException>(() => Specs().OpenAsync(request, Cancellation));

        Assert.Contains(problem, error.Message, StringComparison.Ordinal);
        Assert.Null(await Runs.ReadSpecAsync("r1", Cancellation));
    }

    /// <summary>Its workers would take the other run's _CLOSED for their own and drop every result: the run waited forever.</summary>
    [Theory]
    [InlineData("_CLOSED", "output (_CLOSED)")]
    [InlineData("_SUCCESS", "output (_SUCCESS)")]
    [InlineData("_manifest.json", "output (_manifest.json)")]
    [InlineData("parts/part-w1-00000.parquet", "part files (parts/part-w1-00000.parquet)")]
    public async Task AnOutputLocationHoldingAnotherRunsOutputEndsTheRequestBeforeTheRunExists(string key, string what)
    {
        await Store.WriteAsync($"results/{key}", new byte[] { 1 }, Cancellation);
        await Store.WriteAsync("results/notes.txt", new byte[] { 1 }, Cancellation);
        string output = Store.Describe("results");
        var request = new RunRequest { Inputs = [WriteCorpus("corpus.jsonl")], Model = Fixtures.Require("tiny-modernbert-mlm"), RunId = "r2", Output = output };

        var error = await Assert.ThrowsAsync<ConfigurationException>(() => Specs().OpenAsync(request, Cancellation));

        Assert.Equal($"The output location {output} holds another run's {what}: give the new run its own --output, or resume that run " +
            "with its --run-id.", error.Message);
        Assert.Null(await Runs.ReadSpecAsync("r2", Cancellation));
        await Store.DeleteAsync($"results/{key}", Cancellation);
        Assert.Equal(output, (await Specs().OpenAsync(request, Cancellation)).Spec.Job.OutputLocation); // other files are no run's
    }

    [Fact]
    public async Task AResumeThatNamesAnotherRunIdIsRefused()
    {
        var error = await Assert.ThrowsAsync<ConfigurationException>(() => Specs().OpenAsync(new RunRequest { Resume = "r1", RunId = "r2" }, Cancellation));

        Assert.Equal("--resume r1 and --run-id r2 name two runs: give one.", error.Message);
    }

    [Theory]
    [InlineData("classify", null, "tiny-modernbert-mlm", "config.json has no id2label: it is not a sequence classification model.")]
    [InlineData("token-classify", null, "tiny-modernbert-cls",
        "config.json names architectures [ModernBertForSequenceClassification], not ModernBertForTokenClassification.")]
    [InlineData("multivector", null, "tiny-modernbert-mlm",
        "modules.json lists no PyLate Dense module (pylate.models.Dense.Dense): it is not a PyLate ColBERT checkpoint.")]
    [InlineData("embed", """{"dimensions": 65}""", "tiny-modernbert-mlm", "tiny-modernbert-mlm embeds in 64 dimensions.")]
    [InlineData("sparse", """{"max_tokens": 8193}""", "tiny-modernbert-mlm",
        "A window of 8193 tokens (--max-tokens) is longer than the 8192 positions of {model}/config.json (max_position_embeddings).")]
    public async Task ATaskThatCannotRunOnTheModelEndsTheRequestBeforeTheRunExists(string task, string? options, string fixture, string message)
    {
        string model = Fixtures.Require(fixture);
        var request = new RunRequest { Inputs = [WriteCorpus("corpus.jsonl")], Model = model, RunId = "r1", Task = InferenceTasks.Configure(task, options) };

        var error = await Assert.ThrowsAnyAsync<ModernBertException>(() => Specs().OpenAsync(request, Cancellation));

        Assert.EndsWith(message.Replace("{model}", model), error.Message, StringComparison.Ordinal);
        Assert.Null(await Runs.ReadSpecAsync("r1", Cancellation));
    }

    [Fact]
    public async Task AnExistingRunIsResumedByARequestThatGivesItsSettingsOrLeavesThemOut()
    {
        string corpus = WriteCorpus("corpus.jsonl");
        string model = Fixtures.Require("tiny-modernbert-mlm");
        ConfiguredTask sparse = InferenceTasks.Configure("sparse", """{"top_k": 5}""");
        var first = new RunRequest { Inputs = [corpus], Model = model, RunId = "r1", Task = sparse, Output = Store.Describe("out/") };
        (RunSpec created, _) = await Specs().KeepAsync(await Specs().OpenAsync(first, Cancellation), first, Cancellation);

        RunSpec again = (await Specs().OpenAsync(first with { Task = InferenceTasks.Configure("sparse", """{"top_k": 5}""") }, Cancellation)).Spec;
        RunSpec bare = (await Specs().OpenAsync(new RunRequest { RunId = "r1" }, Cancellation)).Spec;
        RunSpec resumed = (await Specs().OpenAsync(new RunRequest { Resume = "r1" }, Cancellation)).Spec;

        Assert.Equal(new RequestedRunSettings("sparse", sparse.OptionsJson, null), created.Requested);
        Assert.All([again, bare, resumed], spec => Assert.Equivalent(created, spec, strict: true));
    }

    [Theory]
    [InlineData("inputs")]
    [InlineData("model")]
    [InlineData("output")]
    [InlineData("revision")]
    [InlineData("task")]
    [InlineData("task options")]
    public async Task ARequestThatGivesAnExistingRunAnotherSettingIsRefused_ByRunIdAndByResume(string setting)
    {
        string corpus = WriteCorpus("corpus.jsonl");
        string model = Fixtures.Require("tiny-modernbert-mlm");
        var first = new RunRequest { Inputs = [corpus], Model = model, RunId = "r1", Task = InferenceTasks.Configure("sparse", """{"top_k": 5}""") };
        (RunSpec created, _) = await Specs().KeepAsync(await Specs().OpenAsync(first, Cancellation), first, Cancellation);
        (RunRequest other, string has) = setting switch
        {
            "inputs" => (new RunRequest { Inputs = [WriteCorpus("other.jsonl")] }, $"inputs {corpus}"),
            "model" => (new RunRequest { Model = Fixtures.Require("tiny-modernbert-cls") }, $"model {Path.GetFullPath(model)}"),
            "output" => (new RunRequest { Output = Store.Describe("elsewhere") }, $"output {created.Job.OutputLocation}"),
            "revision" => (new RunRequest { Revision = "v2" }, "revision (none)"),
            "task" => (new RunRequest { Task = InferenceTasks.Configure("embed", null) }, $"task sparse {created.Requested!.TaskOptions}"),
            _ => (new RunRequest { Task = InferenceTasks.Configure("sparse", """{"top_k": 6}""") }, $"task sparse {created.Requested!.TaskOptions}"),
        };

        var byRunId = await Assert.ThrowsAsync<ConfigurationException>(() => Specs().OpenAsync(other with { RunId = "r1" }, Cancellation));
        var byResume = await Assert.ThrowsAsync<ConfigurationException>(() => Specs().OpenAsync(other with { Resume = "r1" }, Cancellation));

        string message = $"Run r1 exists with other settings: it has {has}. Give a new --run-id, or --resume r1 without them to continue it as it is.";
        Assert.Equal((message, message), (byRunId.Message, byResume.Message));
    }

    [Fact]
    public async Task ARunCreatedBeforeRequestsWereKeptIsComparedByInputsModelAndOutputOnly()
    {
        await Runs.WriteSpecAsync(Spec("/data/output"), Cancellation);

        RunSpec same = (await Specs().OpenAsync(new RunRequest { RunId = RunId, Revision = "v2", Task = InferenceTasks.Configure("classify", null) }, Cancellation)).Spec;
        var other = await Assert.ThrowsAsync<ConfigurationException>(() =>
            Specs().OpenAsync(new RunRequest { RunId = RunId, Inputs = ["/data/other.jsonl"], Output = "/data/output/" }, Cancellation));

        Assert.Equal(RunId, same.RunId);
        Assert.StartsWith($"Run {RunId} exists with other settings: it has inputs /data/corpus/*.jsonl. ", other.Message);
    }

    [Fact]
    public async Task ARunOfTheSameIdCreatedByAnotherCoordinatorSinceTheRequestWasOpenedIsTheOneKept()
    {
        var request = new RunRequest { Inputs = [WriteCorpus("corpus.jsonl")], Model = Fixtures.Require("tiny-modernbert-mlm"), RunId = "r1" };
        RunSpecs specs = Specs();
        OpenedRunSpec first = await specs.OpenAsync(request, Cancellation);
        OpenedRunSpec second = await specs.OpenAsync(request with { Inputs = [WriteCorpus("other.jsonl")] }, Cancellation);
        (RunSpec created, _) = await specs.KeepAsync(first, request, Cancellation);

        (RunSpec kept, ModelFolder? keptModel) = await specs.KeepAsync(second, request, Cancellation);
        var conflict = await Assert.ThrowsAsync<ConfigurationException>(() => specs.KeepAsync(second, request with { Inputs = second.Spec.Inputs }, Cancellation));

        Assert.Equivalent(created, kept, strict: true);
        Assert.NotNull(second.NewRun);
        Assert.Null(keptModel);
        Assert.StartsWith($"Run r1 exists with other settings: it has inputs {request.Inputs[0]}. ", conflict.Message);
        Assert.Equivalent(created, await Runs.ReadSpecAsync("r1", Cancellation), strict: true);
    }

    [Fact]
    public async Task ResumingARunThatDoesNotExistOrStartingOneWithoutAModelIsTheUsersMistake()
    {
        var missing = await Assert.ThrowsAsync<ConfigurationException>(() => Specs().OpenAsync(new RunRequest { Resume = "nope" }, Cancellation));
        var incomplete = await Assert.ThrowsAsync<ConfigurationException>(() => Specs().OpenAsync(new RunRequest { Inputs = ["a.jsonl"] }, Cancellation));

        Assert.StartsWith("There is no run nope in ", missing.Message);
        Assert.Equal("A new run needs --input and --model.", incomplete.Message);
    }

    private static ObjectStoreFactory Stores => new(new StorageOptions(), new ResilienceOptions(), NullLoggerFactory.Instance, environment: _ => null);

    private string WriteCorpus(string name)
    {
        string path = Store.Describe(name);
        File.WriteAllText(path, """{"id": "a", "text": "hello world"}""" + "\n");
        return path;
    }

    private RunSpecs Specs(int jobTokens = 8192) => new(Runs,
        new HuggingFaceModelResolver(new HuggingFaceOptions { Offline = true, CacheDirectory = Store.Describe("hf") }, new ResilienceOptions(),
            NullLogger.Instance),
        Options.Create(new RunsOptions { Location = Store.Describe("") }), Options.Create(new PlanningOptions { JobTokens = jobTokens }),
        Stores, Options.Create(new InputOptions()), NullLogger<RunSpecs>.Instance);
}
