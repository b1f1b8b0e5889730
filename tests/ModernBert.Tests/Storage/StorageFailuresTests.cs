using Azure;
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
    };

    [Theory]
    [MemberData(nameof(Failures))]
    public void OnlyFailuresALaterAttemptMayNotMeetAreTransient(Exception failure, bool transient)
    {
        Assert.Equal(transient, StorageFailures.IsTransient(failure));
    }
}
