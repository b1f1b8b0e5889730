namespace ModernBert.Coordinator.Runs;

/// <summary>
/// Another coordinator drives the run: its lease was held when this one started, or was lost (or the journal found
/// another writer) while it ran. This coordinator has stopped writing to the run.
/// </summary>
public sealed class RunLeaseException(string message, Exception? innerException = null) : ModernBertException(message, innerException);
