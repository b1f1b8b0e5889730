using Microsoft.Extensions.DependencyInjection;
using ModernBert.Fleet;
using ModernBert.Fleet.Contracts;
using ModernBert.Outputs;
using ModernBert.Modeling;
using ModernBert.Storage;
using ModernBert.Tasks.Embed;
using ModernBert.Tests.Common;
using ModernBert.Tests.Outputs;
using ModernBert.Worker;

namespace ModernBert.Tests.Worker;

/// <summary>The worker's commits against a run that its finalization closes (_CLOSED, then its part files sealed).</summary>
public sealed class ResultWritersTests : IDisposable
{
    private readonly TemporaryFolder _folder = new();
    private readonly ServiceProvider _provider = WorkerTestServices.Create();

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    private LocalObjectStore Output => new(_folder.Path);

    private ResultWriters Writers => _provider.GetRequiredService<ResultWriters>();

    private string FirstFile => $"parts/part-{_provider.GetRequiredService<WorkerIdentity>().Id}-00000.parquet";

    private JobSpec Spec => new()
    {
        Task = EmbedTask.Instance.Name,
        TaskOptions = EmbedTask.Instance.Configure(new EmbedOptions(PoolingMode.Mean, Normalize: false)).OptionsJson,
        Model = "unused",
        OutputLocation = _folder.Path,
    };

    public void Dispose()
    {
        _provider.Dispose();
        _folder.Dispose();
    }

    [Fact]
    public async Task AFileStartedOnceTheRunIsClosedIsDeletedAndTheRowsDropped()
    {
        await Output.WriteAsync(RunOutput.ClosedMarker, Array.Empty<byte>(), Cancellation);

        Assert.Null(await Writers.CommitAsync(Spec, Rows(1), Cancellation));

        Assert.Empty(await Output.ListAsync(RunOutput.PartsPrefix, Cancellation).ToListAsync(Cancellation));
    }

    [Fact]
    public async Task ACommitToAFileTheFinalizationSealedIsDropped()
    {
        PartCommit first = Assert.IsType<PartCommit>(await Writers.CommitAsync(Spec, Rows(1), Cancellation));
        await Output.WriteAsync(RunOutput.ClosedMarker, Array.Empty<byte>(), Cancellation);
        await Output.SealAsync(first.Key, Cancellation);

        Assert.Null(await Writers.CommitAsync(Spec, Rows(2), Cancellation));

        Assert.Equal([new ObjectInfo(FirstFile, first.CommittedLength)], await Output.ListAsync(RunOutput.PartsPrefix, Cancellation).ToListAsync(Cancellation));
    }

    [Fact]
    public async Task ARunThatAnEarlierReleaseFinalized_WithoutClosedMarker_IsClosedByItsSuccessMarker()
    {
        await Output.WriteAsync(RunOutput.SuccessMarker, Array.Empty<byte>(), Cancellation);

        Assert.True(await Writers.IsClosedAsync(Spec, Cancellation));
        Assert.Null(await Writers.CommitAsync(Spec, Rows(1), Cancellation));

        Assert.Empty(await Output.ListAsync(RunOutput.PartsPrefix, Cancellation).ToListAsync(Cancellation));
    }

    private static EmbeddingRow[] Rows(int seed) => ResultRowSamples.Embeddings(2, dimensions: 8, seed: seed);
}
