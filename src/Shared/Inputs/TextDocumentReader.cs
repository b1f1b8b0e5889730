using System.Text;
using System.Text.Unicode;
using ModernBert.Storage;

namespace ModernBert.Inputs;

/// <summary>
/// Reads one object as one document: its id is the key relative to the input root, its text the UTF-8 content
/// (after decompression when the name says so, see <see cref="CorpusFormat"/>) without a leading byte order mark.
/// Content that is not valid UTF-8 becomes a <see cref="MalformedInput"/> naming the file and the offending byte.
/// </summary>
public sealed class TextDocumentReader
{
    public async Task<InputRecord> ReadAsync(IObjectStore store, string key, string idRoot, CancellationToken cancellationToken)
    {
        string id = IdOf(key, idRoot);
        string location = store.Describe(key);
        CorpusFormat format = CorpusFormat.Of(key);
        using var content = new MemoryStream();
        await using (Stream stream = format.Decompress(await store.OpenReadAsync(key, cancellationToken)))
        {
            try
            {
                await stream.CopyToAsync(content, cancellationToken);
            }
            catch (Exception e) when (format.IsCorruptionError(e))
            {
                throw new InvalidDataException($"{location}: the {format.Compression} data is corrupt or truncated: {e.Message}", e);
            }
        }
        ReadOnlySpan<byte> bytes = content.GetBuffer().AsSpan(0, (int)content.Length);
        int bomLength = bytes.StartsWith("\uFEFF"u8) ? 3 : 0;
        bytes = bytes[bomLength..];
        if (!Utf8.IsValid(bytes))
            return new MalformedInput($"not valid UTF-8: invalid byte sequence at byte {bomLength + FirstInvalidByte(bytes)}", location);
        return new InputDocument(id, Encoding.UTF8.GetString(bytes), null, location);
    }

    /// <summary>The key relative to <paramref name="idRoot"/>, a key prefix taken as a folder ("" for the whole store).</summary>
    internal static string IdOf(string key, string idRoot)
    {
        string prefix = idRoot.Length == 0 || idRoot.EndsWith('/') ? idRoot : idRoot + "/";
        if (!key.StartsWith(prefix, StringComparison.Ordinal) || key.Length == prefix.Length)
            throw new ArgumentException($"The object '{key}' is not inside the input root '{idRoot}'.", nameof(key));
        return key[prefix.Length..];
    }

    private static int FirstInvalidByte(ReadOnlySpan<byte> bytes)
    {
        int offset = 0;
        while (Rune.DecodeFromUtf8(bytes[offset..], out _, out int consumed) == System.Buffers.OperationStatus.Done)
            offset += consumed;
        return offset;
    }
}
