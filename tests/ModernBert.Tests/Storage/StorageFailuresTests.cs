using Azure;
using Azure.Identity;
using ModernBert.Storage;

namespace ModernBert.Tests.Storage;

public sealed class StorageFailuresTests
{
    public static TheoryData<Exception, bool> Failures() => new()
    {
        { new RequestFailedException(0, "connection refused"), true },
        { new RequestFailedException(408, "timeout"), true },
        { new RequestFailedException(429, "throttled"), true },
        { new RequestFailedException(500, "internal"), true },
        { new RequestFailedException(503, "busy"), true },
        { new RequestFailedException(400, "bad request"), false },
        { new RequestFailedException(403, "denied"), false },
        { new RequestFailedException(404, "not found"), false },
        { new RequestFailedException(409, "conflict"), false },
        { new RequestFailedException(412, "precondition"), false },
        { new HttpRequestException("reset"), true },
        { new IOException("broken pipe"), true },
        { new TimeoutException(), true },
        { new TaskCanceledException("network timeout"), true },
        { new ObjectNotFoundException("/x"), false },
        { new AppendConflictException("/x", 1, 2), false },
        { new FileNotFoundException("/x"), false },
        { new DirectoryNotFoundException("/x"), false },
        { new UnauthorizedAccessException(), false },
        { new ArgumentException("bad key"), false },
        { new IOException("No space left on device : '/out/part.parquet'", NoSpaceLeft), false },
        { new IOException("Read-only file system : '/out/part.parquet'", ReadOnlyFileSystem), false },
    };

    public static TheoryData<Exception, bool> PermanentFailures() => new()
    {
        { new IOException("No space left on device : '/out/part.parquet'", NoSpaceLeft), true },
        { new IOException("Read-only file system : '/out/part.parquet'", ReadOnlyFileSystem), true },
        { new IOException("Disk quota exceeded : '/out/part.parquet'", 122), true },
        { new UnauthorizedAccessException("Access to the path '/out' is denied."), true },
        { new RequestFailedException(401, "no credentials"), true },
        { new RequestFailedException(403, "AuthenticationFailed"), true },
        { new RequestFailedException(404, "The specified container does not exist.", "ContainerNotFound", null), true },
        { new AuthenticationFailedException("token refused"), true },
        { new CredentialUnavailableException("no identity"), true },
        { new RequestFailedException(404, "The specified blob does not exist.", "BlobNotFound", null), false },
        { new RequestFailedException(503, "busy"), false },
        { new IOException("broken pipe"), false },
        { new ObjectNotFoundException("/x"), false },
    };

    private const int NoSpaceLeft = 28;
    private const int ReadOnlyFileSystem = 30;

    [Theory]
    [MemberData(nameof(Failures))]
    public void OnlyFailuresALaterAttemptMayNotMeetAreTransient(Exception failure, bool transient)
    {
        Assert.Equal(transient, StorageFailures.IsTransient(failure));
    }

    [Theory]
    [MemberData(nameof(PermanentFailures))]
    public void FailuresThatStayUntilTheUserActsArePermanent(Exception failure, bool permanent)
    {
        Assert.Equal(permanent, StorageFailures.IsPermanent(failure));
    }
}
