using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using ModernBert.Documents;
using ModernBert.Outputs;

namespace ModernBert.Inference;

/// <summary>
/// Runs any number of chunks through a model in batches of at most <see cref="BatchTokens"/> tokens, packed in
/// input order (a chunk longer than the budget runs alone). Each batch is queued on the device before the previous
/// one's results are read, so the device computes one while the host prepares the next. A batch that runs out of
/// device memory is halved and the halves retried, down to single chunks; a chunk that does not fit even alone
/// fails, the others go on.
/// </summary>
/// <remarks>
/// Batches are queued in the device's turn, which every runner over one model shares, and read outside it: while one
/// caller waits for its results, another can queue its batch behind them.
/// </remarks>
public sealed class InferenceRunner
{
    private readonly IInferenceModel _model;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _deviceTurn;

    /// <param name="deviceTurn">Held while a batch is queued; shared by every runner over the model. Null: this runner's own.</param>
    public InferenceRunner(IInferenceModel model, int batchTokens, ILogger? logger = null, SemaphoreSlim? deviceTurn = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batchTokens, 1);
        _model = model;
        BatchTokens = batchTokens;
        _logger = logger ?? NullLogger.Instance;
        _deviceTurn = deviceTurn ?? new SemaphoreSlim(1, 1);
    }

    /// <summary>The most tokens one forward pass takes, unless a single chunk is longer.</summary>
    public int BatchTokens { get; }

    /// <summary>
    /// One result per chunk, in the order of <paramref name="chunks"/>: its row, or why it failed (the model's
    /// <see cref="IInferenceModel.Validate"/> rejected it, or it ran out of memory alone). Errors other than out of
    /// memory propagate. Cancellation is checked before each forward pass.
    /// </summary>
    public IReadOnlyList<ChunkResult> Run(IReadOnlyList<DocumentChunk> chunks, CancellationToken cancellationToken = default)
    {
        var results = new ChunkResult[chunks.Count];
        var queued = new Queue<QueuedBatch>();
        try
        {
            foreach (int[] batch in Batches(chunks, results))
            {
                Queue(chunks, batch, results, queued, cancellationToken);
                while (queued.Count > 1)
                    Complete(queued.Dequeue(), results);
            }
            while (queued.Count > 0)
                Complete(queued.Dequeue(), results);
        }
        finally
        {
            foreach (QueuedBatch batch in queued)
                batch.Rows.Dispose();
        }
        return results;
    }

    /// <summary>The valid chunks' indices, batch by batch; the invalid chunks' failures go into <paramref name="results"/>.</summary>
    private IEnumerable<int[]> Batches(IReadOnlyList<DocumentChunk> chunks, ChunkResult[] results)
    {
        var batch = new List<int>();
        long batchTokens = 0;
        for (int i = 0; i < chunks.Count; i++)
        {
            DocumentChunk chunk = chunks[i];
            if (_model.Validate(chunk) is string problem)
            {
                results[i] = ChunkResult.Failed(chunk, problem);
                continue;
            }
            if (batch.Count > 0 && batchTokens + chunk.InputIds.Length > BatchTokens)
            {
                yield return batch.ToArray();
                batch.Clear();
                batchTokens = 0;
            }
            batch.Add(i);
            batchTokens += chunk.InputIds.Length;
        }
        if (batch.Count > 0)
            yield return batch.ToArray();
    }

    /// <summary>Queues <paramref name="batch"/> (indices into <paramref name="chunks"/>), or its halves when it runs out of memory.</summary>
    private void Queue(IReadOnlyList<DocumentChunk> chunks, int[] batch, ChunkResult[] results, Queue<QueuedBatch> queued,
        CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        DocumentChunk[] inputs = [.. batch.Select(index => chunks[index])];
        string? outOfMemory;
        try
        {
            queued.Enqueue(new QueuedBatch(batch, inputs, Start(inputs, cancellationToken)));
            return;
        }
        catch (Exception e) when (OutOfMemory.Is(e))
        {
            outOfMemory = FirstLine(e.Message);
        }

        long tokens = inputs.Sum(chunk => (long)chunk.InputIds.Length);
        if (batch.Length == 1)
        {
            DocumentChunk chunk = inputs[0];
            _logger.LogWarning("Chunk {Chunk} of document {Id} ({Tokens} tokens) runs out of memory even alone: {Error}",
                chunk.Chunk, chunk.Id, tokens, outOfMemory);
            results[batch[0]] = ChunkResult.Failed(chunk, $"out of memory even alone ({tokens} tokens): {outOfMemory}");
            return;
        }
        int middle = TokenMidpoint(inputs, tokens);
        _logger.LogWarning("A batch of {Count} chunks ({Tokens} tokens) ran out of memory; retrying it as batches of {First} and {Second} chunks: {Error}",
            inputs.Length, tokens, middle, inputs.Length - middle, outOfMemory);
        Queue(chunks, batch[..middle], results, queued, cancellationToken);
        Queue(chunks, batch[middle..], results, queued, cancellationToken);
    }

    private IPendingRows Start(DocumentChunk[] inputs, CancellationToken cancellationToken)
    {
        _deviceTurn.Wait(cancellationToken);
        try
        {
            return _model.Start(inputs);
        }
        finally
        {
            _deviceTurn.Release();
        }
    }

    private static void Complete(QueuedBatch queued, ChunkResult[] results)
    {
        using IPendingRows pending = queued.Rows;
        IReadOnlyList<ResultRow> rows = pending.Complete();
        if (rows.Count != queued.Inputs.Length)
            throw new InvalidOperationException($"The model returned {rows.Count} rows for {queued.Inputs.Length} chunks.");
        for (int i = 0; i < queued.Batch.Length; i++)
            results[queued.Batch[i]] = ChunkResult.Success(queued.Inputs[i], rows[i]);
    }

    /// <summary>Where to cut so that both halves hold about as many tokens, each at least one chunk.</summary>
    private static int TokenMidpoint(DocumentChunk[] inputs, long tokens)
    {
        long before = 0;
        for (int i = 0; i < inputs.Length - 1; i++)
        {
            before += inputs[i].InputIds.Length;
            if (2 * before >= tokens)
                return i + 1;
        }
        return inputs.Length - 1;
    }

    private static string FirstLine(string message)
    {
        int end = message.IndexOfAny(['\r', '\n']);
        return end < 0 ? message : message[..end];
    }

    /// <param name="Batch">Indices into the chunks of the run.</param>
    private sealed record QueuedBatch(int[] Batch, DocumentChunk[] Inputs, IPendingRows Rows);
}
