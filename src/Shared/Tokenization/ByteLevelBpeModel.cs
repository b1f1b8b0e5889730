using System.Text.RegularExpressions;
using Microsoft.ML.Tokenizers;

namespace ModernBert.Tokenization;

/// <summary>
/// The model step of a byte-level BPE tokenizer: GPT-2 pre-tokenization, byte-to-unicode mapping and BPE merges,
/// all done by Microsoft.ML.Tokenizers' <see cref="BpeTokenizer"/> (ByteLevel) with a <see cref="RegexPreTokenizer"/>.
/// Its input is text that added tokens were already cut out of and that is already normalized.
/// </summary>
internal sealed partial class ByteLevelBpeModel
{
    private readonly BpeTokenizer _bpe;

    public ByteLevelBpeModel(IReadOnlyDictionary<string, int> vocabulary, IReadOnlyList<string> merges, string? unknownToken, bool fuseUnknownTokens)
    {
        _bpe = BpeTokenizer.Create(new BpeOptions(vocabulary)
        {
            Merges = merges,
            ByteLevel = true,
            PreTokenizer = new RegexPreTokenizer(Gpt2PreTokenizerPattern(), specialTokens: null),
            UnknownToken = unknownToken,
            FuseUnknownTokens = fuseUnknownTokens,
        });
    }

    /// <summary>Appends the ids of <paramref name="text"/> to <paramref name="ids"/>.</summary>
    public void Encode(ReadOnlySpan<char> text, List<int> ids)
    {
        if (!text.IsEmpty)
            ids.AddRange(_bpe.EncodeToIds(text, considerPreTokenization: true, considerNormalization: false));
    }

    /// <summary>The split of tokenizers' ByteLevel pre-tokenizer (use_regex = true), which is GPT-2's.</summary>
    [GeneratedRegex(@"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+")]
    private static partial Regex Gpt2PreTokenizerPattern();
}
