using Microsoft.Extensions.DependencyInjection;
using ModernBert.Fleet;
using ModernBert.Fleet.Contracts;
using ModernBert.Outputs;
using ModernBert.Modeling;
using ModernBert.Storage;
using ModernBert.Tasks.Embed;
using ModernBert.Tests.Common;
using ModernBert.Tests.Outputs;
using ModernBert.Tests.Runs;
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

    /// <summary>
    /// The finalization runs between a file's start and its first commit (an append retried for minutes, a frozen
    /// worker): it closes the run and deletes the file it finds empty, and the late append creates the file again,
    /// outside the manifest. The writer asks again after a first commit, and deletes it.
    /// </summary>
    [Fact]
    public async Task AFirstCommitLandingAfterTheFinalizationDeletedItsEmptyFileIsDeletedAndDropped()
    {
        bool finalized = false;
        var output = new HookedObjectStore(Output);
        output.BeforeChange = async (_, kind, key) =>
        {
            if (kind == ChangeKind.Append && key == FirstFile && !finalized && await Output.GetLengthAsync(key, Cancellation) == 0)
            {
                finalized = true;
                await Output.WriteAsync(RunOutput.ClosedMarker, Array.Empty<byte>(), Cancellation);
                await Output.DeleteAsync(key, Cancellation);
            }
        };
        var writers = new ResultWriters(_ => output, new OutputOptions(), _provider.GetRequiredService<WorkerIdentity>());

        Assert.Null(await writers.CommitAsync(Spec, Rows(1), Cancellation));

        Assert.True(finalized);
        Assert.Empty(await Output.ListAsync(RunOutput.PartsPrefix, Cancellation).ToListAsync(Cancellation));
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
