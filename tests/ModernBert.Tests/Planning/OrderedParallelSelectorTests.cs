using ModernBert.Coordinator.Corpus;

namespace ModernBert.Tests.Planning;

public sealed class OrderedParallelSelectorTests
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task YieldsResultsInInputOrderWhenLaterItemsFinishFirst()
    {
        using var laterItemDone = new ManualResetEventSlim();
        bool firstWaited = false;
        // The first item finishes only after the fourth, which another thread works on meanwhile.
        var selector = new OrderedParallelSelector<int, int>(item =>
        {
            if (item == 0)
                firstWaited = laterItemDone.Wait(TimeSpan.FromSeconds(30));
            else if (item == 3)
                laterItemDone.Set();
            return item * 10;
        }, _ => 1, threads: 4, maxBatchItems: 1, maxBatchCost: 1);

        List<int> results = await selector.SelectAsync(Count(50), Cancellation).ToListAsync(Cancellation);

        Assert.True(firstWaited, "The fourth item never ran while the first was running.");
        Assert.Equal(Enumerable.Range(0, 50).Select(item => item * 10), results);
    }

    [Fact]
    public async Task RunsNoMoreSelectorsAtOnceThanItHasThreads()
    {
        var concurrency = new ConcurrencyMeter();
        var selector = new OrderedParallelSelector<int, int>(
            item => concurrency.Measure(() => { Thread.Sleep(2); return item; }), _ => 1, threads: 2, maxBatchItems: 1, maxBatchCost: 1);

        await selector.SelectAsync(Count(100), Cancellation).ToListAsync(Cancellation);

        Assert.InRange(concurrency.Maximum, 1, 2);
    }

    [Fact]
    public async Task ReadsOnlyAFewBatchesAheadOfTheConsumer()
    {
        const int batchItems = 4;
        var selector = new OrderedParallelSelector<int, int>(item => item, _ => 1, threads: 2, batchItems, maxBatchCost: 1000);
        // Pending batches, the one waiting to be queued, the one being consumed and a partial one.
        int bound = (selector.MaxPendingBatches + 3) * batchItems;
        // While the consumer holds the first batch, the reader fills the pending batches and one more, then waits.
        var source = new CountingSource((selector.MaxPendingBatches + 2) * batchItems);

        await foreach (int result in selector.SelectAsync(source.Count(100_000), Cancellation))
        {
            if (result == 0)
                await source.ReadAheadFilled.WaitAsync(TimeSpan.FromSeconds(30), Cancellation);
            Assert.InRange(source.Pulled - result, 0, bound);
        }
        Assert.Equal(100_000, source.Pulled);
    }

    [Fact]
    public async Task CostlyItemsGoInSmallerBatches()
    {
        // Each item costs the whole batch budget, so each is a batch of its own despite room for 100 items.
        var selector = new OrderedParallelSelector<int, int>(item => item, _ => 10, threads: 1, maxBatchItems: 100, maxBatchCost: 10);
        int bound = selector.MaxPendingBatches + 3;
        var source = new CountingSource(selector.MaxPendingBatches + 2);

        await foreach (int result in selector.SelectAsync(source.Count(1000), Cancellation))
        {
            if (result == 0)
                await source.ReadAheadFilled.WaitAsync(TimeSpan.FromSeconds(30), Cancellation);
            Assert.InRange(source.Pulled - result, 0, bound);
        }
        Assert.Equal(1000, source.Pulled);
    }

    [Fact]
    public async Task ASelectorFailureSurfacesAfterTheResultsBeforeIt()
    {
        var selector = new OrderedParallelSelector<int, int>(
            item => item == 7 ? throw new InvalidOperationException("item 7 failed") : item, _ => 1, threads: 3, maxBatchItems: 2, maxBatchCost: 100);
        var results = new List<int>();

        var error = await Assert.ThrowsAsync<InvalidOperationException>(async () =>
        {
            await foreach (int result in selector.SelectAsync(Count(20), Cancellation))
                results.Add(result);
        });

        Assert.Equal("item 7 failed", error.Message);
        Assert.Equal([0, 1, 2, 3, 4, 5], results);
    }

    [Fact]
    public async Task ASourceFailureSurfacesAfterTheResultsOfTheItemsReadBeforeIt()
    {
        var selector = new OrderedParallelSelector<int, int>(item => item, _ => 1, threads: 2, maxBatchItems: 3, maxBatchCost: 100);
        var results = new List<int>();

        var error = await Assert.ThrowsAsync<IOException>(async () =>
        {
            await foreach (int result in selector.SelectAsync(FailingAfter(5), Cancellation))
                results.Add(result);
        });

        Assert.Equal("source broke", error.Message);
        Assert.Equal([0, 1, 2, 3, 4], results);
    }

    [Fact]
    public async Task StoppingEarlyStopsReadingTheSource()
    {
        var selector = new OrderedParallelSelector<int, int>(item => item, _ => 1, threads: 2, maxBatchItems: 1, maxBatchCost: 1);
        var source = new CountingSource(readAhead: 1);

        List<int> firstThree = await selector.SelectAsync(source.Count(int.MaxValue), Cancellation).Take(3).ToListAsync(Cancellation);

        Assert.Equal([0, 1, 2], firstThree);
        // The source's enumerator has been disposed by the time the consumer's loop ends, so nothing more is read.
        Assert.True(source.Disposed, "The source was still being read after the consumer stopped.");
    }

    private static async IAsyncEnumerable<int> Count(int count)
    {
        for (int i = 0; i < count; i++)
        {
            yield return i;
            if (i % 64 == 0)
                await Task.Yield();
        }
    }

    /// <summary>A source of 0, 1, ... that counts what it hands out and signals once it has handed out a number.</summary>
    private sealed class CountingSource(int readAhead)
    {
        private readonly TaskCompletionSource _readAheadFilled = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _pulled;
        private volatile bool _disposed;

        public int Pulled => Volatile.Read(ref _pulled);

        /// <summary>Completes once <c>readAhead</c> items have been handed out.</summary>
        public Task ReadAheadFilled => _readAheadFilled.Task;

        public bool Disposed => _disposed;

        public async IAsyncEnumerable<int> Count(int count)
        {
            try
            {
                for (int i = 0; i < count; i++)
                {
                    if (Interlocked.Increment(ref _pulled) == readAhead)
                        _readAheadFilled.SetResult();
                    yield return i;
                    if (i % 64 == 0)
                        await Task.Yield();
                }
            }
            finally
            {
                _disposed = true;
            }
        }
    }

    private static async IAsyncEnumerable<int> FailingAfter(int count)
    {
        for (int i = 0; i < count; i++)
            yield return i;
        await Task.Yield();
        throw new IOException("source broke");
    }

    /// <summary>The most calls that ran at the same time.</summary>
    private sealed class ConcurrencyMeter
    {
        private int _running;
        private int _maximum;

        public int Maximum => Volatile.Read(ref _maximum);

        public T Measure<T>(Func<T> work)
        {
            int running = Interlocked.Increment(ref _running);
            int seen;
            while (running > (seen = Volatile.Read(ref _maximum)) && Interlocked.CompareExchange(ref _maximum, running, seen) != seen)
            {
            }
            try
            {
                return work();
            }
            finally
            {
                Interlocked.Decrement(ref _running);
            }
        }
    }
}
