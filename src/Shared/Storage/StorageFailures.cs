using Azure;
using Azure.Identity;
using Azure.Storage.Blobs.Models;

namespace ModernBert.Storage;

/// <summary>Which storage failures are worth retrying: those that a later attempt may not meet.</summary>
public static class StorageFailures
{
    // errno values (Linux) that .NET gives as an IOException's HResult.
    private const int NoSpaceLeft = 28;
    private const int ReadOnlyFileSystem = 30;
    private const int QuotaExceeded = 122;

    /// <summary>
    /// True for throttling, timeouts, server errors and lost connections (Azure reports those with status 0);
    /// false for answers that a retry would repeat: a missing object, an append conflict, a sealed object, a bad request, and the
    /// <see cref="IsPermanent"/> failures.
    /// </summary>
    public static bool IsTransient(Exception exception) => !IsPermanent(exception) && exception switch
    {
        ObjectNotFoundException or AppendConflictException or ObjectSealedException => false,
        RequestFailedException failed => failed.Status is 0 or 408 or 429 or >= 500,
        HttpRequestException or TimeoutException => true,
        IOException io => io is not (FileNotFoundException or DirectoryNotFoundException or PathTooLongException),
        // Raised by network timeouts inside HTTP clients; the caller's own cancellation is never retried.
        OperationCanceledException => true,
        _ => false,
    };

    /// <summary>
    /// Failures that stay until the user acts, so that a batch fails once with the reason rather than being retried:
    /// no space left or a quota reached, a read-only file system, denied access (a file's permissions, a blob
    /// service's 401 or 403), a missing container, and credentials that cannot authenticate.
    /// </summary>
    public static bool IsPermanent(Exception exception) => exception switch
    {
        StorageFailureException or UnauthorizedAccessException or AuthenticationFailedException or CredentialUnavailableException => true,
        IOException io => io.HResult is NoSpaceLeft or ReadOnlyFileSystem or QuotaExceeded,
        RequestFailedException failed => failed.Status is 401 or 403 || failed.ErrorCode == BlobErrorCode.ContainerNotFound,
        _ => false,
    };

    /// <summary>
    /// The first line of the failure's message (Azure's carry the whole response after it), with the HTTP status where
    /// the service gave no reason (a HEAD request's answer has no body: "Service request failed.").
    /// </summary>
    public static string Reason(Exception exception)
    {
        string reason = exception.Message.Split('\n', 2)[0].TrimEnd();
        const string NoReason = "Service request failed.";
        if (exception is not RequestFailedException { Status: > 0 } failed || reason != NoReason)
            return reason;
        string code = string.IsNullOrEmpty(failed.ErrorCode) ? "" : $" {failed.ErrorCode}";
        string meaning = failed.Status is 401 or 403 ? ": the account refuses these credentials or this access" : "";
        return $"{reason} (HTTP {failed.Status}{code}{meaning})";
    }
}
