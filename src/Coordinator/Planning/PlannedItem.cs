using ModernBert.Documents;

namespace ModernBert.Coordinator.Planning;

/// <summary>What planning a run yields, in a deterministic order: a <see cref="PackedJob"/> or a <see cref="RejectedDocument"/>.</summary>
public abstract record PlannedItem;

/// <summary>
/// Chunks that one worker request processes together, at most the job size in tokens. Job ids are 0, 1, 2, ... in
/// the order the jobs are planned; planning the same corpus again gives the same jobs with the same ids.
/// </summary>
/// <param name="Chunks">The chunks in the order they were read from the corpus.</param>
public sealed record PackedJob(long JobId, IReadOnlyList<DocumentChunk> Chunks) : PlannedItem
{
    /// <summary>The tokens of all chunks, [CLS] and [SEP] included.</summary>
    public int TokenCount { get; } = Chunks.Sum(chunk => chunk.InputIds.Length);
}

/// <summary>
/// An input record that yields no chunks, and why. Every command reports it in the same words: <see cref="ToString"/>
/// (<c>file:line: reason</c>) on a console, <see cref="Origin"/> and <see cref="Problem"/> in a run's manifest.
/// </summary>
/// <param name="Id">The document's id, or null when the record could not be read as a document.</param>
/// <param name="Origin">Where the record came from, e.g. "corpus.jsonl:42".</param>
/// <param name="RestUnread">Whether it stands for the unreadable rest of an input object, however many documents that held.</param>
public sealed record RejectedDocument(string? Id, string Origin, string Reason, bool RestUnread = false) : PlannedItem
{
    /// <summary>The reason, after the document's id when there is one.</summary>
    public string Problem => Id is null ? Reason : $"document '{Id}': {Reason}";

    public override string ToString() => $"{Origin}: {Problem}";
}
