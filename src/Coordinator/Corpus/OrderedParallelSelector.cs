using System.Runtime.CompilerServices;
using System.Threading.Channels;

namespace ModernBert.Coordinator.Corpus;

/// <summary>
/// Applies a CPU-bound function to each item of a stream on a fixed number of threads and yields the results in the
/// order of the items. Items go to the threads in batches (up to <c>maxBatchItems</c> items or <c>maxBatchCost</c>
/// cost); at most two batches per thread wait or run at once, so memory does not grow with the stream.
/// </summary>
internal sealed class OrderedParallelSelector<TSource, TResult>
{
    private readonly Func<TSource, TResult> _selector;
    private readonly Func<TSource, long> _cost;
    private readonly int _threads;
    private readonly int _maxBatchItems;
    private readonly long _maxBatchCost;

    public OrderedParallelSelector(Func<TSource, TResult> selector, Func<TSource, long> cost, int threads, int maxBatchItems, long maxBatchCost)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBatchItems, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBatchCost, 1);
        _selector = selector;
        _cost = cost;
        _threads = threads;
        _maxBatchItems = maxBatchItems;
        _maxBatchCost = maxBatchCost;
    }

    /// <summary>How many batches may be dispatched and not yet consumed.</summary>
    public int MaxPendingBatches => _threads * 2;

    public async IAsyncEnumerable<TResult> SelectAsync(IAsyncEnumerable<TSource> source,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var pending = Channel.CreateBounded<Task<TResult[]>>(
            new BoundedChannelOptions(MaxPendingBatches) { SingleReader = true, SingleWriter = true });
        var work = Channel.CreateUnbounded<Batch>(new UnboundedChannelOptions { SingleWriter = true });
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        Task[] workers = [.. Enumerable.Range(0, _threads).Select(_ => Task.Run(() => WorkAsync(work.Reader, stop.Token), CancellationToken.None))];
        Task dispatching = DispatchAsync(source, pending.Writer, work.Writer, stop.Token);
        try
        {
            await foreach (Task<TResult[]> batch in pending.Reader.ReadAllAsync(cancellationToken))
            {
                foreach (TResult result in await batch)
                    yield return result;
            }
        }
        finally
        {
            // Reached early when the consumer stops or fails: stop dispatching and working, and wait for both.
            await stop.CancelAsync();
            await dispatching.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            await Task.WhenAll(workers).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    /// <summary>
    /// Cuts the source into batches; each goes into <paramref name="pending"/> (in order) and to the workers. A failure
    /// of the source reaches the consumer after the results of every item read before it.
    /// </summary>
    private async Task DispatchAsync(IAsyncEnumerable<TSource> source, ChannelWriter<Task<TResult[]>> pending,
        ChannelWriter<Batch> work, CancellationToken cancellationToken)
    {
        var items = new List<TSource>(_maxBatchItems);
        long cost = 0;
        Exception? failure = null;
        try
        {
            await foreach (TSource item in source.WithCancellation(cancellationToken))
            {
                items.Add(item);
                cost += _cost(item);
                if (items.Count == _maxBatchItems || cost >= _maxBatchCost)
                {
                    TSource[] batch = [.. items];
                    items.Clear();
                    cost = 0;
                    await DispatchBatchAsync(batch, pending, work, cancellationToken);
                }
            }
        }
        catch (Exception e)
        {
            failure = e;
        }
        try
        {
            if (items.Count > 0)
                await DispatchBatchAsync([.. items], pending, work, cancellationToken);
            pending.Complete(failure);
        }
        catch (Exception e)
        {
            // Stopped: the consumer has gone.
            pending.Complete(e);
        }
        finally
        {
            work.Complete();
        }
    }

    private static async Task DispatchBatchAsync(TSource[] items, ChannelWriter<Task<TResult[]>> pending,
        ChannelWriter<Batch> work, CancellationToken cancellationToken)
    {
        var batch = new Batch(items, new TaskCompletionSource<TResult[]>(TaskCreationOptions.RunContinuationsAsynchronously));
        await pending.WriteAsync(batch.Results.Task, cancellationToken);
        work.TryWrite(batch);
    }

    private async Task WorkAsync(ChannelReader<Batch> work, CancellationToken cancellationToken)
    {
        await foreach (Batch batch in work.ReadAllAsync(cancellationToken))
        {
            try
            {
                var results = new TResult[batch.Items.Length];
                for (int i = 0; i < results.Length; i++)
                    results[i] = _selector(batch.Items[i]);
                batch.Results.SetResult(results);
            }
            catch (Exception e)
            {
                // The consumer meets the failure when it reaches this batch.
                batch.Results.SetException(e);
            }
        }
    }

    private sealed record Batch(TSource[] Items, TaskCompletionSource<TResult[]> Results);
}
