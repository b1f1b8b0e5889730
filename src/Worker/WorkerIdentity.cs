namespace ModernBert.Worker;

/// <summary>
/// Names this worker process uniquely (host, process, random suffix): part files carry it, so no two processes ever
/// append to the same file, a restarted worker included.
/// </summary>
public sealed class WorkerIdentity
{
    public WorkerIdentity()
    {
        string host = new(Environment.MachineName.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '.' ? c : '-').ToArray());
        Id = $"{host}-{Environment.ProcessId}-{Guid.NewGuid().ToString("N")[..6]}";
    }

    public string Id { get; }
}
