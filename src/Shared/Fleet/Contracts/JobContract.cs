using ModernBert.Documents;

namespace ModernBert.Fleet.Contracts;

/// <summary>
/// The one mapping between the job contract (<see cref="InferenceJob"/>, <see cref="JobDocument"/>) and the domain's
/// types, and the contract's version: a worker reads only jobs of the version it was built with.
/// </summary>
public static class JobContract
{
    /// <summary>The version of <see cref="InferenceJob"/> this build writes and reads; raise it when a change breaks readers.</summary>
    public const int Version = 1;

    /// <summary>A job of the current contract version.</summary>
    public static InferenceJob Job(string runId, long jobId, JobSpec spec, string eventsQueue, IReadOnlyList<DocumentChunk>? documents,
        string? payloadLocation, int tokenCount) => new()
    {
        ContractVersion = Version,
        RunId = runId,
        JobId = jobId,
        Spec = spec,
        EventsQueue = eventsQueue,
        Documents = documents?.Select(ToWire).ToArray(),
        PayloadLocation = payloadLocation,
        TokenCount = tokenCount,
    };

    /// <exception cref="ContractVersionException">The job was written to another version of the contract.</exception>
    public static void EnsureReadable(InferenceJob job)
    {
        if (job.ContractVersion != Version)
            throw new ContractVersionException(job.RunId, job.JobId, job.ContractVersion, Version);
    }

    public static JobDocument ToWire(DocumentChunk chunk) =>
        new(chunk.Id, chunk.Chunk, chunk.TokenStart, chunk.TokenEnd, chunk.InputIds)
        {
            Alignment = chunk.Alignment,
            AttendedTokens = chunk.AttendedTokens,
        };

    public static DocumentChunk ToDomain(JobDocument document) =>
        new(document.Id, document.Chunk, document.TokenStart, document.TokenEnd, document.InputIds)
        {
            Alignment = document.Alignment,
            AttendedTokens = document.AttendedTokens,
        };
}

/// <summary>A job written to a version of the contract this worker cannot read; retrying cannot fix it.</summary>
public sealed class ContractVersionException(string runId, long jobId, int version, int readable)
    : ModernBertException($"job {jobId} of run {runId} has contract version {version}; this worker reads version {readable}.");
