using Microsoft.Extensions.DependencyInjection;
using ModernBert.Documents;
using ModernBert.Fleet.Contracts;
using ModernBert.Inference;
using ModernBert.Modeling;
using ModernBert.Outputs;
using ModernBert.Tests.Common;
using ModernBert.Tasks.Embed;
using ModernBert.Worker;

namespace ModernBert.Tests.Worker;

/// <summary>The worker's model cache as WorkerServices registers it, with the tiny checkpoint on the CPU.</summary>
public sealed class ModelCacheTests : IDisposable
{
    private readonly RecordingLogger _logger = new();
    private readonly ServiceProvider _provider;

    public ModelCacheTests() => _provider = WorkerTestServices.Create(_logger);

    private ModelCache Cache => _provider.GetRequiredService<DeviceLoops>().All[0].Models;

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task JobsOfOneModelShareIt()
    {
        using ModelLease first = await Cache.AcquireAsync(Spec(PoolingMode.Mean), Cancellation);
        using ModelLease second = await Cache.AcquireAsync(Spec(PoolingMode.Mean), Cancellation);

        Assert.Same(first.Model, second.Model);
    }

    [Fact]
    public async Task AnotherModelIsLoadedOnlyOnceTheLoadedOneIsNoLongerInUse()
    {
        ModelLease mean = await Cache.AcquireAsync(Spec(PoolingMode.Mean), Cancellation);
        Task<ModelLease> cls = Cache.AcquireAsync(Spec(PoolingMode.Cls), Cancellation);

        // The cache logs that it waits for the model to be given back just before it waits; until it is given back,
        // the other model is not loaded and the first stays usable.
        await WaitingToUnloadAsync();
        Assert.False(cls.IsCompleted, "the other model was loaded while the first was still in use");
        Assert.True(Embed(mean.Model).Succeeded);

        mean.Dispose();
        using ModelLease leased = await cls.WaitAsync(TimeSpan.FromSeconds(60), Cancellation);
        Assert.NotSame(mean.Model, leased.Model);
        Assert.True(Embed(leased.Model).Succeeded);
    }

    [Fact]
    public async Task AWaitForTheLoadedModelToBeGivenBackCanBeCancelled_AndItStaysLoaded()
    {
        using ModelLease mean = await Cache.AcquireAsync(Spec(PoolingMode.Mean), Cancellation);
        using var cancellation = CancellationTokenSource.CreateLinkedTokenSource(Cancellation);
        Task<ModelLease> cls = Cache.AcquireAsync(Spec(PoolingMode.Cls), cancellation.Token);

        await WaitingToUnloadAsync();
        await cancellation.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cls);
        using ModelLease again = await Cache.AcquireAsync(Spec(PoolingMode.Mean), Cancellation);
        Assert.Same(mean.Model, again.Model);
        Assert.True(Embed(again.Model).Succeeded);
    }

    public void Dispose() => _provider.Dispose();

    private Task WaitingToUnloadAsync() =>
        _logger.WhenLoggedAsync(message => message.StartsWith("Unloading ", StringComparison.Ordinal)).WaitAsync(TimeSpan.FromSeconds(60), Cancellation);

    private static ChunkResult Embed(IInferenceModel model) =>
        Assert.Single(new InferenceRunner(model, 8192).Run([new DocumentChunk("d", 0, 0, 3, [50281, 11, 12, 13, 50282])], Cancellation));

    private static JobSpec Spec(PoolingMode pooling) => new()
    {
        Task = EmbedTask.Instance.Name,
        TaskOptions = EmbedTask.Instance.Configure(new EmbedOptions(pooling, Normalize: false)).OptionsJson,
        Model = Fixtures.Require("tiny-modernbert-mlm"),
        OutputLocation = "unused",
    };
}
