using ModernBert.Coordinator.Corpus;
using ModernBert.Documents;
using ModernBert.Inference;
using ModernBert.Inputs;
using ModernBert.Tasks;
using ModernBert.Tasks.Classify;
using ModernBert.Tests.Common;
using ModernBert.Tests.Modeling;
using ModernBert.Tests.Tokenization;
using ModernBert.Tokenization;
using TorchSharp;
using static TorchSharp.torch;

namespace ModernBert.Tests.Tasks;

/// <summary>
/// Sequence classification of pairs (<c>--pairs</c>) with checkpoints written by the test (<see cref="ClassifierCheckpoint"/>:
/// a reranker with one logit and mean pooling, an NLI classifier with three labels and [CLS] pooling), held to the head
/// computed in double precision from the fixture's reference hidden states.
/// <para>
/// The fixture holds hidden states for ten sequences <c>[CLS] x [SEP]</c>, none with an inner [SEP], so none is the
/// encoding of a text pair, and no pair's hidden states follow from them (attention mixes every token of a sequence).
/// What a pair adds to a sequence is its type ids, and ModernBERT has no token type embeddings (transformers'
/// ModernBertForSequenceClassification.forward takes no token_type_ids): the encoder reads a pair as its ids alone. So
/// the pair task's model is given the reference sequences as chunks (the pair path refuses them as pre-tokenized
/// pairs, having one [SEP]: PairAndSpanDocumentsTests holds that it takes a real pair's ids as given), and their logits
/// must equal the reference head's. Real text pairs are then held to the same: their logits equal those of Hugging
/// Face's pair encoding of the same texts (npm tokenizers) read as single pre-tokenized documents.
/// </para>
/// </summary>
public sealed class PairClassificationLogitsTests : IDisposable
{
    private const double Tolerance = 1e-4;
    private readonly TemporaryFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    public static readonly TheoryData<string, string> Heads = new()
    {
        { "reranker", "mean" },
        { "nli", "cls" },
    };

    [Theory]
    [MemberData(nameof(Heads))]
    public void PairLogitsEqualTheHeadComputedFromTheReferenceHiddenStates(string kind, string pooling)
    {
        string[] labels = Labels(kind);
        ClassifierWeights classifier = WriteCheckpoint(labels, pooling);
        ReferenceOutputs reference = ReferenceOutputs.Load();
        ConfiguredTask task = ClassifyTask.Instance.Configure(new ClassifyOptions(Pairs: true));
        DocumentChunk[] chunks = [.. Enumerable.Range(0, ReferenceOutputs.Count).Select(k =>
            new DocumentChunk($"seq{k}", 0, 0, reference.InputIds[k].Length, reference.InputIds[k]))];

        ClassificationRow[] rows = Classify(task, chunks);

        PredictionHeadReference head = PredictionHeadReference.Read();
        for (int k = 0; k < ReferenceOutputs.Count; k++)
        {
            float[,] hidden = reference.Hidden[k];
            double[] logits = head.Logits(Pool(hidden, pooling), classifier);
            double[] scores = labels.Length == 1 ? [1 / (1 + Math.Exp(-logits[0]))] : PredictionHeadReference.Softmax(logits);
            int top = Array.IndexOf(scores, scores.Max());
            ClassificationRow row = rows[k];
            Assert.Equal(($"seq{k}", 0, 0, reference.InputIds[k].Length), (row.Id, row.Chunk, row.TokenStart, row.TokenEnd));
            Assert.Equal(labels[top], row.Label);
            Assert.True(Math.Abs(logits[top] - row.Logit) <= Tolerance, $"{kind} sequence {k}: logit {row.Logit} vs {logits[top]}");
            Assert.Equal(scores.Length, row.Scores.Length);
            for (int l = 0; l < scores.Length; l++)
                Assert.True(Math.Abs(scores[l] - row.Scores[l]) <= Tolerance, $"{kind} sequence {k} label {l}: score {row.Scores[l]} vs {scores[l]}");
            Assert.Equal(row.Scores[top], row.Score);
        }
    }

    [Fact]
    public async Task TextPairsLogitsEqualThoseOfHuggingFacesPairEncodingReadAsSingleDocuments()
    {
        string[] labels = Labels("nli");
        WriteCheckpoint(labels, "cls");
        (string, string)[] pairs =
        [
            ("A man inspects the uniform of a figure in some East Asian country.", "The man is sleeping."),
            ("Ein Mann schläft.", "A man sleeps; él duerme."),
            ("", "An empty premise."),
            ("Short.", string.Join(' ', Enumerable.Repeat("a much longer hypothesis", 40))),
        ];
        string tokenizerFile = Path.Combine(_folder.Path, ModernBertTokenizer.TokenizerFileName);
        HuggingFaceEncoding[] encodings = await HuggingFaceEncodings.EncodeAsync([.. pairs.Select(pair => new EncodeRequest(tokenizerFile, pair.Item1, pair.Item2))]);
        ConfiguredTask pairTask = ClassifyTask.Instance.Configure(new ClassifyOptions(Pairs: true));
        ConfiguredTask singleTask = ClassifyTask.Instance.Configure(new ClassifyOptions());

        ClassificationRow[] fromTexts = Classify(pairTask, [.. pairs.Select((pair, i) => Assert.Single(PairTokenizer(pairTask)
            .Tokenize(new InputDocument($"p{i}", pair.Item1, null, $"pairs.jsonl:{i + 1}") { TextPair = pair.Item2 }).Chunks!))]);
        ClassificationRow[] fromIds = Classify(singleTask, [.. encodings.Select((encoding, i) => new DocumentChunk($"p{i}", 0, 0, encoding.Ids!.Length, encoding.Ids))]);

        for (int i = 0; i < pairs.Length; i++)
        {
            Assert.Equal(fromIds[i].Label, fromTexts[i].Label);
            Assert.True(Math.Abs(fromIds[i].Logit - fromTexts[i].Logit) <= 1e-5, $"pair {i}: {fromTexts[i].Logit} vs {fromIds[i].Logit}");
            Assert.All(fromIds[i].Scores.Zip(fromTexts[i].Scores), scores => Assert.True(Math.Abs(scores.First - scores.Second) <= 1e-5));
        }
    }

    private static string[] Labels(string kind) => kind == "reranker" ? ["LABEL_0"] : ["entailment", "neutral", "contradiction"];

    private ClassifierWeights WriteCheckpoint(string[] labels, string pooling) =>
        ClassifierCheckpoint.Write(_folder.Path, "ModernBertForSequenceClassification", labels, seed: 21,
            config => config with { ClassifierPooling = pooling });

    private DocumentTokenizer PairTokenizer(ConfiguredTask task)
    {
        ModernBertTokenizer tokenizer = ModernBertTokenizer.Load(_folder.Path);
        return new DocumentTokenizer(tokenizer, new DocumentWindows(8192, 0, tokenizer.ClsTokenId, tokenizer.SepTokenId), task.Task.Input, task.Tokenization);
    }

    private ClassificationRow[] Classify(ConfiguredTask task, DocumentChunk[] chunks)
    {
        using IInferenceModel model = task.Load(ModelFolder.Open(_folder.Path), new InferenceSettings(torch.CPU, ScalarType.Float32), null,
            TestContext.Current.CancellationToken);
        using IPendingRows pending = model.Start(chunks);
        return [.. pending.Complete().Cast<ClassificationRow>()];
    }

    /// <summary>transformers' classifier_pooling: the [CLS] token's hidden state, or the mean over every token (no padding here).</summary>
    private static double[] Pool(float[,] hidden, string pooling)
    {
        int length = hidden.GetLength(0), size = hidden.GetLength(1);
        return pooling == "cls"
            ? [.. Enumerable.Range(0, size).Select(i => (double)hidden[0, i])]
            : [.. Enumerable.Range(0, size).Select(i => Enumerable.Range(0, length).Sum(t => (double)hidden[t, i]) / length)];
    }
}
