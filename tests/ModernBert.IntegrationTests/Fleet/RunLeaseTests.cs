using System.Text.Json;
using ModernBert.Coordinator.Runs;
using ModernBert.Tests.Common;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace ModernBert.IntegrationTests.Fleet;

/// <summary>
/// One live coordinator per run: the identical command given twice (a Kubernetes Job retried while its first pod
/// lives) neither wedges the run nor marks it failed; a coordinator waiting for the lease takes over a killed one.
/// </summary>
[Collection(FleetCollection.Name)]
public sealed class RunLeaseTests(RabbitMqFixture rabbitFixture, AzuriteFixture azuriteFixture)
{
    private const int LeasedExitCode = 3;

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ASecondCoordinatorOfARunningRunExitsAtOnceAndAWaitingOneFindsItFinished()
    {
        FleetCorpus corpus = FleetCorpus.Get();
        using FleetRun run = await CreateRunAsync(corpus);
        ChildProcess first = run.StartCoordinator();
        await run.WaitUntilAsync(state => state.PublishedCount > 0, first, TimeSpan.FromMinutes(3), Cancellation);

        ChildProcess second = run.StartCoordinator();
        ChildProcess waiting = run.StartCoordinator([.. run.RunArguments, "--wait-for-lease"]);
        int exit = await second.WaitForExitAsync(TimeSpan.FromMinutes(2), Cancellation);
        Assert.True(exit == LeasedExitCode, $"The second coordinator exited with {exit}:\n{second.OutputTail}");
        Assert.Contains($"modernbert run: run {run.RunId} is driven by another coordinator", second.OutputTail);
        Assert.False(first.HasExited, first.OutputTail);
        Assert.False(waiting.HasExited, waiting.OutputTail);
        ChildProcess status = run.StartCoordinator(["status", run.RunId, "--json"]);
        exit = await status.WaitForExitAsync(TimeSpan.FromMinutes(1), Cancellation);
        Assert.True(exit == 0 && status.OutputTail.Contains("\"status\": \"running\""), $"status exited with {exit}:\n{status.OutputTail}");
        run.StartWorker();
        run.StartWorker();

        await run.ExpectCompletedAsync(first, corpus, Cancellation);
        exit = await waiting.WaitForExitAsync(TimeSpan.FromMinutes(2), Cancellation);
        Assert.True(exit == 0, $"The waiting coordinator exited with {exit}:\n{waiting.OutputTail}");
        Assert.Contains($"Run {run.RunId} already finished: completed", waiting.OutputTail);
        await ExpectOneCompletedFinishAsync(run);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task TwoCoordinatorsStartedTogetherDriveTheRunOnce(bool localRunsStore)
    {
        FleetCorpus corpus = FleetCorpus.Get();
        using FleetRun run = await CreateRunAsync(corpus);
        if (localRunsStore)
            run.UseLocalRunsStore();
        ChildProcess[] coordinators = [run.StartCoordinator(), run.StartCoordinator()];
        run.StartWorker();
        run.StartWorker();

        int[] exits = await Task.WhenAll(coordinators.Select(coordinator => coordinator.WaitForExitAsync(TimeSpan.FromMinutes(5), Cancellation)));

        Assert.True(exits.Order().SequenceEqual([0, LeasedExitCode]),
            $"The coordinators exited with {string.Join(" and ", exits)}:\n{string.Join("\n---\n", coordinators.Select(c => c.OutputTail))}");
        await FleetOutput.VerifyAsync(run.OutputStore, corpus, Cancellation);
        await ExpectOneCompletedFinishAsync(run);
    }

    [Fact]
    public async Task ACoordinatorWaitingForTheLeaseTakesOverAKilledOne()
    {
        FleetCorpus corpus = FleetCorpus.Get();
        using FleetRun run = await CreateRunAsync(corpus);
        run.UseLocalRunsStore();
        ChildProcess first = run.StartCoordinator();
        run.StartWorker();
        run.StartWorker();
        await run.WaitUntilAsync(state => state.DoneCount >= 6, first, TimeSpan.FromMinutes(3), Cancellation);
        ChildProcess waiting = run.StartCoordinator([.. run.RunArguments, "--wait-for-lease"]);
        await waiting.WaitUntilAsync("the waiting coordinator", TimeSpan.FromMinutes(1),
            _ => Task.FromResult(waiting.OutputTail.Contains("waiting for its lease")), Cancellation);

        first.Kill();

        await run.ExpectCompletedAsync(waiting, corpus, Cancellation);
        await ExpectOneCompletedFinishAsync(run);
    }

    // The journal holds one end of the run, a completed one: no coordinator that lost the race recorded a failure. The
    // run's events queue is gone.
    private async Task ExpectOneCompletedFinishAsync(FleetRun run)
    {
        RabbitMqServer rabbit = await rabbitFixture.GetAsync();
        await using IConnection connection = await rabbit.CreateConnectionFactory().CreateConnectionAsync(Cancellation);
        await using IChannel channel = await connection.CreateChannelAsync(cancellationToken: Cancellation);
        var missing = await Assert.ThrowsAsync<OperationInterruptedException>(() =>
            channel.QueueDeclarePassiveAsync(RunEventsEndpoint.QueueName(run.RunId), Cancellation));
        Assert.Equal((ushort?)404, missing.ShutdownReason?.ReplyCode);

        List<JsonElement> journal = await run.JournalAsync(Cancellation);
        Assert.Single(journal, line => line.GetProperty("type").GetString() == "finished");
        RunState state = await run.StateAsync(Cancellation);
        Assert.Equal(RunStatus.Completed, state.Finished?.Status);
    }

    private async Task<FleetRun> CreateRunAsync(FleetCorpus corpus) =>
        await FleetRun.CreateAsync(await rabbitFixture.GetAsync(), await azuriteFixture.GetAsync(), corpus, Cancellation);
}
