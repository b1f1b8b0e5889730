using System.Runtime.CompilerServices;
using ModernBert.Documents;
using ModernBert.Inputs;
using ModernBert.Tokenization;

namespace ModernBert.Coordinator.Planning;

/// <summary>
/// Plans a run: reads the corpus, reports duplicate ids and bad records, tokenizes on
/// <see cref="PlanningOptions.TokenizerThreads"/> threads, splits long documents into windows and packs the chunks
/// into jobs with a <see cref="GreedyPacker"/>. Every step keeps the corpus order, so planning the same corpus again
/// yields exactly the same items: the same jobs with the same ids, and the same rejections. Memory is bounded by the
/// look-ahead buffer and a few tokenization batches per thread, whatever the corpus size.
/// </summary>
public sealed class RunPlanner
{
    private const int MaxBatchDocuments = 128;
    private const long MaxBatchCost = 1 << 20;

    private readonly PlanningOptions _options;
    private readonly InputOptions _inputOptions;
    private readonly OrderedParallelSelector<InputRecord, TokenizedRecord> _tokenization;

    /// <param name="maxSequenceTokens">
    /// The model's longest input (max_position_embeddings); windows hold at most this or a job's tokens, the fewer.
    /// </param>
    /// <exception cref="ConfigurationException">The options are invalid, or the window overlap leaves no room in a window.</exception>
    public RunPlanner(ModernBertTokenizer tokenizer, PlanningOptions options, InputOptions inputOptions, int maxSequenceTokens)
    {
        ArgumentNullException.ThrowIfNull(tokenizer);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxSequenceTokens, 3);
        options.Validate();
        int windowTokens = Math.Min(options.JobTokens, maxSequenceTokens);
        if (options.WindowOverlap >= windowTokens - 2)
            throw new ConfigurationException(
                $"{PlanningOptions.SectionName}:{nameof(PlanningOptions.WindowOverlap)} is {options.WindowOverlap}; it must be below " +
                $"{windowTokens - 2}, the document tokens of a window of {windowTokens} tokens.");
        _options = options;
        _inputOptions = inputOptions;
        var documents = new DocumentTokenizer(tokenizer,
            new DocumentWindows(windowTokens, options.WindowOverlap, tokenizer.ClsTokenId, tokenizer.SepTokenId));
        _tokenization = new OrderedParallelSelector<InputRecord, TokenizedRecord>(
            documents.Tokenize, DocumentTokenizer.CostOf, options.EffectiveTokenizerThreads, MaxBatchDocuments, MaxBatchCost);
        Statistics = new PlanningStatistics(options.JobTokens);
    }

    /// <summary>The counts of the current (or last) planning pass; each pass starts new ones.</summary>
    public PlanningStatistics Statistics { get; private set; }

    /// <summary>Plans the corpus's objects, in the order given (see <see cref="CorpusResolver"/>).</summary>
    public IAsyncEnumerable<PlannedItem> PlanAsync(IReadOnlyList<CorpusObject> corpus, CancellationToken cancellationToken) =>
        PlanAsync(new TolerantCorpusReader(new CorpusReader(_inputOptions)).ReadAsync(corpus, cancellationToken), cancellationToken);

    /// <summary>
    /// Plans a stream of records: yields each rejected record (malformed, duplicate id, ids outside the vocabulary,
    /// text that cannot be tokenized) when it is reached, and each job as soon as the packer fills it.
    /// </summary>
    public async IAsyncEnumerable<PlannedItem> PlanAsync(IAsyncEnumerable<InputRecord> records,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var statistics = new PlanningStatistics(_options.JobTokens);
        Statistics = statistics;
        var packer = new GreedyPacker(_options.JobTokens, _options.LookAheadChunks);
        IAsyncEnumerable<InputRecord> unique = new DuplicateIdFilter().FilterAsync(records, cancellationToken);
        await foreach (TokenizedRecord record in _tokenization.SelectAsync(unique, cancellationToken))
        {
            if (record.Rejection is { } rejection)
            {
                statistics.CountRejected();
                yield return rejection;
                continue;
            }
            DocumentChunk[] chunks = record.Chunks!;
            statistics.CountAccepted(chunks.Length);
            foreach (DocumentChunk chunk in chunks)
            {
                if (packer.Add(chunk) is { } job)
                {
                    statistics.CountJob(job);
                    yield return job;
                }
            }
        }
        foreach (PackedJob job in packer.Flush())
        {
            statistics.CountJob(job);
            yield return job;
        }
    }
}
