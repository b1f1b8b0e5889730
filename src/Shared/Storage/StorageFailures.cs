using Azure;

namespace ModernBert.Storage;

/// <summary>Which storage failures are worth retrying: those that a later attempt may not meet.</summary>
public static class StorageFailures
{
    /// <summary>
    /// True for throttling, timeouts, server errors and lost connections (Azure reports those with status 0);
    /// false for answers that a retry would repeat: a missing object, an append conflict, a bad request or denied access.
    /// </summary>
    public static bool IsTransient(Exception exception) => exception switch
    {
        ObjectNotFoundException or AppendConflictException => false,
        RequestFailedException failed => failed.Status is 0 or 408 or 429 or >= 500,
        HttpRequestException or TimeoutException => true,
        IOException io => io is not (FileNotFoundException or DirectoryNotFoundException or PathTooLongException),
        // Raised by network timeouts inside HTTP clients; the caller's own cancellation is never retried.
        OperationCanceledException => true,
        _ => false,
    };
}
