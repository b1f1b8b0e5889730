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

    /// <summary>Throws <see cref="ConfigurationException"/> naming the first setting of <paramref name="section"/> out of range.</summary>
    public void Validate(string section)
    {
        if (MaxRetryAttempts < 0)
            throw Invalid(section, nameof(MaxRetryAttempts), MaxRetryAttempts, "at least 0");
        if (BaseDelay < TimeSpan.Zero || MaxDelay < BaseDelay)
            throw Invalid(section, nameof(MaxDelay), MaxDelay, $"at least {section}:{nameof(BaseDelay)} ({BaseDelay}), which must be at least 0");
        if (AttemptTimeout <= TimeSpan.Zero)
            throw Invalid(section, nameof(AttemptTimeout), AttemptTimeout, "positive");
        if (FailureRatio is <= 0 or > 1)
            throw Invalid(section, nameof(FailureRatio), FailureRatio, "above 0 and at most 1");
        if (MinimumThroughput < 2)
            throw Invalid(section, nameof(MinimumThroughput), MinimumThroughput, "at least 2");
        if (SamplingDuration < TimeSpan.FromMilliseconds(500))
            throw Invalid(section, nameof(SamplingDuration), SamplingDuration, "at least 0.5 seconds");
        if (BreakDuration < TimeSpan.FromMilliseconds(500))
            throw Invalid(section, nameof(BreakDuration), BreakDuration, "at least 0.5 seconds");
    }

    private static ConfigurationException Invalid(string section, string key, object value, string range) =>
        new($"{section}:{key} is {value}; it must be {range}.");
}
