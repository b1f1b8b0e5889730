using System.Diagnostics;
using ModernBert.Coordinator.Runs;
using ModernBert.Tests.Common;

namespace ModernBert.IntegrationTests.Fleet;

/// <summary>
/// The fleet with its real parts: a coordinator process and worker processes on RabbitMQ, the corpus, run state and
/// results in Azurite; and what it must survive. Each scenario checks the final output row by row.
/// </summary>
[Collection(FleetCollection.Name)]
public sealed class FleetRunTests(RabbitMqFixture rabbitFixture, AzuriteFixture azuriteFixture)
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task TwoWorkersEmbedAMixedCorpusIntoBlobStorage()
    {
        FleetCorpus corpus = FleetCorpus.Get();
        using FleetRun run = await CreateRunAsync(corpus);
        ChildProcess coordinator = run.StartCoordinator();
        run.StartWorker();
        run.StartWorker();

        await run.ExpectCompletedAsync(coordinator, corpus, Cancellation);
        Assert.True(corpus.LongDocuments > 0);
    }

    [Fact]
    public async Task AWorkerKilledMidRunLosesAndDuplicatesNothing()
    {
        FleetCorpus corpus = FleetCorpus.Get();
        using FleetRun run = await CreateRunAsync(corpus);
        ChildProcess coordinator = run.StartCoordinator();
        ChildProcess victim = run.StartWorker();
        run.StartWorker();

        await run.WaitUntilAsync(state => state.DoneCount >= 6, coordinator, TimeSpan.FromMinutes(3), Cancellation);
        victim.Kill();

        await run.ExpectCompletedAsync(coordinator, corpus, Cancellation);
    }

    [Fact]
    public async Task AWorkerStoppedWithSigtermDrainsAndExitsWithinItsGracePeriod()
    {
        FleetCorpus corpus = FleetCorpus.Get();
        using FleetRun run = await CreateRunAsync(corpus);
        run.Environment["Worker__ShutdownGracePeriod"] = "00:00:20";
        ChildProcess coordinator = run.StartCoordinator();
        ChildProcess draining = run.StartWorker();

        await run.WaitUntilAsync(state => state.DoneCount >= 3, coordinator, TimeSpan.FromMinutes(3), Cancellation);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        await draining.TerminateAsync(TimeSpan.FromSeconds(30));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(25), $"The worker took {clock.Elapsed} to stop.");
        Assert.True(draining.ExitCode == 0, $"The worker exited with {draining.ExitCode}:\n{draining.OutputTail}");
        run.StartWorker();

        await run.ExpectCompletedAsync(coordinator, corpus, Cancellation);
    }

    [Fact]
    public async Task AKilledCoordinatorResumesWithoutRedoingDoneJobs()
    {
        FleetCorpus corpus = FleetCorpus.Get();
        using FleetRun run = await CreateRunAsync(corpus);
        ChildProcess first = run.StartCoordinator();
        run.StartWorker();
        run.StartWorker();

        await run.WaitUntilAsync(state => state.DoneCount >= 6, first, TimeSpan.FromMinutes(3), Cancellation);
        first.Kill();
        RunState atKill = await run.StateAsync(Cancellation);

        // The killed coordinator's blob lease lasts until it expires; a resuming coordinator waits for it, as a retried Job does.
        ChildProcess resumed = run.StartCoordinator("run", "--resume", run.RunId, "--wait-for-lease");
        await run.ExpectCompletedAsync(resumed, corpus, Cancellation);
        RunState end = await run.StateAsync(Cancellation);
        Assert.Equal(end.Planning!.Jobs, end.DoneCount);
        Assert.True(atKill.DoneCount > 0 && atKill.DoneCount < end.DoneCount, $"done at kill {atKill.DoneCount} of {end.DoneCount}");
    }

    [Fact]
    public async Task ARabbitMqRestartMidRunIsRiddenOut() =>
        await RideOutAnOutageAsync(await rabbitFixture.GetAsync(), TimeSpan.FromSeconds(3));

    [Fact]
    public async Task BlobStorageDownForAWhileIsRiddenOut() =>
        await RideOutAnOutageAsync(await azuriteFixture.GetAsync(), TimeSpan.FromSeconds(8));

    // Stops the service once the run is under way, starts it again after `down`, and expects a complete output.
    private async Task RideOutAnOutageAsync(ServiceProcess service, TimeSpan down)
    {
        FleetCorpus corpus = FleetCorpus.Get();
        using FleetRun run = await CreateRunAsync(corpus);
        ChildProcess coordinator = run.StartCoordinator();
        run.StartWorker();
        run.StartWorker();

        await run.WaitUntilAsync(state => state.DoneCount >= 4, coordinator, TimeSpan.FromMinutes(3), Cancellation);
        var stopping = Stopwatch.StartNew();
        await service.StopAsync();
        TimeSpan stopped = stopping.Elapsed;
        await Task.Delay(down, Cancellation);
        await service.StartAsync(Cancellation);
        // How long the service was away, for a failure to tell a slow machine from a short tolerance.
        TestContext.Current.TestOutputHelper?.WriteLine($"{service.GetType().Name} took {stopped.TotalSeconds:F1} s to stop, was down {down.TotalSeconds:F0} s " +
            $"and took {service.LastStartDuration.TotalSeconds:F1} s to start again");

        await run.ExpectCompletedAsync(coordinator, corpus, Cancellation);
    }

    private async Task<FleetRun> CreateRunAsync(FleetCorpus corpus) =>
        await FleetRun.CreateAsync(await rabbitFixture.GetAsync(), await azuriteFixture.GetAsync(), corpus, Cancellation);
}
