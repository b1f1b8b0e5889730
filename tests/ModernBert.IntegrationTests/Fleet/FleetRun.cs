using System.Text;
using System.Text.Json;
using Azure.Storage.Blobs;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using ModernBert.Composition;
using ModernBert.Coordinator.Runs;
using ModernBert.Storage;
using ModernBert.IntegrationTests.Storage;
using ModernBert.Tests.Common;

namespace ModernBert.IntegrationTests.Fleet;

/// <summary>
/// One fleet run of a scenario: its own job queue, corpus and output containers in Azurite, its runs store, and the
/// environment its coordinator and worker processes get (RabbitMQ, Azurite, CPU, fast retries).
/// </summary>
internal sealed class FleetRun : IDisposable
{
    private readonly List<ChildProcess> _processes = [];
    private readonly TemporaryFolder _folder = new();

    private FleetRun(RabbitMqServer rabbit, AzuriteServer azurite)
    {
        string suffix = Guid.NewGuid().ToString("N")[..10];
        RunId = $"run-{suffix}";
        Environment = new Dictionary<string, string>
        {
            ["Broker__Transport"] = "RabbitMq",
            ["Broker__Host"] = "127.0.0.1",
            ["Broker__Port"] = rabbit.Port.ToString(),
            ["Broker__JobQueue"] = $"jobs-{suffix}",
            ["Storage__Azure__ConnectionString"] = azurite.ConnectionString,
            ["Runs__Location"] = $"az://runs-{suffix}/",
            ["Telemetry__Port"] = "0",
            ["Worker__Devices"] = "cpu",
            ["Worker__BatchJobs"] = "4",
            ["Worker__BatchTokens"] = "32768",
            ["Worker__RetryAttempts"] = "3",
            ["Coordinator__StallTimeout"] = "00:02:00",
            ["Planning__TokenizerThreads"] = "2",
            ["Resilience__Storage__BaseDelay"] = "00:00:00.200",
            ["Resilience__Storage__MaxDelay"] = "00:00:02",
            ["Resilience__Storage__MaxRetryAttempts"] = "60",
            ["Resilience__Storage__AttemptTimeout"] = "00:00:15",
            ["Resilience__Storage__BreakDuration"] = "00:00:01",
            ["Resilience__Broker__BaseDelay"] = "00:00:00.200",
            ["Resilience__Broker__MaxDelay"] = "00:00:02",
            ["Resilience__Broker__MaxRetryAttempts"] = "60",
            ["Resilience__Broker__BreakDuration"] = "00:00:01",
            ["Logging__LogLevel__Default"] = "Information",
            ["Logging__LogLevel__Microsoft"] = "Warning",
            ["Logging__LogLevel__MassTransit"] = "Warning",
        };
        Input = $"az://corpus-{suffix}/corpus.jsonl";
        Output = $"az://out-{suffix}/embeddings";
        Stores = new ServiceCollection().AddLogging().AddRemoteDependencies(new ConfigurationBuilder().AddInMemoryCollection(
                Environment.Select(pair => new KeyValuePair<string, string?>(pair.Key.Replace("__", ":"), pair.Value))).Build())
            .BuildServiceProvider().GetRequiredService<ObjectStoreFactory>();
        Azure = AzuriteContainers.Service(azurite);
        Suffix = suffix;
    }

    public string RunId { get; }
    public string Input { get; }
    public string Output { get; }
    public string Suffix { get; }
    public Dictionary<string, string> Environment { get; }
    public ObjectStoreFactory Stores { get; }
    public BlobServiceClient Azure { get; }

    public IObjectStore OutputStore => Stores.OpenFolder(StoreLocation.Parse(Output));

    public static Task<FleetRun> CreateAsync(RabbitMqServer rabbit, AzuriteServer azurite, FleetCorpus corpus, CancellationToken cancellationToken) =>
        CreateAsync(rabbit, azurite, corpus.Jsonl, cancellationToken);

    /// <param name="corpus">The corpus as JSON Lines, written to the run's <see cref="Input"/>.</param>
    public static async Task<FleetRun> CreateAsync(RabbitMqServer rabbit, AzuriteServer azurite, byte[] corpus, CancellationToken cancellationToken)
    {
        var run = new FleetRun(rabbit, azurite);
        foreach (string container in new[] { "corpus", "out", "runs" })
            await run.Azure.GetBlobContainerClient($"{container}-{run.Suffix}").CreateAsync(cancellationToken: cancellationToken);
        await run.Stores.OpenFolder(StoreLocation.Parse($"az://corpus-{run.Suffix}/")).WriteAsync("corpus.jsonl", corpus, cancellationToken);
        return run;
    }

    /// <summary>The command line of the run: a new run with its id, resumed when it exists (as a retried Kubernetes Job gives it).</summary>
    public string[] RunArguments => ["run", "--input", Input, "--model", FleetCorpus.ModelPath, "--output", Output, "--run-id", RunId];

    public ChildProcess StartCoordinator(params string[] arguments) => Track(FleetApps.Start(FleetApps.Coordinator,
        arguments.Length > 0 ? arguments : RunArguments, Environment, _folder.Path));

    /// <summary>Keeps the runs store (state, journal, lease) in a local folder instead of Azurite.</summary>
    public void UseLocalRunsStore() => Environment["Runs__Location"] = _folder.File("runs");

    /// <summary>The run's journal events, in order, as JSON lines.</summary>
    public async Task<List<JsonElement>> JournalAsync(CancellationToken cancellationToken)
    {
        IObjectStore runs = Stores.OpenFolder(StoreLocation.Parse(Environment["Runs__Location"]));
        var events = new List<JsonElement>();
        await foreach (ObjectInfo segment in runs.ListAsync($"{RunId}/{RunJournal.Prefix}", cancellationToken))
        {
            string text = Encoding.UTF8.GetString(await runs.ReadRangeAsync(segment.Key, 0, (int)segment.Length, cancellationToken));
            events.AddRange(text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => JsonDocument.Parse(line).RootElement.Clone()));
        }
        return events;
    }

    public ChildProcess StartWorker() => Track(FleetApps.Start(FleetApps.Worker, [], Environment, _folder.Path));

    /// <summary>The run's state as its journal in the runs store has it.</summary>
    public async Task<RunState> StateAsync(CancellationToken cancellationToken)
    {
        var store = new RunStore(Stores.OpenFolder(StoreLocation.Parse(Environment["Runs__Location"])), Environment["Runs__Location"]);
        return (await store.ReplayAsync(RunId, cancellationToken)).State;
    }

    /// <summary>Polls the journal until <paramref name="condition"/> holds.</summary>
    public async Task WaitUntilAsync(Func<RunState, bool> condition, ChildProcess coordinator, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var timer = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timer.CancelAfter(timeout);
        while (!condition(await StateAsync(timer.Token)))
        {
            if (coordinator.HasExited)
                throw new InvalidOperationException($"The coordinator exited ({coordinator.ExitCode}) before the awaited progress:\n{coordinator.OutputTail}");
            await Task.Delay(250, timer.Token);
        }
    }

    public async Task ExpectCompletedAsync(ChildProcess coordinator, FleetCorpus corpus, CancellationToken cancellationToken)
    {
        int exit = await coordinator.WaitForExitAsync(TimeSpan.FromMinutes(5), cancellationToken);
        Assert.True(exit == 0, $"The coordinator exited with {exit}:\n{coordinator.OutputTail}");
        await FleetOutput.VerifyAsync(OutputStore, corpus, cancellationToken);
    }

    public void Dispose()
    {
        _processes.ForEach(process => process.Dispose());
        _folder.Dispose();
    }

    private ChildProcess Track(ChildProcess process)
    {
        _processes.Add(process);
        return process;
    }
}
