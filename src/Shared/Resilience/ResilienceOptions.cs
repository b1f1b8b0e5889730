using Microsoft.Extensions.Configuration;

namespace ModernBert.Resilience;

/// <summary>
/// How calls to a remote dependency (object storage, the message broker, the Hugging Face hub) are retried, timed out
/// and cut off by a circuit breaker. Bound from <c>Resilience:Storage</c>, <c>Resilience:Broker</c> or
/// <c>Resilience:HuggingFace</c>; the defaults ride out an outage of about three minutes (retry delays 1, 2, 4, 8, 16
/// then 30 seconds, jittered).
/// </summary>
public sealed class ResilienceOptions
{
    public const string StorageSection = "Resilience:Storage";
    public const string BrokerSection = "Resilience:Broker";
    public const string HuggingFaceSection = "Resilience:HuggingFace";

    /// <summary>Retries after the first attempt; 0 disables retrying.</summary>
    public int MaxRetryAttempts { get; set; } = 10;

    /// <summary>The first retry delay; later ones double (exponential backoff with jitter).</summary>
    public TimeSpan BaseDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The longest delay between two attempts.</summary>
    public TimeSpan MaxDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long one attempt may take before it is cancelled and counted as a transient failure.</summary>
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>The share of failed attempts within <see cref="SamplingDuration"/> that opens the circuit.</summary>
    public double FailureRatio { get; set; } = 0.5;

    /// <summary>The window over which <see cref="FailureRatio"/> is measured.</summary>
    public TimeSpan SamplingDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The fewest attempts within the window before the circuit may open.</summary>
    public int MinimumThroughput { get; set; } = 10;

    /// <summary>How long an open circuit rejects calls before letting a probe through.</summary>
    public TimeSpan BreakDuration { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>A copy of these options with another <see cref="AttemptTimeout"/>.</summary>
    public ResilienceOptions WithAttemptTimeout(TimeSpan attemptTimeout)
    {
        var copy = (ResilienceOptions)MemberwiseClone();
        copy.AttemptTimeout = attemptTimeout;
        return copy;
    }

    /// <summary>The defaults overridden by whatever the given configuration section sets.</summary>
    public static ResilienceOptions FromConfiguration(IConfiguration configuration, string section)
    {
        var options = new ResilienceOptions();
        configuration.GetSection(section).Bind(options);
        return options;
    }
}
