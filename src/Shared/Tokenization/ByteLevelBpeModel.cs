using System.Text.RegularExpressions;
using Microsoft.ML.Tokenizers;

namespace ModernBert.Tokenization;

/// <summary>
/// The model step of a byte-level BPE tokenizer: GPT-2 pre-tokenization, then, for each word, the byte-to-unicode
/// mapping and the BPE merges of Microsoft.ML.Tokenizers' <see cref="BpeTokenizer"/> (ByteLevel). Its input is
/// text that added tokens were already cut out of and that is already normalized.
/// </summary>
/// <remarks>
/// Each thread has its own word cache and its own regex: the library's word cache takes one process-wide lock per
/// word, and a shared <see cref="Regex"/> hands its single matching engine from thread to thread on every match
/// (building new ones when it is busy), so either would stop encoding from scaling across cores.
/// </remarks>
internal sealed class ByteLevelBpeModel
{
    /// <summary>The split of tokenizers' ByteLevel pre-tokenizer (use_regex = true), which is GPT-2's.</summary>
    public const string Gpt2PreTokenizerPattern = @"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+";

    /// <summary>The split for texts holding surrogates, whose letters and numbers beyond the BMP it takes as such (<see cref="CodePointRegex"/>).</summary>
    private static readonly Lazy<Regex?> AstralPreTokenizer = CodePointRegex.ForAstralTexts(Gpt2PreTokenizerPattern, RegexOptions.None);

    private readonly BpeTokenizer _bpe;
    private readonly ThreadLocal<ThreadState> _threadState = new(() => new ThreadState());

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
        ThreadState state = _threadState.Value!;
        foreach (ValueMatch match in CodePointRegex.For(text, state.PreTokenizer, AstralPreTokenizer).EnumerateMatches(text))
        {
            ReadOnlySpan<char> word = text.Slice(match.Index, match.Length);
            if (!state.Cache.TryGet(word, out int[]? wordIds))
            {
                wordIds = [.. _bpe.EncodeToIds(word, considerPreTokenization: false, considerNormalization: false)];
                state.Cache.Add(word, wordIds);
            }
            ids.AddRange(wordIds);
        }
    }

    private sealed class ThreadState
    {
        public Regex PreTokenizer { get; } = new(Gpt2PreTokenizerPattern, RegexOptions.Compiled);

        public WordIdsCache Cache { get; } = new();
    }
}
