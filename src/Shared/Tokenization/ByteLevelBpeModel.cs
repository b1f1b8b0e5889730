using System.Text;
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
        foreach (ValueMatch match in state.PreTokenizer.EnumerateMatches(text))
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

    /// <summary>
    /// Appends the ids of the units [start, start + length) of <paramref name="text"/> to <paramref name="ids"/>, and
    /// each token's span in the original string to <paramref name="offsets"/>. A token holding only some of the UTF-8
    /// bytes of a character spans the whole character, as in tokenizers (its ByteLevel pre-tokenizer aligns every
    /// byte of a character with the character).
    /// </summary>
    public void Encode(NormalizedText text, int start, int length, List<int> ids, List<TokenOffset> offsets)
    {
        ThreadState state = _threadState.Value!;
        ReadOnlySpan<char> span = text.Text.AsSpan(start, length);
        var unitOfByte = new List<int>();
        foreach (ValueMatch match in state.PreTokenizer.EnumerateMatches(span))
        {
            ReadOnlySpan<char> word = span.Slice(match.Index, match.Length);
            int wordStart = start + match.Index;
            unitOfByte.Clear();
            for (int unit = 0; unit < word.Length; unit++)
            {
                int width = char.IsHighSurrogate(word[unit]) && unit + 1 < word.Length && char.IsLowSurrogate(word[unit + 1]) ? 2 : 1;
                int bytes = Encoding.UTF8.GetByteCount(word.Slice(unit, width));
                for (int b = 0; b < bytes; b++)
                    unitOfByte.Add(unit);
                unit += width - 1;
            }
            int byteIndex = 0;
            foreach (EncodedToken token in _bpe.EncodeToTokens(word, out _, considerPreTokenization: false, considerNormalization: false))
            {
                int byteEnd = Math.Min(byteIndex + token.Value.Length, unitOfByte.Count);
                TokenOffset first = text.UnitSpan(wordStart + unitOfByte[byteIndex]);
                TokenOffset last = text.UnitSpan(wordStart + unitOfByte[byteEnd - 1]);
                ids.Add(token.Id);
                offsets.Add(new TokenOffset(first.Start, last.End));
                byteIndex = byteEnd;
            }
        }
    }

    private sealed class ThreadState
    {
        public Regex PreTokenizer { get; } = new(Gpt2PreTokenizerPattern, RegexOptions.Compiled);

        public WordIdsCache Cache { get; } = new();
    }
}
