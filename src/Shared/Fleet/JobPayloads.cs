using System.Text.Json;
using ModernBert.Documents;
using ModernBert.Fleet.Contracts;
using ModernBert.Storage;

namespace ModernBert.Fleet;

/// <summary>Documents of a job stored as a blob rather than inline in the message (JSON array of <see cref="JobDocument"/>).</summary>
public static class JobPayloads
{
    public static byte[] Serialize(IReadOnlyList<DocumentChunk> chunks) => JsonSerializer.SerializeToUtf8Bytes(chunks.Select(JobContract.ToWire).ToArray());

    /// <summary>
    /// An upper bound of the chunks' JSON size, without serializing them: an id takes at most 11 bytes and a comma,
    /// a document id at most 6 bytes per UTF-16 unit once escaped, and each chunk's field names and numbers 128; an
    /// alignment adds two offsets (11 bytes each with a comma) and a boolean (6 bytes) per id, and 128 for its names.
    /// </summary>
    public static long MaxSerializedBytes(IReadOnlyList<DocumentChunk> chunks) =>
        2 + chunks.Sum(chunk => 128L + 6L * chunk.Id.Length + 12L * chunk.InputIds.Length + (chunk.Alignment is null ? 0 : 128L + 28L * chunk.InputIds.Length));

    public static async Task<DocumentChunk[]> ReadAsync(ObjectStoreFactory stores, string location, CancellationToken cancellationToken)
    {
        ObjectReference payload = stores.OpenObject(StoreLocation.Parse(location));
        await using Stream stream = await payload.Store.OpenReadAsync(payload.Key, cancellationToken);
        JobDocument[] documents;
        try
        {
            documents = await JsonSerializer.DeserializeAsync<JobDocument[]>(stream, cancellationToken: cancellationToken)
                ?? throw new InvalidDataException($"Job payload {location} is empty.");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"Job payload {location} is not a valid document array: {e.Message}", e);
        }
        return documents.Select(JobContract.ToDomain).ToArray();
    }
}
