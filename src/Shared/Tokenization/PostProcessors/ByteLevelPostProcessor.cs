namespace ModernBert.Tokenization.PostProcessors;

/// <summary>
/// ByteLevel as a post-processor (tokenizers/src/pre_tokenizers/byte_level.rs, process_offsets): with trim_offsets,
/// a token's span leaves out its leading and trailing spaces (Ġ or whitespace in the token's string), except the
/// one space add_prefix_space put before the first token. Adds no tokens.
/// </summary>
/// <remarks>
/// tokenizers trims in code points (its offsets are characters by then): a span moves by whole characters of the
/// text here too, so a prefix space aligned with an emoji trims the emoji's two UTF-16 units as one.
/// </remarks>
internal sealed class ByteLevelPostProcessor(bool trimOffsets, bool addPrefixSpace) : IPostProcessor
{
    private const char EncodedSpace = '\u0120'; // Ġ, the byte-level character of ' '

    public (int[] Before, int[] After) SingleIds => ([], []);

    public int AddedTokenCount(bool pair) => 0;

    public List<TokenEncoding> ProcessEncodings(List<TokenEncoding> encodings, bool addSpecialTokens)
    {
        var result = new List<TokenEncoding>(encodings.Count);
        for (int index = 0; index < encodings.Count; index++)
        {
            TokenEncoding encoding = trimOffsets ? Trim(encodings[index]) : encodings[index];
            var sequenceIds = new sbyte[encoding.Length];
            Array.Fill(sequenceIds, (sbyte)index);
            result.Add(encoding with { SequenceIds = sequenceIds });
        }
        return result;
    }

    private TokenEncoding Trim(TokenEncoding encoding)
    {
        if (encoding.Source is not { } source)
            return encoding;
        string text = source.Text;
        var offsets = (TokenOffset[])encoding.Offsets.Clone();
        for (int i = 0; i < offsets.Length; i++)
        {
            string token = source.Tokens[i];
            int leading = 0;
            while (leading < token.Length && IsSpace(token[leading]))
                leading++;
            int trailing = 0;
            while (trailing < token.Length && IsSpace(token[token.Length - 1 - trailing]))
                trailing++;
            (int start, int end) = (offsets[i].Start, offsets[i].End);
            if (leading > 0)
            {
                bool isFirst = i == 0 || start == 0;
                if (isFirst && addPrefixSpace && leading == 1)
                    leading = 0;
                start = Math.Min(Forward(text, start, leading), end);
            }
            if (trailing > 0 && CodePointsBefore(text, end) >= trailing)
                end = Math.Max(Backward(text, end, trailing), start);
            offsets[i] = new TokenOffset(start, end);
        }
        return encoding with { Offsets = offsets };
    }

    private static int Forward(string text, int position, int count)
    {
        for (; count > 0 && position < text.Length; count--)
            position += char.IsHighSurrogate(text[position]) && position + 1 < text.Length && char.IsLowSurrogate(text[position + 1]) ? 2 : 1;
        return position + count;
    }

    private static int Backward(string text, int position, int count)
    {
        for (; count > 0 && position > 0; count--)
            position -= char.IsLowSurrogate(text[position - 1]) && position > 1 && char.IsHighSurrogate(text[position - 2]) ? 2 : 1;
        return position - count;
    }

    private static int CodePointsBefore(string text, int position)
    {
        int count = 0;
        for (int i = position; i > 0; count++)
            i -= char.IsLowSurrogate(text[i - 1]) && i > 1 && char.IsHighSurrogate(text[i - 2]) ? 2 : 1;
        return count;
    }

    private static bool IsSpace(char c) => c == EncodedSpace || char.IsWhiteSpace(c);
}
