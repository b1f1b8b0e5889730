using System.Buffers;
using System.Text;
using System.Text.RegularExpressions;

namespace ModernBert.Tokenization.PreTokenizers;

/// <summary>
/// ByteLevel (tokenizers/src/pre_tokenizers/byte_level.rs): a space before each piece that does not start with one
/// (add_prefix_space), GPT-2's split (use_regex), then each UTF-8 byte of the text as one character of GPT-2's
/// byte alphabet, every byte spanning its whole character.
/// </summary>
internal sealed class ByteLevelPreTokenizer(bool addPrefixSpace, bool useRegex) : IPreTokenizer
{
    private static readonly TextPattern Gpt2Split = TextPattern.FromRegex(ByteLevelBpeModel.Gpt2PreTokenizerPattern, RegexOptions.CultureInvariant | RegexOptions.Compiled);

    /// <summary>GPT-2's byte-to-character table: printable bytes stay, the others map to U+0100 onwards in order.</summary>
    public static readonly Rune[] ByteCharacters = BuildByteCharacters();

    public void PreTokenize(List<NormalizedText> pieces)
    {
        PatternPreTokenizer.SplitEach(pieces, (piece, into) =>
        {
            if (addPrefixSpace && !piece.Text.StartsWith(' '))
                piece.Prepend(" ");
            if (useRegex)
                piece.Split(Gpt2Split.FindMatches(piece.Text), SplitBehavior.Isolated, into);
            else
                into.Add(piece);
        });
        foreach (NormalizedText piece in pieces)
            ToByteCharacters(piece);
    }

    /// <summary>
    /// Each UTF-8 byte of the piece as its byte character, spanning the character it came from (what transform gives
    /// for the first byte replacing the character and the others inserted after it). ASCII is one byte a unit, so an
    /// ASCII piece keeps its spans.
    /// </summary>
    private static void ToByteCharacters(NormalizedText piece)
    {
        string text = piece.Text;
        if (Ascii.IsValid(text))
        {
            piece.ReplaceSameLength(string.Create(text.Length, text, static (units, source) =>
            {
                for (int i = 0; i < units.Length; i++)
                    units[i] = (char)ByteCharacters[source[i]].Value;
            }));
            return;
        }
        int maxUnits = Encoding.UTF8.GetMaxByteCount(text.Length);
        char[] units = ArrayPool<char>.Shared.Rent(maxUnits);
        int[] sourceUnits = ArrayPool<int>.Shared.Rent(maxUnits);
        Span<byte> bytes = stackalloc byte[4];
        int count = 0;
        for (int i = 0; i < text.Length;)
        {
            Rune rune = Rune.TryGetRuneAt(text, i, out Rune decoded) ? decoded : Rune.ReplacementChar;
            int width = Rune.TryGetRuneAt(text, i, out _) ? decoded.Utf16SequenceLength : 1;
            int byteCount = rune.EncodeToUtf8(bytes);
            for (int b = 0; b < byteCount; b++)
            {
                units[count] = (char)ByteCharacters[bytes[b]].Value;
                sourceUnits[count++] = i;
            }
            i += width;
        }
        piece.Rebuild(units.AsSpan(0, count), sourceUnits.AsSpan(0, count));
        ArrayPool<char>.Shared.Return(units);
        ArrayPool<int>.Shared.Return(sourceUnits);
    }

    private static Rune[] BuildByteCharacters()
    {
        var characters = new Rune[256];
        int next = 256;
        for (int b = 0; b < 256; b++)
        {
            bool printable = b is >= '!' and <= '~' or >= 0xA1 and <= 0xAC or >= 0xAE and <= 0xFF;
            characters[b] = new Rune(printable ? b : next++);
        }
        return characters;
    }
}
