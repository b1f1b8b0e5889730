using ModernBert.Coordinator.Planning;

namespace ModernBert.Coordinator.Cli;

/// <summary>
/// What <c>embed</c>, <c>classify</c> and <c>tokenize</c> print of what they skip: a line on stderr for each document,
/// the rejection's one-line report (<c>file:line: reason</c>, as a run's manifest records it, less a closing period)
/// and "; document skipped." (an object's unreadable rest says so itself), and the counts in their summary.
/// </summary>
internal static class SkippedReport
{
    public static string Of(RejectedDocument rejected)
    {
        string report = rejected.ToString();
        string withoutPeriod = report.EndsWith('.') ? report[..^1] : report;
        return rejected.RestUnread ? withoutPeriod + "." : withoutPeriod + "; document skipped.";
    }

    /// <summary>"skipped 2 documents", and the objects whose rest could not be read, which held an unknown number more.</summary>
    public static string Summary(SkippedCounts skipped) => $"skipped {Counted.Of(skipped.Documents, "document")}" +
        (skipped.UnreadObjects > 0 ? $" and the unreadable rest of {Counted.Of(skipped.UnreadObjects, "input")}" : "");
}

/// <summary>What a command skipped: documents, and objects whose rest could not be read.</summary>
internal readonly record struct SkippedCounts(long Documents, long UnreadObjects)
{
    public SkippedCounts Add(RejectedDocument rejected) => rejected.RestUnread ? this with { UnreadObjects = UnreadObjects + 1 } : this with { Documents = Documents + 1 };
}
