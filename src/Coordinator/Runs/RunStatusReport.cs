using System.Text;
using System.Text.Json;

namespace ModernBert.Coordinator.Runs;

/// <summary>What <c>modernbert status</c> shows of a run.</summary>
public sealed record RunStatusReport(
    string RunId, string Status, string? Reason, string Task, string Model, IReadOnlyList<string> Inputs, string Output,
    DateTimeOffset CreatedAt, DateTimeOffset? FinishedAt, long? PlannedJobs, long PublishedJobs, long DoneJobs, long FailedJobs,
    long Rows, long Tokens, long? PlannedTokens, long InputsRejected, long DocumentsFailed, IReadOnlyList<ManifestFailedJob> FirstFailedJobs)
{
    public static JsonSerializerOptions Json { get; } = new(RunJournalJson.Options) { WriteIndented = true };

    /// <summary>The status of an unfinished run says whether a coordinator drives it.</summary>
    /// <param name="driven">Whether a coordinator holds the run's lease.</param>
    public static RunStatusReport Create(RunSpec spec, RunState state, bool driven)
    {
        (string status, string? reason) = state.Finished is { } finished ? (RunSummary.Status(finished.Status), finished.Reason)
            : driven ? (RunSummary.Status(RunStatus.Running), null)
            : ("interrupted", $"no coordinator drives it; continue it with: modernbert run --resume {spec.RunId}");
        return new RunStatusReport(spec.RunId, status, reason, spec.Job.Task.ToString().ToLowerInvariant(), spec.Job.Model, spec.Inputs,
            spec.Job.OutputLocation, spec.CreatedAt,
            state.Finished?.At, state.Planning?.Jobs, state.PublishedCount, state.DoneCount, state.FailedCount, state.RowsDone,
            state.TokensDone, state.Planning?.Tokens, state.RejectedCount, state.FailedDocuments.Count,
            state.FailedJobs.OrderBy(job => job.Key).Take(10).Select(job => new ManifestFailedJob(job.Key, job.Value)).ToList());
    }

    public string Describe()
    {
        var text = new StringBuilder();
        text.AppendLine($"Run {RunId}: {Status}{(Reason is null ? "" : $" ({Reason})")}");
        text.AppendLine($"  {Task} with {Model}");
        text.AppendLine($"  input  {string.Join(", ", Inputs)}");
        text.AppendLine($"  output {Output}");
        text.AppendLine($"  created {CreatedAt:u}{(FinishedAt is { } finished ? $", finished {finished:u}" : "")}");
        string planned = PlannedJobs is long jobs ? $"{jobs:N0} planned" : "planning not finished";
        text.AppendLine($"  jobs: {planned}, {PublishedJobs:N0} published, {DoneJobs:N0} done, {FailedJobs:N0} failed");
        string tokens = PlannedTokens is long total && total > 0 ? $" of {total:N0} ({(double)Tokens / total:P1})" : "";
        text.AppendLine($"  rows {Rows:N0}, tokens {Tokens:N0}{tokens}");
        text.Append($"  rejected inputs {InputsRejected:N0}, failed documents {DocumentsFailed:N0}");
        foreach (ManifestFailedJob job in FirstFailedJobs)
            text.Append($"\n  failed job {job.Job}: {job.Reason}");
        return text.ToString();
    }
}
