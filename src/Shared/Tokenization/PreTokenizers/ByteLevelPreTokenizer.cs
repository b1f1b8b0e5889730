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
    private static readonly TextPattern Gpt2Split = TextPattern.FromRegex(new Regex(ByteLevelBpeModel.Gpt2PreTokenizerPattern, RegexOptions.CultureInvariant));

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
        Span<byte> bytes = stackalloc byte[4];
        foreach (NormalizedText piece in pieces)
        {
            var changes = new List<(Rune Rune, int Change)>(piece.Length * 2);
            foreach (Rune rune in piece.Runes())
            {
                int count = rune.EncodeToUtf8(bytes);
                for (int i = 0; i < count; i++)
                    changes.Add((ByteCharacters[bytes[i]], i == 0 ? 0 : 1));
            }
            piece.Transform(changes, initialOffset: 0);
        }
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
