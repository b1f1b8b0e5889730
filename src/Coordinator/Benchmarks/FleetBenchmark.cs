using System.Diagnostics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using ModernBert.Coordinator.Runs;
using ModernBert.Fleet;
using ModernBert.Tokenization;

namespace ModernBert.Coordinator.Benchmarks;

/// <summary>One line of <c>bench fleet</c>: a whole run of a synthetic corpus on a real broker with stand-in workers.</summary>
/// <param name="PlanningSeconds">From the run's start until every job was published (planning waits for workers when MaxOutstandingJobs are out).</param>
/// <param name="CommittedSeconds">From the run's start until every job was committed.</param>
/// <param name="FinalizeSeconds">From then until the run ended: manifest, rewrites, orphan sweep, _SUCCESS.</param>
/// <param name="BrokerReceivedBytesPerS">Bytes the broker received from its clients (jobs, reports) per second until every job was committed; null for a broker of the settings.</param>
/// <param name="CoordinatorTokensPerCpuS">Tokens planned, published, tracked and finalized per CPU second of the coordinator: what one core of it plans.</param>
public sealed record FleetBenchmarkResult(
    string Input, string Dataset, string Size, long Documents, int Workers, long CorpusBytes,
    long Jobs, long Tokens, int PartFiles, long OutputBytes,
    double PlanningSeconds, double CommittedSeconds, double FinalizeSeconds,
    double JobsPerS, long PlannedTokensPerS, long CommittedTokensPerS,
    long? BrokerReceivedBytesPerS, long? BrokerSentBytesPerS, double? BrokerCpuS,
    double CoordinatorCpuS, long CoordinatorTokensPerCpuS, long CoordinatorPeakRssMb, double WorkersCpuS,
    int Cores, string LoadBefore, string LoadAfter);

/// <summary>
/// <c>modernbert bench fleet</c>: the control plane at scale. Writes a synthetic corpus (English-like text, or
/// pre-tokenized ids) whose token lengths follow one of the paper's datasets, starts a broker
/// (<see cref="BenchmarkBroker"/>) and stand-in workers (<see cref="StandInWorkers"/>), then runs the real coordinator
/// in this process (<see cref="RunService"/>: plan, publish, track, finalize) and measures it: its CPU time and peak
/// resident memory, the broker's CPU and bytes, the workers' CPU, and the times to publish, commit and finalize.
/// </summary>
public sealed class FleetBenchmark(string input, string dataset, string size, int documents, int workers, string tokenizerFolder,
    IReadOnlyList<KeyValuePair<string, string?>> settings)
{
    public const string TextInput = "text";
    public const string TokensInput = "tokens";

    private static readonly TimeSpan SamplingInterval = TimeSpan.FromMilliseconds(20);

    public async Task<FleetBenchmarkResult> RunAsync(CancellationToken cancellationToken)
    {
        string work = Directory.CreateTempSubdirectory("modernbert-bench-fleet-").FullName;
        try
        {
            string model = Path.Combine(work, "model");
            BenchmarkModelFolder.CreateWithoutWeights(model, ModelSizes.Config(size), tokenizerFolder);
            string corpus = Path.Combine(work, "corpus.jsonl");
            long corpusBytes = WriteCorpus(corpus, model);

            await using BenchmarkBroker broker = await BenchmarkBroker.StartAsync(FleetHost.Configuration([], settings), cancellationToken);
            List<KeyValuePair<string, string?>> fleetSettings = [new("Logging:LogLevel:Default", "Warning"), .. settings, .. broker.Settings];
            await using StandInWorkers fleet = await StandInWorkers.StartAsync(workers, fleetSettings, work, cancellationToken);
            IConfiguration configuration = FleetHost.Configuration([],
                [.. fleetSettings, new("Runs:Location", Path.Combine(work, "runs")), new($"{TelemetryOptions.SectionName}:{nameof(TelemetryOptions.Port)}", "0")]);
            using IHost host = CoordinatorHost.ForRuns(configuration);
            await CoordinatorHost.StartAsync(host, cancellationToken);
            try
            {
                return await MeasureAsync(host.Services.GetRequiredService<RunService>(), broker, fleet,
                    new RunRequest { Inputs = [corpus], Model = model, Output = Path.Combine(work, "output") }, corpusBytes, cancellationToken);
            }
            finally
            {
                await host.StopAsync(CancellationToken.None);
            }
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    private long WriteCorpus(string path, string model)
    {
        var tokenizer = ModernBertTokenizer.Load(model);
        int[] lengths = PaperDatasets.Lengths(dataset, documents, new Random(1));
        return input == TextInput
            ? SyntheticCorpus.WriteText(path, tokenizer, lengths)
            : SyntheticCorpus.WriteTokenIds(path, tokenizer, ModelSizes.Config(size).VocabSize, lengths, seed: 3);
    }

    private async Task<FleetBenchmarkResult> MeasureAsync(RunService runs, BenchmarkBroker broker, StandInWorkers fleet, RunRequest request,
        long corpusBytes, CancellationToken cancellationToken)
    {
        string loadBefore = Load();
        using var self = Process.GetCurrentProcess();
        BrokerUsage? brokerBefore = await broker.UsageAsync(cancellationToken);
        double workersBefore = fleet.CpuSeconds();
        ProcessStatistics.ResetPeakResident(self.Id);
        TimeSpan cpuBefore = self.TotalProcessorTime;
        var clock = Stopwatch.StartNew();

        RunTracker? tracker = null;
        TimeSpan? planned = null, committed = null;
        string? workerFailure = null;
        using var run = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var watching = new CancellationTokenSource();
        Task watcher = Task.Run(async () =>
        {
            while (!watching.IsCancellationRequested && committed == null)
            {
                if (tracker?.Read(state => (state.Planning != null, state.IsComplete)) is var (isPlanned, isComplete))
                {
                    planned ??= isPlanned ? clock.Elapsed : null;
                    committed = isComplete ? clock.Elapsed : null;
                }
                if (fleet.Exited() is { } failure)
                {
                    workerFailure = failure;
                    await run.CancelAsync();
                    return;
                }
                await Task.Delay(SamplingInterval, CancellationToken.None);
            }
        }, CancellationToken.None);

        RunOutcome outcome = await runs.RunAsync(request, run.Token, observe => tracker = observe);
        TimeSpan total = clock.Elapsed;
        await watching.CancelAsync();
        await watcher;
        double coordinatorCpu = (self.TotalProcessorTime - cpuBefore).TotalSeconds;
        long peak = ProcessStatistics.PeakResidentBytes(self.Id);
        double workersCpu = fleet.CpuSeconds() - workersBefore;
        // Once every job is committed the broker carries nothing more of the run, so its use until now is its use until then.
        BrokerUsage? brokerUsed = await broker.UsageAsync(cancellationToken) - brokerBefore;
        if (workerFailure != null)
            throw new InvalidOperationException(workerFailure);
        if (outcome is not RunOutcome.Finished { Manifest: { Status: RunStatus.Completed } manifest } || committed is not { } toCommit)
            throw new InvalidOperationException($"The benchmark's run ended as {outcome}.");

        long tokens = manifest.Counts.Tokens;
        double committedSeconds = toCommit.TotalSeconds;
        return new FleetBenchmarkResult(input, dataset, size, documents, workers, corpusBytes,
            manifest.Counts.Jobs, tokens, manifest.Files.Count, manifest.Files.Sum(file => file.Bytes),
            Round(planned?.TotalSeconds ?? committedSeconds), Round(committedSeconds), Round((total - toCommit).TotalSeconds),
            Round(manifest.Counts.Jobs / committedSeconds), (long)(tokens / (planned?.TotalSeconds ?? committedSeconds)), (long)(tokens / committedSeconds),
            (long?)(brokerUsed?.ReceivedBytes / committedSeconds), (long?)(brokerUsed?.SentBytes / committedSeconds),
            brokerUsed is { } used ? Round(used.CpuSeconds) : null,
            Round(coordinatorCpu), (long)(tokens / coordinatorCpu), peak / (1024 * 1024), Round(workersCpu),
            Environment.ProcessorCount, loadBefore, Load());
    }

    private static double Round(double value) => Math.Round(value, 3);

    /// <summary>The machine's load averages over 1, 5 and 15 minutes: how much else ran beside the benchmark.</summary>
    private static string Load() => string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
}
