
namespace ModernBert.Fleet.Contracts;

/// <summary>
/// A packed job: documents (or windows) of one run, at most 8192 tokens in all, for a worker to run through the
/// model and commit to the run's output. The documents travel inline, or, above a size limit, in a blob that
/// <see cref="PayloadLocation"/> names. <see cref="JobContract"/> maps it from and to the domain's types.
/// </summary>
public sealed record InferenceJob
{
    /// <summary>
    /// The version of this contract the sender wrote (<see cref="JobContract.Version"/>); a worker refuses others. Not
    /// required, so that a job written before versions existed reads as version 0 and is refused as such.
    /// </summary>
    public int ContractVersion { get; init; }

    public required string RunId { get; init; }

    /// <summary>0, 1, 2, ... in the order the coordinator planned the run; stable across resumes.</summary>
    public required long JobId { get; init; }

    public required JobSpec Spec { get; init; }

    /// <summary>The queue the worker sends <see cref="JobsCommitted"/> to (faults go there too).</summary>
    public required string EventsQueue { get; init; }

    public JobDocument[]? Documents { get; init; }

    /// <summary>A storage location (URL or path) of the documents as JSON, when they were too large to send inline.</summary>
    public string? PayloadLocation { get; init; }

    public int TokenCount { get; init; }
}

/// <summary>
/// A document (or a window of one) as a job carries it: <see cref="InputIds"/> with [CLS] and [SEP], covering the
/// document's tokens [<see cref="TokenStart"/>, <see cref="TokenEnd"/>).
/// </summary>
public sealed record JobDocument(string Id, int Chunk, int TokenStart, int TokenEnd, int[] InputIds)
{
    /// <summary>The tokens' spans in the document's text, for tasks that report them (see <see cref="Documents.TokenAlignment"/>).</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public Documents.TokenAlignment? Alignment { get; init; }

    /// <summary>How many of the first tokens are attended, for queries whose expansion is not (see <see cref="Documents.DocumentChunk.AttendedTokens"/>).</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public int? AttendedTokens { get; init; }
}

/// <summary>What every job of a run shares: the task and its options, the model, and where results go.</summary>
public sealed record JobSpec
{
    /// <summary>The task's registered name (<see cref="Tasks.InferenceTasks"/>), e.g. "embed".</summary>
    public required string Task { get; init; }

    /// <summary>The task's options record as JSON (see <see cref="Tasks.ConfiguredTask.OptionsJson"/>).</summary>
    public required string TaskOptions { get; init; }

    /// <summary>A local model folder or a Hugging Face hub id.</summary>
    public required string Model { get; init; }

    public string? Revision { get; init; }

    /// <summary>The run's output location (a folder URL or path); part files go under its parts/ prefix.</summary>
    public required string OutputLocation { get; init; }
}
