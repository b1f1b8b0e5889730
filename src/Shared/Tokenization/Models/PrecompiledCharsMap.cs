using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Text;

namespace ModernBert.Tokenization.Models;

/// <summary>
/// The lookup of the <c>Precompiled</c> normalizer: SentencePiece's <c>precompiled_charsmap</c>, a Darts double-array
/// trie over UTF-8 bytes whose values index NUL-terminated replacements. As Hugging Face's spm_precompiled crate
/// (src/lib.rs: parse, DoubleArray::common_prefix_search, Precompiled::transform) does it: the blob is
/// [u32 trie size in bytes][trie units, u32 little-endian][replacements, UTF-8], and a text's replacement is the
/// value of the SHORTEST prefix of its bytes that the trie holds (not the longest one, as SentencePiece itself
/// uses). Callers (the normalizer) decide what text to look up: a grapheme, then its characters.
/// </summary>
internal sealed class PrecompiledCharsMap
{
    private readonly uint[] _units;
    private readonly byte[] _replacements;
    private readonly ConcurrentDictionary<int, string> _replacementByIndex = new();
    private readonly Func<int, string> _decode;

    private PrecompiledCharsMap(uint[] units, byte[] replacements)
    {
        _units = units;
        _replacements = replacements;
        _decode = Decode;
    }

    /// <summary>Parses the decoded (base64) <c>precompiled_charsmap</c>.</summary>
    /// <exception cref="InvalidDataException">The blob is shorter than its trie, or its replacements are not UTF-8.</exception>
    public static PrecompiledCharsMap Parse(byte[] blob)
    {
        ArgumentNullException.ThrowIfNull(blob);
        if (blob.Length < 4)
            throw new InvalidDataException("precompiled_charsmap is shorter than its 4-byte header");
        uint trieBytes = BinaryPrimitives.ReadUInt32LittleEndian(blob);
        long unitCount = trieBytes / 4;
        if (4 + unitCount * 4 > blob.Length)
            throw new InvalidDataException($"precompiled_charsmap holds {blob.Length} bytes, fewer than its trie's {trieBytes}");
        if (unitCount == 0)
            throw new InvalidDataException("precompiled_charsmap has an empty trie");
        var units = new uint[unitCount];
        for (int i = 0; i < units.Length; i++)
            units[i] = BinaryPrimitives.ReadUInt32LittleEndian(blob.AsSpan(4 + i * 4));
        byte[] replacements = blob[(int)(4 + unitCount * 4)..];
        try
        {
            _ = new UTF8Encoding(false, throwOnInvalidBytes: true).GetCharCount(replacements);
        }
        catch (DecoderFallbackException e)
        {
            throw new InvalidDataException("precompiled_charsmap's replacements are not valid UTF-8", e);
        }
        return new PrecompiledCharsMap(units, replacements);
    }

    /// <summary>The replacement of <paramref name="text"/>, if the map holds one of its prefixes (transform).</summary>
    public bool TryNormalize(ReadOnlySpan<char> text, out string replacement)
    {
        Span<byte> buffer = stackalloc byte[64];
        int count = Encoding.UTF8.GetMaxByteCount(text.Length);
        Span<byte> bytes = count <= buffer.Length ? buffer : new byte[count];
        bytes = bytes[..Encoding.UTF8.GetBytes(text, bytes)];
        int index = FirstPrefixValue(bytes);
        if (index < 0 || index > _replacements.Length)
        {
            replacement = "";
            return false;
        }
        replacement = _replacementByIndex.GetOrAdd(index, _decode);
        return true;
    }

    private string Decode(int index)
    {
        ReadOnlySpan<byte> tail = _replacements.AsSpan(index);
        int end = tail.IndexOf((byte)0);
        return Encoding.UTF8.GetString(end < 0 ? tail : tail[..end]);
    }

    /// <summary>DoubleArray::first_prefix_value: the value of the first (shortest) key that is a prefix of <paramref name="key"/>, or -1.</summary>
    private int FirstPrefixValue(ReadOnlySpan<byte> key)
    {
        long position = Offset(_units[0]);
        foreach (byte c in key)
        {
            if (c == 0)
                break;
            position ^= c;
            if (position >= _units.Length)
                return -1;
            uint unit = _units[position];
            if (Label(unit) != c)
                return -1;
            position ^= Offset(unit);
            if (position >= _units.Length)
                return -1;
            if (HasLeaf(unit))
                return (int)(_units[position] & ((1u << 31) - 1));
        }
        return -1;
    }

    private static bool HasLeaf(uint unit) => ((unit >> 8) & 1) == 1;

    private static uint Label(uint unit) => unit & ((1u << 31) | 0xFF);

    private static long Offset(uint unit) => (long)(unit >> 10) << (int)((unit & (1u << 9)) >> 6);
}
