namespace ModernBert;

/// <summary>
/// The base of this product's own errors: a setting, model, checkpoint, storage location, input or device that the
/// user can fix. The message names the file, key or location and is all the user is shown, without a stack trace.
/// </summary>
public abstract class ModernBertException : Exception
{
    protected ModernBertException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }

    /// <summary>
    /// Whether the same call may succeed later (a service that stayed unreachable through its retries). A worker
    /// retries a job that failed so; any other of these errors fails the job at once, as retrying cannot fix it.
    /// </summary>
    public virtual bool IsTransient => false;
}
