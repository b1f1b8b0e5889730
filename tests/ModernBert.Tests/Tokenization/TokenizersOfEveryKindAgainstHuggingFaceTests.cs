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
        "wordlevel-split-mergedwithnext", "wordlevel-split-contiguous", "wordlevel-split-regex-semantics", "bpe-scripts-no-template", "unigram-metaspace-first",
        "unigram-metaspace-never-nosplit", "sentencepiece-unigram-always", "sentencepiece-unigram-first",
    ];

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task EncodesAsHuggingFace(string kind)
    {
        (string file, ModernBertTokenizer tokenizer) = await LoadAsync(kind);
        IReadOnlyList<string> texts =
        [
            .. MultilingualTexts.All, "<s>a [MASK] b [CLS] <mask> c </s> <bos>x<eos>", "  [MASK]  <mask>  ",
            "First line\nsecond\tline\n\nthird  line\r\n", // controls that normalizers map one for one
            // Compatibility mappings behind canonical ones (U+2000 is U+2002, a space); code points no version assigns,
            // which BERT's cleaning keeps; letters that are symbols yet Alphabetic, so \w for Whitespace.
            "quad\u2000space\u2001s \u0385 \u1E9B\u1FC1, a\uFDD0b \u0378c, \u24B6\u24D1c \U0001F130\U0001F150\U0001F170 x\U0001F189y",
            // Characters whose class differs between today's Unicode and the tables of tokenizers' crates (8.0, 9.0).
            "a\u061Db a\u166Db a\u0890b a\u0898b e\u089F \u2E43x\u2E5D \uA9BD\u1734 \u1885 \uFF70\U0001CF10 \U000111C9",
            // Digits outside the BMP (Osmanya, mathematical), astral characters after 'x' and 'e', spaces around lines.
            "  a\U000104A0b x\U0001D7CE1 x\U0001F600y e\U0001F600e  \n  next line  \n\tlast ",
        ];
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
                requests.Add(new EncodeRequest(file, texts[i], pair, true, maxLength, strategy));
            }
        }

        await HuggingFaceEncodings.AssertSameAsync(requests, _ => tokenizer);
        // A .NET string can hold what no UTF-8 text can: refused by every path, naming where.
        foreach (string invalid in new[] { "ab\uD83Dcd", "\uDC00", "x\uD83D" })
        {
            Assert.Contains("unpaired surrogate at index", Assert.Throws<ArgumentException>(() => tokenizer.Encode(invalid)).Message, StringComparison.Ordinal);
            Assert.Throws<ArgumentException>(() => tokenizer.Encode("ok", invalid));
        }
    }

    /// <summary>
    /// The ids alone, as the corpus pipeline takes them (<see cref="ModernBertTokenizer.Encode(string)"/>, and
    /// <see cref="ModernBertTokenizer.EncodeWithoutSpecialTokens"/> for prompts): a path of their own, without offsets,
    /// with pieces too long for the models' caches (a text the pre-tokenizer leaves whole) and pieces met again.
    /// </summary>
    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task EncodesIdsAloneAsHuggingFace(string kind)
    {
        (string file, ModernBertTokenizer tokenizer) = await LoadAsync(kind);
        string document = string.Join(" ", MultilingualTexts.All);
        IReadOnlyList<string> texts =
        [
            .. MultilingualTexts.All, document, string.Join("\n\n", Enumerable.Repeat(document, 3)),
            "<s>a [MASK] b [CLS] <mask> c </s> <bos>x<eos> " + document,
        ];
        EncodeRequest[] requests = [.. texts.SelectMany(text => new[] { new EncodeRequest(file, text), new EncodeRequest(file, text, AddSpecialTokens: false) })];
        HuggingFaceEncoding[] expected = await HuggingFaceEncodings.EncodeAsync(requests);
        for (int i = 0; i < texts.Count; i++)
        {
            Assert.Equal(expected[2 * i].Ids, tokenizer.Encode(texts[i]));
            Assert.Equal(expected[2 * i + 1].Ids, tokenizer.EncodeWithoutSpecialTokens(texts[i]));
        }
    }

    /// <summary>The tokenizer.json of a kind and the tokenizer loaded from its folder.</summary>
    private async Task<(string File, ModernBertTokenizer Tokenizer)> LoadAsync(string kind)
    {
        string folder = Path.Combine(await built.FolderAsync(), kind);
        return (Path.Combine(folder, ModernBertTokenizer.TokenizerFileName), ModernBertTokenizer.Load(folder));
    }
}
