using ModernBert.Coordinator.Planning;

namespace ModernBert.Coordinator.Cli;

/// <summary>
/// The line <c>embed</c>, <c>classify</c> and <c>tokenize</c> print on stderr for a document they skip: the
/// rejection's one-line report (<c>file:line: reason</c>, as a run's manifest records it, less a closing period) and
/// "; document skipped.".
/// </summary>
internal static class SkippedReport
{
    public static string Of(RejectedDocument rejected)
    {
        string report = rejected.ToString();
        return $"{(report.EndsWith('.') ? report[..^1] : report)}; document skipped.";
    }
}
