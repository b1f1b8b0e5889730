using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using ModernBert.Tests.Common;
using ModernBert.Worker;

namespace ModernBert.Tests.Worker;

public sealed class BatchWatchdogTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(5);
    private readonly FakeTimeProvider _time = new();
    private readonly RecordingLogger _logger = new();
    private readonly List<string> _ended = [];
    private readonly BatchWatchdog _watchdog;

    public BatchWatchdogTests()
    {
        _watchdog = new BatchWatchdog(new WorkerOptions { BatchTimeout = Timeout }, _time,
            new LoggerFactory([_logger]).CreateLogger<BatchWatchdog>(), _ended.Add);
    }

    [Fact]
    public void ABatchThatOutlivesTheTimeoutEndsTheProcessWithTheReason()
    {
        using IDisposable watch = _watchdog.Watch("The batch of jobs 4, 5 of run r1");

        _time.Advance(Timeout - TimeSpan.FromMilliseconds(1));
        Assert.Empty(_ended);
        _time.Advance(TimeSpan.FromMilliseconds(1));

        string reason = Assert.Single(_ended);
        Assert.Equal("The batch of jobs 4, 5 of run r1 made no progress for 00:05:00 (Worker:BatchTimeout): " +
            "ending this worker so that its jobs are taken again (by other workers; by modernbert run --resume where the worker is run's own).", reason);
        Assert.Contains((LogLevel.Critical, reason), _logger.Entries);
    }

    [Fact]
    public void ABatchThatEndsInTimeIsNoLongerWatched()
    {
        IDisposable watch = _watchdog.Watch("The batch of jobs 1 of run r1");
        _time.Advance(Timeout / 2);

        watch.Dispose();
        _time.Advance(Timeout * 10);

        Assert.Empty(_ended);
    }
}
