namespace ModernBert.Tokenization.Models;

/// <summary>
/// Characters of a piece as Hugging Face's Rust models see them: Unicode scalar values measured in UTF-8 bytes.
/// A lone surrogate, which a Rust string cannot hold, counts as one character of three bytes (U+FFFD's length).
/// </summary>
internal static class PieceText
{
    /// <summary>The number of UTF-16 code units of the character at <paramref name="index"/>: 2 for a surrogate pair, else 1.</summary>
    public static int CharLength(ReadOnlySpan<char> text, int index)
        => char.IsHighSurrogate(text[index]) && index + 1 < text.Length && char.IsLowSurrogate(text[index + 1]) ? 2 : 1;

    /// <summary>The UTF-8 length of the character of <paramref name="length"/> code units starting with <paramref name="first"/>.</summary>
    public static int Utf8Length(char first, int length) => length == 2 ? 4 : first < 0x80 ? 1 : first < 0x800 ? 2 : 3;

    /// <summary>
    /// Converts byte spans of a piece (Hugging Face's offsets) to UTF-16 spans: a span starting or ending inside a
    /// character covers the whole character, as Hugging Face's conversion of byte offsets to character offsets does.
    /// Bytes past the piece, which BPE's byte fallback counts when it encodes a character with its continuing-subword
    /// prefix, are cut to the piece's end (Hugging Face reports them as out-of-range character offsets instead).
    /// </summary>
    public sealed class ByteSpans
    {
        private int[] _startOfByte = new int[64];
        private int[] _endOfByte = new int[64];
        private int _byteCount;
        private int _length;

        public void Reset(ReadOnlySpan<char> piece)
        {
            _byteCount = 0;
            _length = piece.Length;
            for (int i = 0; i < piece.Length;)
            {
                int length = CharLength(piece, i);
                int bytes = Utf8Length(piece[i], length);
                if (_byteCount + bytes > _startOfByte.Length)
                {
                    Array.Resize(ref _startOfByte, Math.Max(_startOfByte.Length * 2, _byteCount + bytes));
                    Array.Resize(ref _endOfByte, _startOfByte.Length);
                }
                _startOfByte.AsSpan(_byteCount, bytes).Fill(i);
                _endOfByte.AsSpan(_byteCount, bytes).Fill(i + length);
                _byteCount += bytes;
                i += length;
            }
        }

        /// <summary>
        /// The UTF-16 span of the bytes [<paramref name="byteStart"/>, <paramref name="byteEnd"/>) of the piece.
        /// </summary>
        public (int Start, int End) Span(int byteStart, int byteEnd)
        {
            if (byteStart >= _byteCount)
                return (_length, _length);
            int end = Math.Min(byteEnd, _byteCount);
            return (_startOfByte[byteStart], end > byteStart ? _endOfByte[end - 1] : _startOfByte[byteStart]);
        }
    }
}
