using ModernBert.Tests.Common;
using ModernBert.Tokenization;

namespace ModernBert.Tests.Tokenization;

/// <summary>
/// Holds <see cref="ModernBertTokenizer"/> to Hugging Face tokenizers on tokenizers of every kind that
/// tests/tools/hf-build-tokenizers.mjs builds and trains with the npm package (byte-level BPE as RoBERTa has it,
/// Gemma's BPE with byte fallback, BERT's WordPiece, WordLevel with every Split behaviour, Unigram trained by
/// tokenizers and by SentencePiece with its Precompiled charsmap): ids, type ids, offsets and sequence ids of single
/// texts and pairs in many scripts, with and without special tokens and truncation. Every id of every case.
/// </summary>
public sealed class TokenizersOfEveryKindAgainstHuggingFaceTests(HuggingFaceBuiltTokenizers built) : IClassFixture<HuggingFaceBuiltTokenizers>
{
    public static readonly TheoryData<string> Kinds =
    [
        "bytelevel-roberta", "bytelevel-noregex-nfkc", "gemma-bpe", "gemma-bpe-256k", "wordpiece-bert", "wordpiece-cased",
        "wordlevel-whitespace", "wordlevel-split-removed", "wordlevel-split-isolated", "wordlevel-split-mergedwithprevious",
        "wordlevel-split-mergedwithnext", "wordlevel-split-contiguous", "bpe-scripts-no-template", "unigram-metaspace-first",
        "unigram-metaspace-never-nosplit", "sentencepiece-unigram-always", "sentencepiece-unigram-first",
    ];

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task EncodesAsHuggingFace(string kind)
    {
        string folder = Path.Combine(await built.FolderAsync(), kind);
        string file = Path.Combine(folder, ModernBertTokenizer.TokenizerFileName);
        ModernBertTokenizer tokenizer = ModernBertTokenizer.Load(folder);
        IReadOnlyList<string> texts = [.. MultilingualTexts.All, "<s>a [MASK] b [CLS] <mask> c </s> <bos>x<eos>", "  [MASK]  <mask>  "];
        var requests = new List<EncodeRequest>();
        for (int i = 0; i < texts.Count; i++)
        {
            string pair = texts[(i * 7 + 3) % texts.Count];
            requests.Add(new EncodeRequest(file, texts[i]));
            requests.Add(new EncodeRequest(file, texts[i], AddSpecialTokens: false));
            requests.Add(new EncodeRequest(file, texts[i], pair));
            requests.Add(new EncodeRequest(file, texts[i], pair, AddSpecialTokens: false));
            foreach ((int maxLength, string strategy) in new[] { (7, "LongestFirst"), (16, "OnlyFirst"), (12, "OnlySecond"), (40, "LongestFirst") })
            {
                requests.Add(new EncodeRequest(file, texts[i], null, true, maxLength, "LongestFirst"));
                var request = new EncodeRequest(file, texts[i], pair, true, maxLength, strategy);
                if (HuggingFaceEncodings.FollowsTruncationRs(tokenizer, request))
                    requests.Add(request);
            }
        }

        await HuggingFaceEncodings.AssertSameAsync(requests, _ => tokenizer);
        foreach (string text in texts)
            Assert.Equal(tokenizer.Encode(text, null).Ids, tokenizer.Encode(text));
        // A .NET string can hold what no UTF-8 text can: refused by every path, naming where.
        foreach (string invalid in new[] { "ab\uD83Dcd", "\uDC00", "x\uD83D" })
        {
            Assert.Contains("unpaired surrogate at index", Assert.Throws<ArgumentException>(() => tokenizer.Encode(invalid)).Message, StringComparison.Ordinal);
            Assert.Throws<ArgumentException>(() => tokenizer.Encode("ok", invalid));
        }
    }
}
