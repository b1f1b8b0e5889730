using System.Runtime.CompilerServices;
using ModernBert.Coordinator.Corpus;
using ModernBert.Documents;
using ModernBert.Inputs;
using ModernBert.Tasks;
using ModernBert.Tokenization;

namespace ModernBert.Coordinator.Planning;

/// <summary>
/// Plans a run: reads the corpus through the <see cref="CorpusPipeline"/> (bad records and duplicate ids reported,
/// documents tokenized on <see cref="PlanningOptions.TokenizerThreads"/> threads and split into windows) and packs
/// the chunks into jobs with a <see cref="GreedyPacker"/>. Every step keeps the corpus order, so planning the same
/// corpus again yields exactly the same items: the same jobs with the same ids, and the same rejections. Memory is
/// bounded by the look-ahead buffer and a few tokenization batches per thread, whatever the corpus size.
/// </summary>
public sealed class RunPlanner
{
    private readonly PlanningOptions _options;
    private readonly CorpusPipeline _corpus;

    /// <param name="maxSequenceTokens">
    /// The model's longest input (max_position_embeddings); windows hold at most this or a job's tokens, the fewer.
    /// </param>
    /// <param name="accepted">The encodings the run's task reads; records in others are rejected.</param>
    /// <param name="tokenization">How the run's documents are tokenized (see <see cref="CorpusPipeline"/>).</param>
    /// <exception cref="ConfigurationException">The options are invalid, or the window overlap leaves no room in a window.</exception>
    public RunPlanner(ModernBertTokenizer tokenizer, PlanningOptions options, InputOptions inputOptions, int maxSequenceTokens,
        InputEncodings accepted = InputEncodings.Text | InputEncodings.TokenIds, TaskTokenization? tokenization = null)
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
        _corpus = new CorpusPipeline(inputOptions, tokenizer,
            new DocumentWindows(windowTokens, options.WindowOverlap, tokenizer.ClsTokenId, tokenizer.SepTokenId), options.EffectiveTokenizerThreads,
            accepted: accepted, tokenization: tokenization);
        Statistics = new PlanningStatistics(options.JobTokens);
    }

    /// <summary>The counts of the current (or last) planning pass; each pass starts new ones.</summary>
    public PlanningStatistics Statistics { get; private set; }

    /// <summary>Plans the corpus's objects, in the order given (see <see cref="CorpusResolver"/>).</summary>
    public IAsyncEnumerable<PlannedItem> PlanAsync(IReadOnlyList<CorpusObject> corpus, CancellationToken cancellationToken) =>
        PackAsync(_corpus.ReadAsync(corpus, cancellationToken), cancellationToken);

    /// <summary>The corpus's documents, tokenized and windowed as the plan reads them, before packing.</summary>
    internal IAsyncEnumerable<TokenizedRecord> ReadAsync(IReadOnlyList<CorpusObject> corpus, CancellationToken cancellationToken) =>
        _corpus.ReadAsync(corpus, cancellationToken);

    /// <summary>Plans a stream of records read elsewhere, through the rest of the chain.</summary>
    public IAsyncEnumerable<PlannedItem> PlanAsync(IAsyncEnumerable<InputRecord> records, CancellationToken cancellationToken) =>
        PackAsync(_corpus.TokenizeAsync(records, cancellationToken), cancellationToken);

    /// <summary>
    /// Yields each rejected record (malformed, duplicate id, ids outside the vocabulary, text that cannot be
    /// tokenized) when it is reached, and each job as soon as the packer fills it.
    /// </summary>
    private async IAsyncEnumerable<PlannedItem> PackAsync(IAsyncEnumerable<TokenizedRecord> records,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var statistics = new PlanningStatistics(_options.JobTokens);
        Statistics = statistics;
        var packer = new GreedyPacker(_options.JobTokens, _options.LookAheadChunks, _options.LookAheadTokens);
        await foreach (TokenizedRecord record in records.WithCancellation(cancellationToken))
        {
            if (record.Rejection is { } rejection)
            {
                statistics.CountRejected(rejection.RestUnread);
                yield return rejection;
                continue;
            }
            DocumentChunk[] chunks = record.Chunks!;
            statistics.CountAccepted(chunks.Length);
            foreach (DocumentChunk chunk in chunks)
            {
                foreach (PackedJob job in packer.Add(chunk))
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
