using Microsoft.Extensions.Logging.Abstractions;
using ModernBert.Resilience;
using ModernBert.Storage;
using ModernBert.Tests.Inputs;

namespace ModernBert.Tests.Planning;

/// <summary>Tests over a temporary local corpus folder, deleted after each test.</summary>
public abstract class CorpusFolderTests : IDisposable
{
    internal TempCorpus Corpus { get; } = new();

    protected static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    /// <summary>A factory for local locations only.</summary>
    protected static ObjectStoreFactory Factory() =>
        new(new StorageOptions(), new ResilienceOptions(), NullLoggerFactory.Instance, environment: _ => null);

    public void Dispose()
    {
        Corpus.Dispose();
        GC.SuppressFinalize(this);
    }
}
