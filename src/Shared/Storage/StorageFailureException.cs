namespace ModernBert.Storage;

/// <summary>
/// A storage failure that no retry can fix and the user must: no space left, a read-only file system, denied access,
/// a missing container, failed authentication (see <see cref="StorageFailures.IsPermanent"/>). Its message names the
/// location and the cause.
/// </summary>
public sealed class StorageFailureException(string message, Exception? innerException = null) : ModernBertException(message, innerException);
