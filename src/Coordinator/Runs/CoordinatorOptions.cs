namespace ModernBert.Coordinator.Runs;

/// <summary>How the coordinator drives a run (configuration section <c>Coordinator</c>; planning keys are in PlanningOptions).</summary>
public sealed class CoordinatorOptions
{
    public const string SectionName = "Coordinator";

    /// <summary>
    /// Published jobs not yet finished, at most: the broker holds no more than this. An embedded run (no broker) that
    /// does not set it keeps twice its worker's prefetch, since jobs queued in process hold their documents.
    /// </summary>
    public int MaxOutstandingJobs { get; set; } = 2048;

    /// <summary>Jobs sent at once, each awaiting the broker's confirm: enough to cover the round trip to the broker.</summary>
    public int PublishesInFlight { get; set; } = 32;

    /// <summary>Jobs whose documents serialize to more bytes travel as payload blobs.</summary>
    public int InlinePayloadBytes { get; set; } = 256 * 1024;

    /// <summary>A run that makes no progress for this long ends as failed (it can be resumed).</summary>
    public TimeSpan StallTimeout { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Throws <see cref="ConfigurationException"/> naming the first setting out of range.</summary>
    public void Validate()
    {
        if (MaxOutstandingJobs < 1)
            throw Invalid(nameof(MaxOutstandingJobs), MaxOutstandingJobs, "at least 1");
        if (PublishesInFlight < 1)
            throw Invalid(nameof(PublishesInFlight), PublishesInFlight, "at least 1");
        if (InlinePayloadBytes < 0)
            throw Invalid(nameof(InlinePayloadBytes), InlinePayloadBytes, "at least 0");
        if (StallTimeout <= TimeSpan.Zero)
            throw Invalid(nameof(StallTimeout), StallTimeout, "positive");
    }

    private static ConfigurationException Invalid(string key, object value, string range) =>
        new($"{SectionName}:{key} is {value}; it must be {range}.");
}
