namespace ModernBert.Worker;

/// <summary>
/// Whether the worker still starts the batches it is handed. Closed only for the worker embedded in a coordinator
/// as it stops: the jobs it has taken but not started are then dropped, and the run's resume sends them again (their
/// in-process queue ends with the process anyway). A worker on a broker never closes it: a dropped job there would
/// be acknowledged and lost.
/// </summary>
public sealed class JobIntake
{
    private volatile bool _closed;

    public bool IsClosed => _closed;

    public void Close() => _closed = true;
}
