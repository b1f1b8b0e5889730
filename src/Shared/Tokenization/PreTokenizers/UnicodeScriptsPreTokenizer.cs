using System.Text;

namespace ModernBert.Tokenization.PreTokenizers;

/// <summary>
/// UnicodeScripts (tokenizers/src/pre_tokenizers/unicode_scripts/pre_tokenizer.rs): a piece ends where the script
/// changes; Hiragana, Katakana and U+30FC count as Han, a space as Any (which never splits and is skipped).
/// </summary>
internal sealed class UnicodeScriptsPreTokenizer : IPreTokenizer
{
    private const int Any = 0;
    private const int NoScriptYet = -1;
    private static readonly int Han = Array.IndexOf(UnicodeScriptData.Names, "Han");
    private static readonly int Hiragana = Array.IndexOf(UnicodeScriptData.Names, "Hiragana");
    private static readonly int Katakana = Array.IndexOf(UnicodeScriptData.Names, "Katakana");

    public void PreTokenize(List<NormalizedText> pieces)
    {
        PatternPreTokenizer.SplitEach(pieces, (piece, into) =>
        {
            // As tokenizers does: a boundary before each character whose script differs from the last one seen
            // (none before the first), then the pieces between boundaries; text before the first boundary (leading
            // spaces) is dropped with it.
            var boundaries = new List<int>();
            int lastScript = NoScriptYet;
            int offset = 0;
            foreach (Rune rune in piece.Runes())
            {
                int script = FixedScript(rune);
                if (script != Any && lastScript != Any && lastScript != script)
                    boundaries.Add(offset);
                offset += rune.Utf16SequenceLength;
                if (script != Any)
                    lastScript = script;
            }
            boundaries.Add(piece.Length);
            for (int i = 0; i + 1 < boundaries.Count; i++)
                into.Add(piece.Slice(boundaries[i], boundaries[i + 1]));
        });
    }

    private static int FixedScript(Rune rune)
    {
        if (rune.Value == 0x30FC)
            return Han;
        if (rune.Value == ' ')
            return Any;
        int script = Script(rune.Value);
        return script == Hiragana || script == Katakana ? Han : script;
    }

    private static int Script(int codePoint)
    {
        ReadOnlySpan<int> ranges = UnicodeScriptData.Ranges;
        int run = CodePointRanges.IndexOf(ranges, 3, codePoint);
        return run < 0 ? Any : ranges[run * 3 + 2];
    }
}
