using Microsoft.Extensions.Logging;
using Polly;
using Polly.CircuitBreaker;
using Polly.Retry;
using Polly.Timeout;

namespace ModernBert.Resilience;

/// <summary>
/// Builds the resilience pipelines of the fleet: retry (outermost, jittered exponential backoff) around a circuit
/// breaker around a per-attempt timeout. Attempt timeouts and open-circuit rejections count as transient, so a retry
/// waits them out. The caller's own cancellation is never retried.
/// </summary>
public static class ResiliencePipelines
{
    /// <summary>
    /// A pipeline for calls that fail with <paramref name="isTransient"/> exceptions while a dependency is briefly
    /// unavailable. Operations name themselves through <see cref="ResilienceContext.OperationKey"/> for the log.
    /// </summary>
    public static ResiliencePipeline Create(string name, ResilienceOptions options, Func<Exception, bool> isTransient,
        ILogger logger, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        bool ShouldHandle(Outcome<object> outcome) =>
            outcome.Exception is TimeoutRejectedException or BrokenCircuitException
            || (outcome.Exception is { } exception && isTransient(exception));

        var builder = new ResiliencePipelineBuilder { Name = name };
        if (timeProvider != null)
            builder.TimeProvider = timeProvider;
        if (options.MaxRetryAttempts > 0)
        {
            builder.AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = arguments => ValueTask.FromResult(ShouldHandle(arguments.Outcome)),
                MaxRetryAttempts = options.MaxRetryAttempts,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = options.BaseDelay,
                MaxDelay = options.MaxDelay,
                OnRetry = arguments =>
                {
                    logger.LogWarning("{Pipeline}: {Operation} failed (attempt {Attempt}), retrying in {Delay}: {Error}",
                        name, arguments.Context.OperationKey, arguments.AttemptNumber + 1, arguments.RetryDelay,
                        arguments.Outcome.Exception?.Message);
                    return default;
                },
            });
        }
        builder.AddCircuitBreaker(new CircuitBreakerStrategyOptions
        {
            ShouldHandle = arguments => ValueTask.FromResult(ShouldHandle(arguments.Outcome)),
            FailureRatio = options.FailureRatio,
            SamplingDuration = options.SamplingDuration,
            MinimumThroughput = options.MinimumThroughput,
            BreakDuration = options.BreakDuration,
            OnOpened = arguments =>
            {
                logger.LogError("{Pipeline}: circuit opened for {BreakDuration} after {Operation} failed: {Error}",
                    name, arguments.BreakDuration, arguments.Context.OperationKey, arguments.Outcome.Exception?.Message);
                return default;
            },
            OnClosed = _ =>
            {
                logger.LogInformation("{Pipeline}: circuit closed, calls go through again", name);
                return default;
            },
        });
        builder.AddTimeout(options.AttemptTimeout);
        return builder.Build();
    }

    /// <summary>
    /// The pipeline for publishing to the message broker (<see cref="ResilienceOptions.BrokerSection"/>): every
    /// exception is retried except programming errors, since a publish may fail in many transport specific ways while
    /// the broker restarts. The caller's cancellation ends the call (the pipeline never retries once it is requested).
    /// </summary>
    public static ResiliencePipeline CreateBrokerPublish(ResilienceOptions options, ILogger logger, TimeProvider? timeProvider = null) =>
        Create("broker-publish", options, IsTransientPublishFailure, logger, timeProvider);

    internal static bool IsTransientPublishFailure(Exception exception) =>
        exception is not (ArgumentException or InvalidCastException or NullReferenceException
            or NotSupportedException or ObjectDisposedException);
}
