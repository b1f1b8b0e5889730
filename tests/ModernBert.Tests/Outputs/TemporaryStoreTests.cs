using ModernBert.Tests.Common;
using ModernBert.Storage;

namespace ModernBert.Tests.Outputs;

/// <summary>Base of tests that write to a <see cref="LocalObjectStore"/> over a temporary folder, deleted afterwards.</summary>
public abstract class TemporaryStoreTests : IDisposable
{
    private readonly TemporaryFolder _directory = new();

    protected TemporaryStoreTests()
    {
        Store = new LocalObjectStore(_directory.Path);
    }

    protected LocalObjectStore Store { get; }

    protected static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    public void Dispose()
    {
        _directory.Dispose();
        GC.SuppressFinalize(this);
    }
}
