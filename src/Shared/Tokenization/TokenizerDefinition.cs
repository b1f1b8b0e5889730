using ModernBert.Tokenization.Models;
using ModernBert.Tokenization.Normalizers;
using ModernBert.Tokenization.PostProcessors;
using ModernBert.Tokenization.PreTokenizers;

namespace ModernBert.Tokenization;

/// <summary>What a tokenizer.json describes, checked and ready to build a tokenizer from.</summary>
/// <param name="Model">The model (BPE, WordPiece, WordLevel or Unigram).</param>
/// <param name="Normalizer">The normalizer, if any.</param>
/// <param name="PreTokenizer">The pre-tokenizer, if any.</param>
/// <param name="PostProcessor">The post-processor, if any.</param>
/// <param name="AddedTokens">The added tokens (special and not), in file order.</param>
/// <param name="TokenStrings">Each id's token string (model vocabulary and added tokens), for offset trimming.</param>
/// <param name="ByteLevelBpe">
/// The vocabulary and merges when the file is today's ModernBERT kind (NFC or no normalizer, ByteLevel with
/// GPT-2's regex and no prefix space, byte-level BPE without byte fallback, prefixes or suffixes), whose ids
/// <see cref="ByteLevelBpeModel"/> gives at full speed; null otherwise.
/// </param>
internal sealed record TokenizerDefinition(
    ITokenizationModel Model,
    INormalizer? Normalizer,
    IPreTokenizer? PreTokenizer,
    IPostProcessor? PostProcessor,
    IReadOnlyList<AddedToken> AddedTokens,
    IReadOnlyDictionary<int, string> TokenStrings,
    ByteLevelBpeDefinition? ByteLevelBpe)
{
    /// <summary>
    /// The tokenizer with a Lowercase normalizer first, unless its normalizer is or holds one: what
    /// sentence-transformers' Transformer module does with do_lower_case (sentence_transformers/base/modules/transformer.py,
    /// <c>_has_lowercase</c>). The ids-only path of <see cref="ByteLevelBpe"/> normalizes by NFC alone, so it goes.
    /// </summary>
    public TokenizerDefinition Lowercased() => Normalizer switch
    {
        LowercaseNormalizer => this,
        SequenceNormalizer sequence when sequence.Normalizers.Any(normalizer => normalizer is LowercaseNormalizer) => this,
        SequenceNormalizer sequence => this with { Normalizer = new SequenceNormalizer([new LowercaseNormalizer(), .. sequence.Normalizers]), ByteLevelBpe = null },
        null => this with { Normalizer = new LowercaseNormalizer(), ByteLevelBpe = null },
        _ => this with { Normalizer = new SequenceNormalizer([new LowercaseNormalizer(), Normalizer]), ByteLevelBpe = null },
    };
}

/// <summary>A byte-level BPE model's vocabulary and merges, and whether its normalizer is NFC.</summary>
internal sealed record ByteLevelBpeDefinition(
    IReadOnlyDictionary<string, int> Vocabulary, IReadOnlyList<string> Merges, string? UnknownToken, bool FuseUnknownTokens, bool NormalizeToNfc);
