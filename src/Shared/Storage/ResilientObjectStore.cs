using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using ModernBert.Resilience;
using Polly;

namespace ModernBert.Storage;

/// <summary>
/// Runs every call of another store through a resilience pipeline (see <see cref="ResiliencePipelines"/>), so that
/// throttling, timeouts and an outage of a few minutes are ridden out. Streams from <see cref="OpenReadAsync"/> resume
/// at their position after a failed read. Listings are read whole within one attempt before the first item is returned.
/// A permanent failure (<see cref="StorageFailures.IsPermanent"/>) is not retried: it becomes a
/// <see cref="StorageFailureException"/> naming the operation, the location and the cause.
/// </summary>
public sealed class ResilientObjectStore : IObjectStore
{
    private readonly IObjectStore _inner;
    private readonly ResiliencePipeline _pipeline;

    /// <param name="inner">The store whose calls are retried.</param>
    /// <param name="pipeline">Usually <see cref="CreatePipeline"/>; share one per storage account so its circuit breaker sees all calls.</param>
    public ResilientObjectStore(IObjectStore inner, ResiliencePipeline pipeline)
    {
        _inner = inner;
        _pipeline = pipeline;
    }

    /// <summary>The storage pipeline: retries the failures that <see cref="StorageFailures.IsTransient"/> accepts.</summary>
    public static ResiliencePipeline CreatePipeline(ResilienceOptions options, ILogger logger, TimeProvider? timeProvider = null) =>
        ResiliencePipelines.Create("storage", options, StorageFailures.IsTransient, logger, timeProvider);

    public string Describe(string key) => _inner.Describe(key);

    public Task<long?> GetLengthAsync(string key, CancellationToken cancellationToken) =>
        RunAsync("get the length of", key, token => _inner.GetLengthAsync(key, token), cancellationToken);

    public async Task<Stream> OpenReadAsync(string key, CancellationToken cancellationToken)
    {
        Stream first = await RunAsync("open", key, token => _inner.OpenReadAsync(key, token), cancellationToken);
        return new ResumableReadStream(first, token => _inner.OpenReadAsync(key, token), _pipeline, $"read {Describe(key)}");
    }

    public Task<byte[]> ReadRangeAsync(string key, long offset, int length, CancellationToken cancellationToken) =>
        RunAsync("read a range of", key, token => _inner.ReadRangeAsync(key, offset, length, token), cancellationToken);

    public Task WriteAsync(string key, ReadOnlyMemory<byte> content, CancellationToken cancellationToken) =>
        RunAsync("write", key, async token =>
        {
            await _inner.WriteAsync(key, content, token);
            return true;
        }, cancellationToken);

    public Task AppendAsync(string key, long offset, ReadOnlyMemory<byte> data, CancellationToken cancellationToken) =>
        RunAsync("append to", key, async token =>
        {
            await _inner.AppendAsync(key, offset, data, token);
            return true;
        }, cancellationToken);

    public Task<bool> SealAsync(string key, CancellationToken cancellationToken) =>
        RunAsync("seal", key, token => _inner.SealAsync(key, token), cancellationToken);

    public async IAsyncEnumerable<ObjectInfo> ListAsync(string prefix, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        List<ObjectInfo> items = await RunAsync("list", prefix,
            async token => await _inner.ListAsync(prefix, token).ToListAsync(token), cancellationToken);
        foreach (ObjectInfo item in items)
            yield return item;
    }

    public Task DeleteAsync(string key, CancellationToken cancellationToken) =>
        RunAsync("delete", key, async token =>
        {
            await _inner.DeleteAsync(key, token);
            return true;
        }, cancellationToken);

    public Task<IObjectLease?> TryAcquireLeaseAsync(string key, CancellationToken cancellationToken) =>
        RunAsync("lease", key, token => _inner.TryAcquireLeaseAsync(key, token), cancellationToken);

    public Task<bool> IsLeasedAsync(string key, CancellationToken cancellationToken) =>
        RunAsync("read the lease of", key, token => _inner.IsLeasedAsync(key, token), cancellationToken);

    private async Task<T> RunAsync<T>(string operation, string key, Func<CancellationToken, Task<T>> action, CancellationToken cancellationToken)
    {
        ResilienceContext context = ResilienceContextPool.Shared.Get($"{operation} {_inner.Describe(key)}", cancellationToken);
        try
        {
            return await _pipeline.ExecuteAsync(static async (attempt, run) => await run(attempt.CancellationToken), context, action);
        }
        catch (Exception e) when (e is not StorageFailureException && StorageFailures.IsPermanent(e))
        {
            throw new StorageFailureException($"Cannot {operation} {_inner.Describe(key)}: {StorageFailures.Reason(e)}", e);
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }
}
