using System.Text;
using MassTransit;
using MassTransit.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using ModernBert.Coordinator.Planning;
using ModernBert.Coordinator.Runs;
using ModernBert.Fleet;
using ModernBert.Fleet.Contracts;
using ModernBert.Inputs;
using ModernBert.Tests.Outputs;
using ModernBert.Tests.Tokenization;
using ModernBert.Tokenization;
using Polly;
using static ModernBert.Tests.Runs.RunSamples;

namespace ModernBert.Tests.Runs;

/// <summary>
/// The driver on MassTransit's in-memory test harness, its sends held at a gate in the broker pipeline (where the
/// broker's confirm would be awaited) until as many are waiting as may be in flight.
/// </summary>
public sealed class RunDriverTests : TemporaryStoreTests, IAsyncDisposable
{
    private const int Documents = 10;
    private const int PublishesInFlight = 3;

    private readonly ServiceProvider _provider = new ServiceCollection().AddMassTransitTestHarness().BuildServiceProvider(validateScopes: true);

    [Fact]
    public async Task JobsAreSentSeveralAtOnceAndEachIsRecordedPublishedOnce()
    {
        RunPlanner planner = await WriteOneJobPerDocumentCorpusAsync();
        var gate = new SendGate(PublishesInFlight, Documents);
        (ITestHarness harness, JobPublisher publisher) = await StartPublisherAsync(new ResiliencePipelineBuilder().AddStrategy(_ => gate, new GateOptions()).Build());
        await using var journal = new RunJournal(Store, $"{RunId}/", 0);
        var tracker = new RunTracker(RunId, new RunState(), journal);
        var driver = new RunDriver(tracker, publisher, new CoordinatorOptions { PublishesInFlight = PublishesInFlight, MaxOutstandingJobs = 100 },
            NullLogger<RunDriver>.Instance);

        Task run = driver.RunAsync(Spec("/data/output"), planner, [new CorpusObject(Store, "corpus.jsonl", "")], "events", brokerIsDurable: true,
            Cancellation);
        await gate.AllSent.WaitAsync(TimeSpan.FromSeconds(30), Cancellation);
        await tracker.RecordAsync(Commit(null, 0, [.. Enumerable.Range(0, Documents).Select(job => new JobRows(job, 0, 0, 10))]));
        await run.WaitAsync(TimeSpan.FromSeconds(30), Cancellation);

        Assert.Equal(PublishesInFlight, gate.MostInFlight);
        Assert.Equal(Enumerable.Range(0, Documents).Select(job => (long)job),
            harness.Sent.Select<InferenceJob>(Cancellation).Select(sent => sent.Context.Message.JobId).Order());
        Assert.Equal((Documents, 0L), tracker.Read(state => (state.PublishedCount, state.Outstanding)));
    }

    /// <summary>
    /// An interrupted embedded run leaves jobs published and unfinished in its journal, as many as it may have
    /// outstanding; their in-process queue is gone, so the resume sends them again rather than wait for them.
    /// </summary>
    [Fact]
    public async Task OnAnInProcessBrokerAResumeSendsAgainTheJobsTheEarlierProcessLeftOutstanding()
    {
        RunPlanner planner = await WriteOneJobPerDocumentCorpusAsync();
        (ITestHarness harness, JobPublisher publisher) = await StartPublisherAsync(ResiliencePipeline.Empty);
        await using var journal = new RunJournal(Store, $"{RunId}/", 0);
        RunState earlier = State(Published(0, Documents));
        var tracker = new RunTracker(RunId, earlier, journal);
        var driver = new RunDriver(tracker, publisher, new CoordinatorOptions { PublishesInFlight = 1, MaxOutstandingJobs = 4 },
            NullLogger<RunDriver>.Instance);

        Task run = driver.RunAsync(Spec("/data/output"), planner, [new CorpusObject(Store, "corpus.jsonl", "")], "events", brokerIsDurable: false,
            Cancellation);
        for (int job = 0; job < Documents; job++)
        {
            Assert.True(await harness.Sent.Any<InferenceJob>(sent => sent.Context.Message.JobId == job, Cancellation), $"job {job} was not sent");
            await tracker.RecordAsync(Commit(null, 0, [new JobRows(job, 0, 0, 10)]));
        }
        await run.WaitAsync(TimeSpan.FromSeconds(30), Cancellation);

        Assert.Equal((Documents, 0L), tracker.Read(state => (state.DoneCount, state.Outstanding)));
    }

    /// <summary>
    /// A resume of a run whose input was rewritten since it was planned plans other jobs under the same ids: it fails
    /// rather than complete (where a corpus that lost documents completed at once, their jobs never sent).
    /// </summary>
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task AResumeThatPlansOtherJobsThanTheJournalHoldsFails(bool planningFinished)
    {
        RunPlanner planner = await WriteOneJobPerDocumentCorpusAsync();
        (_, JobPublisher publisher) = await StartPublisherAsync(ResiliencePipeline.Empty);
        await using var journal = new RunJournal(Store, $"{RunId}/", 0);
        RunState earlier = planningFinished ? State(Published(0, Documents + 2), Planned(Documents + 2)) : State(Published(0, Documents + 2));
        var tracker = new RunTracker(RunId, earlier, journal);
        var driver = new RunDriver(tracker, publisher, new CoordinatorOptions(), NullLogger<RunDriver>.Instance);

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => driver.RunAsync(Spec("/data/output"), planner,
            [new CorpusObject(Store, "corpus.jsonl", "")], "events", brokerIsDurable: true, Cancellation));

        Assert.Equal($"Run {RunId} now plans {Documents} jobs where its journal holds {Documents + 2}: its inputs changed since it was planned " +
            "(an object rewritten or removed, say), so its jobs no longer hold the same documents. It cannot be resumed; start a new run.", error.Message);
        Assert.Equal(planningFinished, tracker.Read(state => state.Planning != null)); // no planning recorded by the failed pass
    }

    public async ValueTask DisposeAsync()
    {
        await _provider.DisposeAsync();
        Dispose();
    }

    /// <summary>The test harness's bus, started, and a publisher sending through <paramref name="sends"/> on it.</summary>
    private async Task<(ITestHarness Harness, JobPublisher Publisher)> StartPublisherAsync(ResiliencePipeline sends)
    {
        ITestHarness harness = _provider.GetRequiredService<ITestHarness>();
        await harness.Start();
        return (harness, new JobPublisher(harness.Bus, new RunStore(Store, Store.Describe("")), sends, new BrokerOptions { JobQueue = "test-jobs" },
            inlinePayloadBytes: 1 << 20));
    }

    /// <summary>One job per document: 10 ids fill a job of 16 tokens so that no second document fits.</summary>
    private async Task<RunPlanner> WriteOneJobPerDocumentCorpusAsync()
    {
        ModernBertTokenizer tokenizer = ReferenceTokenizer.Load();
        await Store.WriteAsync("corpus.jsonl", Encoding.UTF8.GetBytes(string.Concat(Enumerable.Range(0, Documents).Select(i =>
            $$"""{"id":"d{{i}}","input_ids":[{{tokenizer.ClsTokenId}},{{string.Join(',', Enumerable.Repeat(100 + i, 8))}},{{tokenizer.SepTokenId}}]}""" + "\n"))),
            Cancellation);
        return new RunPlanner(tokenizer, new PlanningOptions { JobTokens = 16, TokenizerThreads = 2 }, new InputOptions(), maxSequenceTokens: 16);
    }

    private sealed class GateOptions : ResilienceStrategyOptions;

    /// <summary>
    /// Holds each send until <c>width</c> are waiting (or the last ones of <c>total</c>), then lets them all go: a
    /// driver that sent one job at a time would never get past the first.
    /// </summary>
    private sealed class SendGate(int width, int total) : ResilienceStrategy
    {
        private readonly Lock _lock = new();
        private readonly TaskCompletionSource _allSent = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private TaskCompletionSource _open = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _waiting;
        private int _inFlight;
        private int _entered;

        public int MostInFlight { get; private set; }

        public Task AllSent => _allSent.Task;

        protected override async ValueTask<Outcome<TResult>> ExecuteCore<TResult, TState>(
            Func<ResilienceContext, TState, ValueTask<Outcome<TResult>>> callback, ResilienceContext context, TState state)
        {
            Task open;
            lock (_lock)
            {
                MostInFlight = Math.Max(MostInFlight, ++_inFlight);
                open = _open.Task;
                _entered++;
                if (++_waiting == width || _entered == total)
                {
                    _open.SetResult();
                    (_open, _waiting) = (new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously), 0);
                }
            }
            await open;
            Outcome<TResult> outcome = await callback(context, state);
            lock (_lock)
            {
                _inFlight--;
                if (_entered == total && _inFlight == 0)
                    _allSent.TrySetResult();
            }
            return outcome;
        }
    }
}
