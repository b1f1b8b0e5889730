using System.Diagnostics;
using ModernBert.Tests.Common;
using RabbitMQ.Client;

namespace ModernBert.IntegrationTests.Fleet;

/// <summary>A worker frozen mid-run (SIGSTOP) loses its prefetched jobs to the broker's heartbeat, and the others finish the run.</summary>
[Collection(FleetCollection.Name)]
public sealed class HungWorkerTests(RabbitMqFixture rabbitFixture, AzuriteFixture azuriteFixture)
{
    /// <summary>What the README promises with the default Broker:Heartbeat of 10 s (RabbitMQ gives up after about that long).</summary>
    private static readonly TimeSpan FrozenWorkerBound = TimeSpan.FromSeconds(30);

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task AFrozenWorkersJobsGoToTheOthersWithinTheHeartbeatBoundAndTheRunEndsExactlyOnce()
    {
        RabbitMqServer rabbit = await rabbitFixture.GetAsync();
        FleetCorpus corpus = FleetCorpus.Get();
        using FleetRun run = await FleetRun.CreateAsync(rabbit, await azuriteFixture.GetAsync(), corpus, Cancellation);
        ChildProcess coordinator = run.StartCoordinator();
        ChildProcess victim = run.StartWorker();
        // Once the victim has committed, it holds its prefetched jobs unacknowledged.
        await run.WaitUntilAsync(state => state.Files.Any(file => file.Key.Contains($"-{victim.Id}-")), coordinator, TimeSpan.FromMinutes(3),
            Cancellation);

        victim.Freeze();
        var frozen = Stopwatch.StartNew();
        await using IConnection connection = await rabbit.CreateConnectionFactory().CreateConnectionAsync(Cancellation);
        await using IChannel channel = await connection.CreateChannelAsync(cancellationToken: Cancellation);
        string jobQueue = run.Environment["Broker__JobQueue"];
        while ((await channel.QueueDeclarePassiveAsync(jobQueue, Cancellation)).ConsumerCount > 0)
        {
            Assert.True(frozen.Elapsed < FrozenWorkerBound, $"The broker still counted the frozen worker as a consumer after {frozen.Elapsed}.");
            await Task.Delay(250, Cancellation);
        }
        run.StartWorker();
        run.StartWorker();

        await run.ExpectCompletedAsync(coordinator, corpus, Cancellation);
        Assert.False(victim.HasExited, "The frozen worker exited.");
    }
}
