namespace ModernBert.Storage;

/// <summary>
/// Recognises the leftovers of an earlier attempt of the same append: an attempt whose answer was lost, or that was
/// cut off after part of its data landed. Retrying such an append completes it instead of failing with a conflict.
/// </summary>
internal static class AppendRecovery
{
    /// <summary>
    /// How many leading bytes of <paramref name="data"/> the object already holds at <paramref name="offset"/>, given
    /// its current length; null when it holds something else there (a real conflict).
    /// </summary>
    public static async Task<int?> BytesAlreadyAppendedAsync(IObjectStore store, string key, long offset,
        ReadOnlyMemory<byte> data, long currentLength, CancellationToken cancellationToken)
    {
        long present = currentLength - offset;
        if (present < 0 || present > data.Length)
            return null;
        if (present == 0)
            return 0;
        byte[] tail = await store.ReadRangeAsync(key, offset, (int)present, cancellationToken);
        return tail.AsSpan().SequenceEqual(data.Span[..(int)present]) ? (int)present : null;
    }
}
