namespace ModernBert.Fleet.Contracts;

/// <summary>Jobs a worker gave up on for a reason that retrying cannot fix (their payload is missing, say).</summary>
public sealed record JobsFailed
{
    public required string RunId { get; init; }

    public required string WorkerId { get; init; }

    public required long[] JobIds { get; init; }

    public required string Reason { get; init; }
}
