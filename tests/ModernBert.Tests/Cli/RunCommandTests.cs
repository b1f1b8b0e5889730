using System.Net;
using System.Net.Sockets;
using ModernBert.Coordinator.Cli;
using ModernBert.Coordinator.Runs;
using ModernBert.Storage;
using ModernBert.Tasks;
using ModernBert.Tests.Runs;
using ModernBert.Tests.Common;

namespace ModernBert.Tests.Cli;

/// <summary>A run that cannot start ends <c>modernbert run</c> with one line, before a run exists to resume; so does the status of no run.</summary>
public sealed class RunCommandTests : IDisposable
{
    private readonly TemporaryFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Theory]
    [InlineData("--task classify", "{model}/config.json has no id2label: it is not a sequence classification model.")]
    [InlineData("--set Worker:Devices=cuda:63", "Worker:Devices is 'cuda:63': ")]
    public async Task ARunThatCannotStartEndsTheCommandWithOneLine_AndNoRunToResume(string arguments, string message)
    {
        string model = Fixtures.Require("tiny-modernbert-mlm");
        string corpus = InferenceFiles.WriteLines(_folder, "in.jsonl", [InferenceFiles.PreTokenized("a", [50281, 10, 50282])]);
        string runs = _folder.File("runs");

        CommandLineRun run = await CommandLineRun.RunAsync(RunCommand.Create(),
            ["run", "--input", corpus, "--model", model, "--run-id", "r1", "--set", $"Runs:Location={runs}", .. arguments.Split(' ')]);

        Assert.Equal(1, run.ExitCode);
        Assert.StartsWith($"modernbert run: {message.Replace("{model}", model)}", run.Errors, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', run.Errors.Trim());
        Assert.False(Directory.Exists(Path.Combine(runs, "r1")));
    }

    /// <summary>A run id names a queue on the broker: one a queue name cannot hold left the run waiting for reports that never came.</summary>
    [Theory]
    [InlineData("--run-id", "bad/id", "--run-id 'bad/id': a run id is ASCII letters and digits, and '-', '_', '.' or ':' after the first character.")]
    [InlineData("--run-id", "bad id", "--run-id 'bad id': a run id is ASCII letters and digits")]
    [InlineData("--run-id", "café", "--run-id 'café': a run id is ASCII letters and digits")]
    [InlineData("--run-id", "a%b", "--run-id 'a%b': a run id is ASCII letters and digits")]
    [InlineData("--resume", "..", "--resume '..': a run id is ASCII letters and digits")]
    [InlineData("--resume", "", "--resume: a run id must not be empty.")]
    [InlineData("status", "a#b", "run-id 'a#b': a run id is ASCII letters and digits")]
    public async Task ARunIdThatCannotNameTheRunsQueueIsRefusedAndNothingIsWritten(string option, string id, string message)
    {
        string model = Fixtures.Require("tiny-modernbert-mlm");
        string corpus = InferenceFiles.WriteLines(_folder, "in.jsonl", [InferenceFiles.PreTokenized("a", [50281, 10, 50282])]);
        string runs = _folder.File("runs");

        CommandLineRun run = option == "status"
            ? await CommandLineRun.RunAsync(StatusCommand.Create(), ["status", id, "--set", $"Runs:Location={runs}"])
            : await CommandLineRun.RunAsync(RunCommand.Create(), ["run", "--input", corpus, "--model", model, option, id, "--set", $"Runs:Location={runs}"]);

        Assert.Equal(1, run.ExitCode);
        Assert.StartsWith(message, run.Errors.Trim(), StringComparison.Ordinal);
        Assert.False(Directory.Exists(runs));
    }

    [Theory]
    [InlineData("run", "--resume")]
    [InlineData("status")]
    public async Task ARunThatDoesNotExistEndsRunResumeAndStatusWithOneLine_AndLeavesNoFolderOfThatName(params string[] command)
    {
        string runs = _folder.File("runs");

        CommandLineRun run = await CommandLineRun.RunAsync(command[0] == "run" ? RunCommand.Create() : StatusCommand.Create(),
            [.. command, "r1", "--set", $"Runs:Location={runs}"]);

        Assert.Equal(1, run.ExitCode);
        Assert.Equal($"modernbert {command[0]}: There is no run r1 in {Path.Combine(runs, "r1")}/ (set Runs:Location to the runs store).", run.Errors.Trim());
        Assert.False(Directory.Exists(Path.Combine(runs, "r1")));
    }

    [Fact]
    public async Task AResumeThatGivesTheRunAnotherOutputEndsWithOneLineNamingOnlyThat_ItsTaskLeftOutIsTheRuns()
    {
        string runs = _folder.File("runs");
        var store = new LocalObjectStore(runs);
        RunSpec embedding = RunSamples.Spec(_folder.File("output"));
        string classify = InferenceTasks.Configure("classify", null).OptionsJson;
        RunSpec classifying = embedding with
        {
            Job = embedding.Job with { Task = "classify", TaskOptions = classify }, Requested = new RequestedRunSettings("classify", classify, null),
        };
        await new RunStore(store, store.Describe("")).WriteSpecAsync(classifying, TestContext.Current.CancellationToken);

        CommandLineRun run = await CommandLineRun.RunAsync(RunCommand.Create(), "run", "--resume", RunSamples.RunId, "--output", _folder.File("other"),
            "--set", $"Runs:Location={runs}");

        Assert.Equal(1, run.ExitCode);
        Assert.Equal($"modernbert run: Run {RunSamples.RunId} exists with other settings: it has output {_folder.File("output")}. " +
            $"Give a new --run-id, or --resume {RunSamples.RunId} without them to continue it as it is.", run.Errors.Trim());
    }

    [Fact]
    public async Task ABrokerThatRefusesConnectionsEndsTheCommandWithOneLineOnceTheConnectTimeoutPasses()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();

        CommandLineRun run = await CommandLineRun.RunAsync(RunCommand.Create(), "run", "--input", "corpus.jsonl", "--model", "m",
            "--set", "Broker:Transport=RabbitMq", "--set", $"Broker:Port={port}", "--set", "Broker:ConnectTimeout=00:00:02",
            "--set", $"Runs:Location={_folder.File("runs")}");

        Assert.Equal(1, run.ExitCode);
        Assert.Equal($"modernbert run: The broker rabbitmq://guest@localhost:{port}/ did not accept a connection within 00:00:02 " +
            "(Broker:ConnectTimeout): Connection refused", run.Errors.Trim());
    }
}
