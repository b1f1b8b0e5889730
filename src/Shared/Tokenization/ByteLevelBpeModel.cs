using System.Text.RegularExpressions;
using Microsoft.ML.Tokenizers;

namespace ModernBert.Tokenization;

/// <summary>
/// The model step of a byte-level BPE tokenizer: GPT-2 pre-tokenization, then, for each word, the byte-to-unicode
/// mapping and the BPE merges of Microsoft.ML.Tokenizers' <see cref="BpeTokenizer"/> (ByteLevel). Its input is
/// text that added tokens were already cut out of and that is already normalized.
/// </summary>
/// <remarks>
/// The ids of frequent words are kept in a cache per thread: the library's own word cache takes one lock for the
/// whole process on every word, which stops encoding from scaling across cores, and each of its calls allocates.
/// </remarks>
internal sealed partial class ByteLevelBpeModel
{
    private readonly BpeTokenizer _bpe;
    private readonly ThreadLocal<WordIdsCache> _cache = new(() => new WordIdsCache());

    public ByteLevelBpeModel(IReadOnlyDictionary<string, int> vocabulary, IReadOnlyList<string> merges, string? unknownToken, bool fuseUnknownTokens)
    {
        _bpe = BpeTokenizer.Create(new BpeOptions(vocabulary)
        {
            Merges = merges,
            ByteLevel = true,
            UnknownToken = unknownToken,
            FuseUnknownTokens = fuseUnknownTokens,
        });
    }

    /// <summary>Appends the ids of <paramref name="text"/> to <paramref name="ids"/>.</summary>
    public void Encode(ReadOnlySpan<char> text, List<int> ids)
    {
        WordIdsCache cache = _cache.Value!;
        foreach (ValueMatch match in Gpt2PreTokenizerPattern().EnumerateMatches(text))
        {
            ReadOnlySpan<char> word = text.Slice(match.Index, match.Length);
            if (!cache.TryGet(word, out int[]? wordIds))
            {
                wordIds = [.. _bpe.EncodeToIds(word, considerPreTokenization: false, considerNormalization: false)];
                cache.Add(word, wordIds);
            }
            ids.AddRange(wordIds);
        }
    }

    /// <summary>The split of tokenizers' ByteLevel pre-tokenizer (use_regex = true), which is GPT-2's.</summary>
    [GeneratedRegex(@"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+")]
    internal static partial Regex Gpt2PreTokenizerPattern();
}
