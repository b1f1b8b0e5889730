using System.Runtime.CompilerServices;
using System.Threading.Channels;

namespace ModernBert.Coordinator.Cli;

/// <summary>A map that runs on all cores but yields its results in the order of its source.</summary>
internal static class OrderedParallel
{
    /// <summary>
    /// Applies <paramref name="selector"/> to the items of <paramref name="source"/> on the thread pool,
    /// <paramref name="batchSize"/> items per task and at most <paramref name="maxPendingBatches"/> tasks ahead of the
    /// consumer (which bounds memory), and yields the results in source order. A failure of the source or of the
    /// selector surfaces at its place in the sequence.
    /// </summary>
    public static async IAsyncEnumerable<TResult> SelectAsync<TSource, TResult>(
        IAsyncEnumerable<TSource> source, Func<TSource, TResult> selector, int batchSize, int maxPendingBatches,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var batches = Channel.CreateBounded<Task<TResult[]>>(maxPendingBatches);
        using var stopReading = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        Task reading = ReadBatchesAsync(source, selector, batchSize, batches.Writer, stopReading.Token);
        try
        {
            await foreach (Task<TResult[]> batch in batches.Reader.ReadAllAsync(cancellationToken))
            {
                foreach (TResult result in await batch)
                    yield return result;
            }
        }
        finally
        {
            // When the consumer stops early, the reader may wait on a full channel: stop it. A reader failure has
            // already surfaced through the channel.
            await stopReading.CancelAsync();
            await reading.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    private static async Task ReadBatchesAsync<TSource, TResult>(
        IAsyncEnumerable<TSource> source, Func<TSource, TResult> selector, int batchSize, ChannelWriter<Task<TResult[]>> batches,
        CancellationToken cancellationToken)
    {
        try
        {
            var items = new List<TSource>(batchSize);
            await foreach (TSource item in source.WithCancellation(cancellationToken))
            {
                items.Add(item);
                if (items.Count == batchSize)
                {
                    await batches.WriteAsync(Select([.. items], selector), cancellationToken);
                    items.Clear();
                }
            }
            if (items.Count > 0)
                await batches.WriteAsync(Select([.. items], selector), cancellationToken);
            batches.Complete();
        }
        catch (Exception e)
        {
            batches.Complete(e);
            throw;
        }
    }

    private static Task<TResult[]> Select<TSource, TResult>(TSource[] items, Func<TSource, TResult> selector) =>
        Task.Run(() => Array.ConvertAll(items, item => selector(item)));
}
