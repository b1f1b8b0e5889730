using ModernBert.Coordinator.Corpus;
using ModernBert.Coordinator.Planning;
using ModernBert.Documents;
using ModernBert.Inputs;
using ModernBert.Tests.Common;
using ModernBert.Tests.Tokenization;
using ModernBert.Tasks;
using ModernBert.Tokenization;

namespace ModernBert.Tests.Planning;

/// <summary>Pairs and token spans through <see cref="DocumentTokenizer"/>, held to Hugging Face tokenizers (npm) where it encodes.</summary>
public sealed class PairAndSpanDocumentsTests
{
    private const string Origin = "pairs.jsonl:7";
    private const string Query = "What is the capital of France?";
    private const string Passage = "Paris is the capital and largest city of France, on the Seine; Lyon and Marseille follow.";

    private static string TokenizerFile => Path.Combine(Fixtures.Require("tokenizer"), "tokenizer.json");

    [Theory]
    [InlineData("LongestFirst", 12, false)]
    [InlineData("OnlyFirst", 16, true)]
    [InlineData("OnlySecond", 14, false)]
    [InlineData("LongestFirst", 512, false)]
    public async Task APairIsEncodedAndTruncatedAsHuggingFaceDoes(string strategy, int windowTokens, bool passageFirst)
    {
        (string first, string second) = passageFirst ? (Passage, Query) : (Query, Passage);
        ModernBertTokenizer tokenizer = ReferenceTokenizer.Load();
        var encoding = new TaskTokenization(Pairs: new PairEncoding(Enum.Parse<TruncationStrategy>(strategy)));

        DocumentChunk chunk = Assert.Single(Tokenizer(tokenizer, windowTokens, encoding).Tokenize(Pair("q1", first, second)).Chunks!);

        HuggingFaceEncoding expected = Assert.Single(await HuggingFaceEncodings.EncodeAsync(
            [new EncodeRequest(TokenizerFile, first, second, MaxLength: windowTokens, Strategy: strategy)]));
        Assert.Null(expected.Error);
        Assert.Equal(expected.Ids, chunk.InputIds);
        Assert.Equal((0, expected.SequenceIds!.Count(sequence => sequence == 1)), (chunk.TokenStart, chunk.TokenEnd));
    }

    [Fact]
    public async Task WindowedPairsRepeatTheFirstTextAroundWindowsOfTheSecond()
    {
        ModernBertTokenizer tokenizer = ReferenceTokenizer.Load();
        const int windowTokens = 20, overlap = 3;
        var windows = new DocumentWindows(windowTokens, overlap, tokenizer.ClsTokenId, tokenizer.SepTokenId);
        var documents = new DocumentTokenizer(tokenizer, windows, tokenization: new TaskTokenization(Pairs: new PairEncoding(Overflow: PairOverflow.Window)));

        DocumentChunk[] chunks = documents.Tokenize(Pair("q1", Query, Passage)).Chunks!;

        // Hugging Face's whole pair: [CLS] query [SEP] passage [SEP]; each window holds the query and a run of the passage.
        HuggingFaceEncoding whole = Assert.Single(await HuggingFaceEncodings.EncodeAsync([new EncodeRequest(TokenizerFile, Query, Passage)]));
        int[] ids = whole.Ids!;
        int firstEnd = Array.IndexOf(whole.SequenceIds!, 1);
        int[] head = ids[..firstEnd];
        int[] second = [.. ids.Where((_, i) => whole.SequenceIds![i] == 1)];
        int room = windowTokens - head.Length - 1;
        Assert.True(chunks.Length > 2, $"{second.Length} passage tokens gave {chunks.Length} windows.");
        for (int k = 0; k < chunks.Length; k++)
        {
            int start = k * (room - overlap), end = Math.Min(start + room, second.Length);
            Assert.Equal(("q1", k, start, end), (chunks[k].Id, chunks[k].Chunk, chunks[k].TokenStart, chunks[k].TokenEnd));
            Assert.Equal([.. head, .. second[start..end], tokenizer.SepTokenId], chunks[k].InputIds);
            Assert.True(chunks[k].InputIds.Length <= windowTokens);
        }
        Assert.Equal(second.Length, chunks[^1].TokenEnd);
    }

    [Fact]
    public void APairFittingTheWindowIsOneChunkInWindowMode()
    {
        ModernBertTokenizer tokenizer = ReferenceTokenizer.Load();
        var documents = Tokenizer(tokenizer, 512, new TaskTokenization(Pairs: new PairEncoding(Overflow: PairOverflow.Window)));

        DocumentChunk chunk = Assert.Single(documents.Tokenize(Pair("q1", Query, Passage)).Chunks!);

        Assert.Equal(tokenizer.Encode(Query, Passage).Ids, chunk.InputIds);
    }

    [Theory]
    [InlineData(Query, null, "a pair needs two texts, and the record has only its first")]
    [InlineData(null, Passage, "a pair needs two texts, and the record has only its second")]
    public void ARecordWithOneTextOfAPairIsRejectedAtItsOrigin(string? text, string? pair, string reason)
    {
        var documents = Tokenizer(ReferenceTokenizer.Load(), 512, new TaskTokenization(Pairs: new PairEncoding()));

        TokenizedRecord record = documents.Tokenize(new InputDocument("half", text, null, Origin) { TextPair = pair });

        Assert.Null(record.Chunks);
        Assert.Equal(new RejectedDocument("half", Origin, reason), record.Rejection);
    }

    [Fact]
    public void ASecondTextIsRejectedByATaskOfSingleTexts()
    {
        TokenizedRecord record = Tokenizer(ReferenceTokenizer.Load(), 512, TaskTokenization.Default).Tokenize(Pair("p", Query, Passage));

        Assert.Equal(new RejectedDocument("p", Origin, "the record has a second text, and the task takes single texts"), record.Rejection);
    }

    [Fact]
    public void APreTokenizedPairIsTakenAsGivenWhenItFitsAndRejectedWhenItDoesNot()
    {
        ModernBertTokenizer tokenizer = ReferenceTokenizer.Load();
        int[] ids = tokenizer.Encode(Query, Passage).Ids;
        var encoding = new TaskTokenization(Pairs: new PairEncoding(Overflow: PairOverflow.Window));

        DocumentChunk chunk = Assert.Single(Tokenizer(tokenizer, 512, encoding).Tokenize(new InputDocument("ids", null, ids, Origin)).Chunks!);
        TokenizedRecord tooLong = Tokenizer(tokenizer, ids.Length - 1, encoding).Tokenize(new InputDocument("long", null, ids, Origin));

        Assert.Equal(ids, chunk.InputIds);
        Assert.Null(tooLong.Chunks);
        Assert.StartsWith($"the pre-tokenized pair has {ids.Length} tokens, more than the model's window of {ids.Length - 1}", tooLong.Rejection!.Reason);
    }

    [Fact]
    public void PreTokenizedIdsOfOneTextAreNoPair()
    {
        ModernBertTokenizer tokenizer = ReferenceTokenizer.Load();
        int[] single = tokenizer.Encode(Query);

        TokenizedRecord record = Tokenizer(tokenizer, 512, new TaskTokenization(Pairs: new PairEncoding()))
            .Tokenize(new InputDocument("one", null, single, Origin));

        Assert.Null(record.Chunks);
        Assert.Equal(new RejectedDocument("one", Origin,
            "the pre-tokenized ids hold fewer [SEP] than the tokenizer's pair template (2): they are one text, not a pair"), record.Rejection);
    }

    [Fact]
    public void ChunksCarryTheirTokensSpansInTheDocumentAndWhetherEachContinuesAWord()
    {
        ModernBertTokenizer tokenizer = ReferenceTokenizer.Load();
        const string text = "Hello world, Dupontification";

        DocumentChunk chunk = Assert.Single(Tokenizer(tokenizer, 512, new TaskTokenization(Alignments: true))
            .Tokenize(new InputDocument("d", text, null, Origin)).Chunks!);

        TokenEncoding encoding = tokenizer.Encode(text, null);
        TokenAlignment alignment = chunk.Alignment!;
        Assert.Equal(encoding.Ids, chunk.InputIds);
        Assert.Equal(encoding.Offsets.SelectMany(offset => new[] { offset.Start, offset.End }), alignment.Offsets);
        Assert.Equal((1, encoding.Length - 1), (alignment.DecidedStart, alignment.DecidedEnd));
        // "Hello" starts the text, " world" has a space at its start, "," follows "d" directly: a subword by the
        // pipeline's heuristic; [CLS] and [SEP] never are.
        Assert.Equal([0, 5], alignment.Offsets[2..4]);
        Assert.False(alignment.Subword[1]);
        Assert.Equal([5, 11], alignment.Offsets[4..6]);
        Assert.False(alignment.Subword[2]);
        Assert.Equal([11, 12], alignment.Offsets[6..8]);
        Assert.True(alignment.Subword[3]);
        Assert.False(alignment.Subword[0]);
        Assert.False(alignment.Subword[^1]);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(4)]
    [InlineData(5)]
    public void WindowsOfALongTextDecideEachTokenOnceWithSpansInTheDocument_HandingOverAtWordStarts(int overlap)
    {
        ModernBertTokenizer tokenizer = ReferenceTokenizer.Load();
        // Words of several tokens ("Dupontification", "word17"), so that a fixed cut would fall inside some.
        string text = string.Join(' ', Enumerable.Range(0, 50).Select(i => i % 3 == 0 ? $"Dupontification{i}" : $"word{i}"));
        const int windowTokens = 16;
        var windows = new DocumentWindows(windowTokens, overlap, tokenizer.ClsTokenId, tokenizer.SepTokenId);

        DocumentChunk[] chunks = new DocumentTokenizer(tokenizer, windows, tokenization: new TaskTokenization(Alignments: true))
            .Tokenize(new InputDocument("long", text, null, Origin)).Chunks!;

        TokenEncoding encoding = tokenizer.Encode(text, null);
        bool[] subword = AlignedDocuments.Subwords(text, encoding);
        Assert.Contains(Enumerable.Range(1, 40), token => Enumerable.Range(token, 3).All(t => subword[t]));
        var decided = new List<int>();
        foreach (DocumentChunk chunk in chunks)
        {
            TokenAlignment alignment = chunk.Alignment!;
            Assert.InRange(chunk.InputIds.Length, 3, windowTokens);
            Assert.Equal(chunk.TokenEnd - chunk.TokenStart + 2, chunk.InputIds.Length);
            if (chunk.Chunk > 0)
            {
                // The previous window hands over at a word start where the tokens both windows hold (or, where they only
                // meet, the previous window's second half) have one.
                DocumentChunk previous = chunks[chunk.Chunk - 1];
                int from = overlap == 0 ? previous.TokenStart + (windowTokens - 2) / 2 : chunk.TokenStart;
                if (Enumerable.Range(from, previous.TokenEnd - from + 1).Any(token => !subword[1 + token]))
                    Assert.False(subword[chunk.TokenStart + alignment.DecidedStart], $"window {chunk.Chunk} decides from inside a word");
                if (overlap == 0)
                    Assert.Equal(chunks[chunk.Chunk - 1].TokenEnd, chunk.TokenStart);
                else
                    Assert.Equal(chunks[chunk.Chunk - 1].TokenEnd - overlap, chunk.TokenStart);
            }
            for (int i = alignment.DecidedStart; i < alignment.DecidedEnd; i++)
            {
                int token = 1 + chunk.TokenStart + i - 1;
                decided.Add(token);
                Assert.Equal(encoding.Ids[token], chunk.InputIds[i]);
                Assert.Equal((encoding.Offsets[token].Start, encoding.Offsets[token].End), (alignment.Offsets[2 * i], alignment.Offsets[2 * i + 1]));
                Assert.Equal(subword[token], alignment.Subword[i]);
            }
        }
        Assert.True(chunks.Length > 3);
        Assert.Equal(Enumerable.Range(1, encoding.Length - 2), decided);
    }

    [Fact]
    public void ATextWithoutSpacesIsCutIntoFullWindows()
    {
        ModernBertTokenizer tokenizer = ReferenceTokenizer.Load();
        // One word to the pipeline's heuristic: its only word starts are the tokens of its first character.
        string text = string.Concat(Enumerable.Repeat("東京は日本の首都です。", 20));
        const int windowTokens = 16;
        var windows = new DocumentWindows(windowTokens, 0, tokenizer.ClsTokenId, tokenizer.SepTokenId);

        DocumentChunk[] chunks = new DocumentTokenizer(tokenizer, windows, tokenization: new TaskTokenization(Alignments: true))
            .Tokenize(new InputDocument("ja", text, null, Origin)).Chunks!;

        Assert.All(chunks[..^1], chunk => Assert.Equal(windowTokens, chunk.InputIds.Length));
        Assert.Equal(tokenizer.Encode(text, null).Length - 2, chunks[^1].TokenEnd);
    }

    private static InputDocument Pair(string id, string? text, string? pair) => new(id, text, null, Origin) { TextPair = pair };

    private static DocumentTokenizer Tokenizer(ModernBertTokenizer tokenizer, int windowTokens, TaskTokenization tokenization) =>
        new(tokenizer, new DocumentWindows(windowTokens, 0, tokenizer.ClsTokenId, tokenizer.SepTokenId), tokenization: tokenization);
}
