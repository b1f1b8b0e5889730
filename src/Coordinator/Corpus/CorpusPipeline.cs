using ModernBert.Coordinator.Planning;
using ModernBert.Documents;
using ModernBert.Inputs;
using ModernBert.Tasks;
using ModernBert.Tokenization;

namespace ModernBert.Coordinator.Corpus;

/// <summary>
/// The one chain through which every command (run, embed, classify, tokenize) reads its corpus: the objects in the
/// order given, each read in its format with the <c>Input:*</c> names (<see cref="CorpusReader"/>); an object that
/// cannot be read reported in place of its rest (<see cref="TolerantCorpusReader"/>); the second and later documents
/// with an id already seen rejected at their origin (<see cref="DuplicateIdFilter"/>); every record tokenized and
/// split into windows on several threads (<see cref="DocumentTokenizer"/>) and yielded in corpus order. A record
/// that yields no chunks comes with its <see cref="RejectedDocument"/>, the one report every command gives. Reading
/// the same objects again yields the same sequence, which resuming a run relies on. Memory is bounded by a few
/// tokenization batches per thread, whatever the corpus size. Each pass starts afresh: a duplicate is an id seen
/// earlier in the same pass.
/// </summary>
internal sealed class CorpusPipeline
{
    private const int MaxBatchDocuments = 128;
    private const long MaxBatchCost = 1 << 20;

    private readonly CorpusReader _reader;
    private readonly OrderedParallelSelector<InputRecord, TokenizedRecord> _tokenization;

    /// <param name="input">The field and column names of the corpus (<c>Input:*</c>).</param>
    /// <param name="windows">How documents longer than a window are split.</param>
    /// <param name="threads">How many threads tokenize.</param>
    /// <param name="keepJsonLines">Whether documents read from JSON Lines carry their line (see <see cref="InputDocument.JsonLine"/>).</param>
    /// <param name="accepted">The encodings the task reads (<see cref="IInferenceTask.Input"/>); records in others are rejected.</param>
    /// <param name="tokenization">How the task's documents are tokenized: prompt or prefix token, query shape, pairs, token spans (<see cref="TaskTokenization"/>); null: none.</param>
    /// <exception cref="ConfigurationException">The task's prefix token or [MASK] is not one token of the tokenizer.</exception>
    public CorpusPipeline(InputOptions input, ModernBertTokenizer tokenizer, DocumentWindows windows, int threads, bool keepJsonLines = false,
        InputEncodings accepted = InputEncodings.Text | InputEncodings.TokenIds, TaskTokenization? tokenization = null)
    {
        Input = input;
        _reader = new CorpusReader(input, keepJsonLines);
        DocumentTokenizer documents = new DocumentTokenizer(tokenizer, windows, accepted, tokenization);
        _tokenization = new OrderedParallelSelector<InputRecord, TokenizedRecord>(
            documents.Tokenize, DocumentTokenizer.CostOf, threads, MaxBatchDocuments, MaxBatchCost);
    }

    public InputOptions Input { get; }

    public IAsyncEnumerable<TokenizedRecord> ReadAsync(IReadOnlyList<CorpusObject> corpus, CancellationToken cancellationToken) =>
        TokenizeAsync(new TolerantCorpusReader(_reader).ReadAsync(corpus, cancellationToken), cancellationToken);

    /// <summary>The chain after reading, for records that come from elsewhere.</summary>
    public IAsyncEnumerable<TokenizedRecord> TokenizeAsync(IAsyncEnumerable<InputRecord> records, CancellationToken cancellationToken) =>
        _tokenization.SelectAsync(new DuplicateIdFilter().FilterAsync(records, cancellationToken), cancellationToken);
}
