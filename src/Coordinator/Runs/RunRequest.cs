using ModernBert.Tasks;
using ModernBert.Tasks.Embed;

namespace ModernBert.Coordinator.Runs;

/// <summary>What the user asked <c>modernbert run</c> for: a new run, or the resumption of one.</summary>
public sealed record RunRequest
{
    public IReadOnlyList<string> Inputs { get; init; } = [];
    public string? Output { get; init; }
    public string? Model { get; init; }
    public string? Revision { get; init; }

    /// <summary>
    /// The task with its options, null when the request names none: a new run then embeds with the default options. A
    /// request of an existing run that names a task is refused unless it names the one the run was created with.
    /// </summary>
    public ConfiguredTask? Task { get; init; }

    /// <summary>The task a new run of this request computes.</summary>
    public ConfiguredTask NewRunTask => Task ?? EmbedTask.Instance.Configure(new EmbedOptions());

    public string? RunId { get; init; }

    /// <summary>Resume this run; it must exist.</summary>
    public string? Resume { get; init; }

    /// <summary>When another coordinator holds the run's lease: wait for it, then resume the run (else fail at once).</summary>
    public bool WaitForLease { get; init; }
}
