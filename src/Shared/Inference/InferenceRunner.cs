using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using ModernBert.Documents;
using ModernBert.Outputs;

namespace ModernBert.Inference;

/// <summary>
/// Runs any number of chunks through a model in batches of at most <see cref="BatchTokens"/> tokens, packed in
/// input order (a chunk longer than the budget runs alone). A batch that runs out of device memory is halved and
/// the halves retried, down to single chunks; a chunk that does not fit even alone fails, the others go on. Not
/// thread-safe: one caller at a time, as the model itself.
/// </summary>
public sealed class InferenceRunner
{
    private readonly IInferenceModel _model;
    private readonly ILogger _logger;

    public InferenceRunner(IInferenceModel model, int batchTokens, ILogger? logger = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batchTokens, 1);
        _model = model;
        BatchTokens = batchTokens;
        _logger = logger ?? NullLogger.Instance;
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
                RunBatch(chunks, batch.ToArray(), results, cancellationToken);
                batch.Clear();
                batchTokens = 0;
            }
            batch.Add(i);
            batchTokens += chunk.InputIds.Length;
        }
        if (batch.Count > 0)
            RunBatch(chunks, batch.ToArray(), results, cancellationToken);
        return results;
    }

    /// <param name="batch">Indices into <paramref name="chunks"/>.</param>
    private void RunBatch(IReadOnlyList<DocumentChunk> chunks, ReadOnlySpan<int> batch, ChunkResult[] results, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var inputs = new DocumentChunk[batch.Length];
        for (int i = 0; i < batch.Length; i++)
            inputs[i] = chunks[batch[i]];

        string? outOfMemory = null;
        try
        {
            IReadOnlyList<ResultRow> rows = _model.Run(inputs);
            if (rows.Count != inputs.Length)
                throw new InvalidOperationException($"The model returned {rows.Count} rows for {inputs.Length} chunks.");
            for (int i = 0; i < batch.Length; i++)
                results[batch[i]] = ChunkResult.Success(inputs[i], rows[i]);
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
        RunBatch(chunks, batch[..middle], results, cancellationToken);
        RunBatch(chunks, batch[middle..], results, cancellationToken);
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
}
