using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using ModernBert.Coordinator.Runs;
using ModernBert.Fleet;
using ModernBert.Fleet.Contracts;
using ModernBert.Resilience;
using ModernBert.Storage;
using ModernBert.Tests.Common;

namespace ModernBert.IntegrationTests.Fleet;

/// <summary>
/// A worker's report that the coordinator could not record (its journal refused the write, so the run failed) lands
/// in the run's error queue on RabbitMQ; the resume returns it to the events queue and records it.
/// </summary>
[Collection(FleetCollection.Name)]
public sealed class RunEventsQueueTests(RabbitMqFixture rabbitFixture) : IAsyncLifetime
{
    private readonly TemporaryFolder _folder = new();
    private readonly string _runId = $"run-faulted-{Guid.NewGuid():N}"[..24];
    private RabbitMqServer? _rabbit;
    private ServiceProvider? _bus;

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task AReportThatCouldNotBeRecordedIsRecordedWhenTheRunResumes()
    {
        using FullFileSystem disk = FullFileSystem.Mount(_folder.File("disk"));
        // As the runs store is opened: its failures classified, a full disk refused for good (StorageFailureException).
        var store = new ResilientObjectStore(new LocalObjectStore(disk.Path),
            ResilientObjectStore.CreatePipeline(new ResilienceOptions(), NullLogger.Instance));
        var runs = new RunStore(store, disk.Path);
        var events = new RunEventsEndpoint(_bus!.GetRequiredService<IBus>());
        var queue = new RunEventsQueue(Options.Create(new BrokerOptions { Transport = BrokerTransport.RabbitMq, Host = "127.0.0.1", Port = _rabbit!.Port }),
            NullLogger<RunEventsQueue>.Instance);
        var report = new JobsCommitted
        {
            RunId = _runId, WorkerId = "w1", FileKey = "parts/part-w1-00000.parquet", CommittedLength = 100,
            Jobs = [new JobRows(3, 0, 2, 40)], FailedDocuments = [],
        };

        // The disk holding the runs is full: recording the report fails, the report faults, and the run fails.
        await using (var journal = new RunJournal(store, $"{_runId}/", 0))
        {
            var tracker = new RunTracker(_runId, new RunState(), journal);
            Task waiting = tracker.WaitForCompletionAsync(TimeSpan.FromMinutes(2), Cancellation);
            await using (await events.ConnectAsync(tracker, Cancellation))
            {
                await SendAsync(report);
                var failure = await Assert.ThrowsAsync<StorageFailureException>(() => waiting);
                Assert.Contains("No space left on device", failure.Message);
            }
        }
        Assert.Equal(0, await queue.ReturnFaultedAsync($"{_runId}-other", Cancellation));

        // Space freed, the run resumes: the report comes back from the error queue and is recorded.
        File.Delete(Path.Combine(disk.Path, "filler"));
        await using IObjectLease lease = (await runs.TryLeaseAsync(_runId, Cancellation))!;
        (RunState state, RunJournal resumed) = await runs.OpenAsync(_runId, lease, Cancellation);
        await using (resumed)
        {
            Assert.False(state.IsDone(3));
            var tracker = new RunTracker(_runId, state, resumed);
            Assert.Equal(1, await queue.ReturnFaultedAsync(_runId, Cancellation));
            await using (await events.ConnectAsync(tracker, Cancellation))
            {
                DateTime deadline = DateTime.UtcNow.AddMinutes(2);
                while (!tracker.Read(s => s.IsDone(3)))
                {
                    Assert.True(DateTime.UtcNow < deadline, "The returned report was not recorded.");
                    await Task.Delay(50, Cancellation);
                }
            }
        }
        (RunState replayed, _) = await runs.ReplayAsync(_runId, Cancellation);
        Assert.True(replayed.IsDone(3));
    }

    public async ValueTask InitializeAsync()
    {
        _rabbit = await rabbitFixture.GetAsync();
        _bus = new ServiceCollection().AddMassTransit(bus => bus.UsingRabbitMq((_, rabbit) => rabbit.Host("127.0.0.1", (ushort)_rabbit.Port, "/", host =>
        {
            host.Username("guest");
            host.Password("guest");
        }))).BuildServiceProvider();
        await _bus.GetRequiredService<IBusControl>().StartAsync(Cancellation);
    }

    public async ValueTask DisposeAsync()
    {
        if (_bus != null)
        {
            await _bus.GetRequiredService<IBusControl>().StopAsync(CancellationToken.None);
            await _bus.DisposeAsync();
        }
        _folder.Dispose();
    }

    private async Task SendAsync(JobsCommitted report)
    {
        ISendEndpoint endpoint = await _bus!.GetRequiredService<IBus>().GetSendEndpoint(new Uri($"queue:{RunEventsEndpoint.QueueName(_runId)}"));
        await endpoint.Send(report, Cancellation);
    }
}
