using System.Text;

namespace ModernBert.Coordinator.Runs;

/// <summary>The human-readable end-of-run report.</summary>
public static class RunSummary
{
    public static string Describe(RunManifest manifest, string outputLocation)
    {
        var text = new StringBuilder();
        text.AppendLine($"Run {manifest.RunId}: {Status(manifest.Status)}{(manifest.Reason is null ? "" : $" ({manifest.Reason})")}");
        text.AppendLine($"  rows {manifest.Counts.Rows:N0}, tokens {manifest.Counts.Tokens:N0}, jobs {manifest.Counts.Jobs:N0} " +
                        $"(packing efficiency {manifest.Counts.PackingEfficiency:P2})");
        text.AppendLine($"  failed jobs {manifest.Counts.JobsFailed:N0}, failed documents {manifest.Counts.DocumentsFailed:N0}, " +
                        $"rejected inputs {manifest.Counts.InputsRejected:N0}");
        text.Append(manifest.Status == RunStatus.Failed
            ? $"  no result files until the run completes; continue it with: modernbert run --resume {manifest.RunId}"
            : $"  {Counted.Of(manifest.Files.Count, "result file")} in {outputLocation}, listed in _manifest.json");
        return text.ToString();
    }

    public static string Status(RunStatus status) => status switch
    {
        RunStatus.Completed => "completed",
        RunStatus.CompletedWithFailures => "completed with failed jobs",
        RunStatus.Failed => "failed",
        _ => "running",
    };
}
