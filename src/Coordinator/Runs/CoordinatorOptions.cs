namespace ModernBert.Coordinator.Runs;

/// <summary>How the coordinator drives a run (configuration section <c>Coordinator</c>; planning keys are in PlanningOptions).</summary>
public sealed class CoordinatorOptions
{
    public const string SectionName = "Coordinator";

    /// <summary>Published jobs not yet finished, at most: the broker holds no more than this.</summary>
    public int MaxOutstandingJobs { get; set; } = 2048;

    /// <summary>Jobs whose documents serialize to more bytes travel as payload blobs.</summary>
    public int InlinePayloadBytes { get; set; } = 256 * 1024;

    /// <summary>A run that makes no progress for this long ends as failed (it can be resumed).</summary>
    public TimeSpan StallTimeout { get; set; } = TimeSpan.FromHours(1);

    public void Validate()
    {
        if (MaxOutstandingJobs < 1 || InlinePayloadBytes < 0 || StallTimeout <= TimeSpan.Zero)
            throw new ArgumentException("Coordinator:MaxOutstandingJobs and Coordinator:StallTimeout must be positive, Coordinator:InlinePayloadBytes not negative.");
    }
}
