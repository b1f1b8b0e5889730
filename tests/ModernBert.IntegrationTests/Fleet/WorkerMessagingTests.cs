using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using ModernBert.Coordinator.Runs;
using ModernBert.Documents;
using ModernBert.Fleet.Contracts;
using ModernBert.Tasks.Embed;
using ModernBert.Storage;
using ModernBert.Tests.Common;

namespace ModernBert.IntegrationTests.Fleet;

/// <summary>
/// A worker process on RabbitMQ given jobs it must refuse: the jobs go to the error queue after one attempt (the
/// error queue's copy carries MassTransit's retry count, which is set once a message was retried), and the run, whose
/// events queue this test consumes with the coordinator's own consumer and tracker, records each with its reason.
/// </summary>
[Collection(FleetCollection.Name)]
public sealed class WorkerMessagingTests(RabbitMqFixture rabbitFixture) : IAsyncLifetime
{
    private const string RunId = "run-messaging";
    private const string OtherRunId = "run-messaging-other";
    private readonly TemporaryFolder _folder = new();
    private readonly string _suffix = Guid.NewGuid().ToString("N")[..10];
    private readonly TaskCompletionSource<RefusedJob> _refused = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource<JobsCommitted> _otherRun = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private RabbitMqServer? _rabbit;
    private ServiceProvider? _bus;
    private ChildProcess? _worker;
    private RunJournal? _journal;
    private IObjectLease? _lease;
    private RunTracker? _tracker;

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    private string JobQueue => $"jobs-{_suffix}";

    private string EventsQueue => $"events-{_suffix}";

    private string OtherEventsQueue => $"other-events-{_suffix}";

    [Fact]
    public async Task AJobFailingWithAPermanentErrorGoesToTheErrorQueueAfterOneAttemptAndTheRunRecordsTheReason()
    {
        string model = await WeightlessModel.CreateAsync(_folder.File("weightless-model"), Cancellation);

        await SendAsync(Job(4, model));

        (long job, string reason) = await FailedJobAsync();
        Assert.Equal(4, job);
        Assert.Contains("lacks", reason);
        RefusedJob refused = await _refused.Task.WaitAsync(TimeSpan.FromMinutes(1), Cancellation);
        Assert.Equal((4L, (string?)reason, (int?)null), (refused.JobId, refused.FaultMessage, refused.RetryCount));
    }

    [Fact]
    public async Task ARunsPermanentErrorFailsOnlyItsOwnJobsWhileAnotherRunsJobsTakenWithThemCommit()
    {
        string model = await WeightlessModel.CreateAsync(_folder.File("weightless-model"), Cancellation);
        InferenceJob other = Job(7, FleetCorpus.ModelPath) with
        {
            RunId = OtherRunId,
            EventsQueue = OtherEventsQueue,
            Spec = Job(7, FleetCorpus.ModelPath).Spec with { OutputLocation = _folder.File("other-output") },
        };

        // Sent together, well within the worker's batch time limit, so that one batch could take both.
        await Task.WhenAll(SendAsync(Job(4, model)), SendAsync(other));

        (long job, _) = await FailedJobAsync();
        Assert.Equal(4, job);
        JobsCommitted committed = await _otherRun.Task.WaitAsync(TimeSpan.FromMinutes(2), Cancellation);
        Assert.Equal((OtherRunId, 7L), (committed.RunId, Assert.Single(committed.Jobs).JobId));
    }

    [Fact]
    public async Task AJobOfAnUnknownContractVersionIsRefusedNamingBothVersionsAndTheRunRecordsIt()
    {
        await SendAsync(Job(12, FleetCorpus.ModelPath) with { ContractVersion = JobContract.Version + 1 });

        (long job, string reason) = await FailedJobAsync();
        Assert.Equal(12, job);
        Assert.Equal($"job 12 of run {RunId} has contract version {JobContract.Version + 1}; this worker reads version {JobContract.Version}.", reason);
        RefusedJob refused = await _refused.Task.WaitAsync(TimeSpan.FromMinutes(1), Cancellation);
        Assert.Equal((12L, (string?)reason, (int?)null), (refused.JobId, refused.FaultMessage, refused.RetryCount));
    }

    public async ValueTask InitializeAsync()
    {
        _rabbit = await rabbitFixture.GetAsync();
        var runs = new RunStore(new LocalObjectStore(_folder.File("runs")), _folder.File("runs"));
        _lease = (await runs.TryLeaseAsync(RunId, Cancellation))!;
        (RunState state, _journal) = await runs.OpenAsync(RunId, _lease, Cancellation);
        _tracker = new RunTracker(RunId, state, _journal);
        await _tracker.RecordAsync(new JobsPublishedEvent(0, 1));
        await _tracker.RecordAsync(new PlanningFinishedEvent(Jobs: 1, Documents: 1, Chunks: 1, Tokens: 3, Rejected: 0, PackingEfficiency: 1));

        _bus = new ServiceCollection().AddMassTransit(bus => bus.UsingRabbitMq((context, rabbit) =>
        {
            rabbit.Host("127.0.0.1", (ushort)_rabbit.Port, "/", host =>
            {
                host.Username("guest");
                host.Password("guest");
            });
            rabbit.ReceiveEndpoint(EventsQueue, endpoint => endpoint.Consumer(() => new RunEventsConsumer(_tracker)));
            rabbit.ReceiveEndpoint(OtherEventsQueue, endpoint =>
            {
                endpoint.Handler<JobsCommitted>(commit =>
                {
                    _otherRun.TrySetResult(commit.Message);
                    return Task.CompletedTask;
                });
                endpoint.Handler<JobsFailed>(failed =>
                {
                    _otherRun.TrySetException(new InvalidOperationException($"The other run's jobs failed: {failed.Message.Reason}"));
                    return Task.CompletedTask;
                });
                endpoint.Handler<Fault<InferenceJob>>(fault =>
                {
                    _otherRun.TrySetException(new InvalidOperationException(
                        $"The other run's job {fault.Message.Message.JobId} faulted: {fault.Message.Exceptions.FirstOrDefault()?.Message}"));
                    return Task.CompletedTask;
                });
            });
            rabbit.ReceiveEndpoint($"{JobQueue}_error", endpoint =>
            {
                endpoint.ConfigureConsumeTopology = false;
                endpoint.Handler<InferenceJob>(job =>
                {
                    // The error transport writes the fault's headers to the message's transport headers.
                    Headers headers = job.ReceiveContext.TransportHeaders;
                    _refused.TrySetResult(new RefusedJob(job.Message.JobId, headers.Get<string>(MessageHeaders.FaultMessage),
                        headers.Get<int>(MessageHeaders.FaultRetryCount)));
                    return Task.CompletedTask;
                });
            });
        })).BuildServiceProvider();
        await _bus.GetRequiredService<IBusControl>().StartAsync(Cancellation);

        _worker = FleetApps.Start(FleetApps.Worker, [], new Dictionary<string, string>
        {
            ["Broker__Transport"] = "RabbitMq",
            ["Broker__Host"] = "127.0.0.1",
            ["Broker__Port"] = _rabbit.Port.ToString(),
            ["Broker__JobQueue"] = JobQueue,
            ["Telemetry__Port"] = "0",
            ["Worker__Devices"] = "cpu",
            ["Worker__RetryAttempts"] = "3",
            ["Worker__BatchTimeLimit"] = "00:00:02",
            ["Logging__LogLevel__Default"] = "Information",
            ["Logging__LogLevel__MassTransit"] = "Warning",
        }, _folder.Path);
    }

    public async ValueTask DisposeAsync()
    {
        _worker?.Dispose();
        if (_bus != null)
        {
            await _bus.GetRequiredService<IBusControl>().StopAsync(CancellationToken.None);
            await _bus.DisposeAsync();
        }
        if (_journal != null)
            await _journal.DisposeAsync();
        if (_lease != null)
            await _lease.DisposeAsync();
        _folder.Dispose();
    }

    private InferenceJob Job(long jobId, string model) => JobContract.Job(RunId, jobId, new JobSpec
    {
        Task = EmbedTask.Instance.Name,
        TaskOptions = EmbedTask.Instance.Configure(new EmbedOptions()).OptionsJson,
        Model = model,
        OutputLocation = _folder.File("output"),
    }, EventsQueue, [new DocumentChunk("d1", 0, 0, 1, [50281, 10, 50282])], payloadLocation: null, tokenCount: 3);

    private async Task SendAsync(InferenceJob job)
    {
        ISendEndpoint endpoint = await _bus!.GetRequiredService<IBus>().GetSendEndpoint(new Uri($"queue:{JobQueue}"));
        await endpoint.Send(job, context => context.FaultAddress = new Uri($"queue:{job.EventsQueue}"), Cancellation);
    }

    /// <summary>Waits until the run has recorded its one job as failed (it stalls, and the test fails, if the worker never reports it).</summary>
    private async Task<(long Job, string Reason)> FailedJobAsync()
    {
        try
        {
            await _tracker!.WaitForCompletionAsync(TimeSpan.FromMinutes(2), Cancellation);
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException($"{e.Message}\nworker:\n{_worker!.OutputTail}", e);
        }
        return _tracker.Read(state =>
        {
            Assert.Equal(0, state.DoneCount);
            KeyValuePair<long, string> failed = Assert.Single(state.FailedJobs);
            return (failed.Key, failed.Value);
        });
    }

    private sealed record RefusedJob(long JobId, string? FaultMessage, int? RetryCount);
}
