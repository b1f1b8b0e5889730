using ModernBert.Resilience;
using ModernBert.Tests.Common;
using Polly;
using Polly.Timeout;

namespace ModernBert.Tests.Resilience;

public sealed class BrokerPublishPipelineTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private readonly RecordingLogger _logger = new();

    private ResiliencePipeline Pipeline(int maxRetryAttempts = 5, int attemptTimeoutMs = 5000) =>
        ResiliencePipelines.CreateBrokerPublish(new ResilienceOptions
        {
            MaxRetryAttempts = maxRetryAttempts,
            BaseDelay = TimeSpan.FromMilliseconds(1),
            MaxDelay = TimeSpan.FromMilliseconds(5),
            AttemptTimeout = TimeSpan.FromMilliseconds(attemptTimeoutMs),
        }, _logger);

    [Fact]
    public async Task APublishFailingWhileTheBrokerRestartsIsRetried()
    {
        int attempts = 0;

        await Pipeline().ExecuteAsync(_ =>
        {
            attempts++;
            return attempts < 3 ? throw new InvalidOperationException("The channel was closed (broker restarting)") : ValueTask.CompletedTask;
        }, Token);

        Assert.Equal(3, attempts);
        Assert.Equal(2, _logger.Entries.Count(entry => entry.Message.StartsWith("broker-publish: ")));
    }

    [Fact]
    public async Task AProgrammingErrorIsNotRetried()
    {
        int attempts = 0;

        await Assert.ThrowsAsync<ArgumentNullException>(async () => await Pipeline().ExecuteAsync(_ =>
        {
            attempts++;
            throw new ArgumentNullException("message");
        }, Token));

        Assert.Equal(1, attempts);
    }

    [Fact]
    public async Task EachAttemptIsTimedOut()
    {
        int attempts = 0;

        await Assert.ThrowsAsync<TimeoutRejectedException>(async () => await Pipeline(maxRetryAttempts: 1, attemptTimeoutMs: 50).ExecuteAsync(async token =>
        {
            attempts++;
            await Task.Delay(Timeout.Infinite, token);
        }, Token));

        Assert.Equal(2, attempts);
    }
}
