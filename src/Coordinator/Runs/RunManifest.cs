using System.Text.Json.Nodes;
using ModernBert.Fleet.Contracts;

namespace ModernBert.Coordinator.Runs;

/// <summary>
/// _manifest.json: every result file of the run with the jobs whose rows it holds. Reading exactly the listed
/// files gives every accepted input document (or window) once. A failed run lists no files: its part files are
/// settled when it is resumed and completes. <see cref="TaskOptions"/> holds the task's options as the run applied
/// them: the prompt text, the window length, the precision and quantization ranges.
/// </summary>
public sealed record RunManifest(
    string RunId, RunStatus Status, string? Reason, string Task, string Model, DateTimeOffset CreatedAt, DateTimeOffset FinishedAt,
    ManifestCounts Counts, IReadOnlyList<ManifestFile> Files, IReadOnlyList<ManifestFailedJob> FailedJobs,
    IReadOnlyList<FailedDocument> FailedDocuments, IReadOnlyList<ManifestRejection> RejectedInputs, JsonNode? TaskOptions = null);

/// <param name="Path">Relative to the run's output location.</param>
public sealed record ManifestFile(string Path, long Bytes, long Rows, IReadOnlyList<long> Jobs);

public sealed record ManifestFailedJob(long Job, string Reason);

public sealed record ManifestRejection(string Origin, string Reason);

public sealed record ManifestCounts(
    long Jobs, long JobsFailed, long Rows, long Tokens, long DocumentsFailed, long InputsRejected, double PackingEfficiency);
