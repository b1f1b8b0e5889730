using System.Runtime.InteropServices;
using ModernBert.Documents;
using ModernBert.Inference;
using ModernBert.Modeling;
using ModernBert.Outputs;
using ModernBert.Tasks.Embed;

namespace ModernBert.Tests.Inference;

/// <summary>
/// A model that embeds each chunk as [first id, length] and records every batch it is given. Batches of more than
/// <see cref="MemoryTokens"/> tokens fail as libtorch fails on a CUDA device that runs out of memory; chunks holding
/// <see cref="InvalidTokenId"/> are rejected by <see cref="Validate"/>. Safe for concurrent callers.
/// </summary>
internal sealed class FakeInferenceModel(int memoryTokens = int.MaxValue) : IInferenceModel
{
    public const int InvalidTokenId = -1;

    private readonly List<DocumentChunk[]> _batches = [];
    private readonly List<string> _calls = [];
    private int _unfreed;

    public int MemoryTokens { get; } = memoryTokens;

    /// <summary>The chunks of every call of <see cref="Start"/>, those that ran out of memory included, in call order.</summary>
    public IReadOnlyList<DocumentChunk[]> Batches
    {
        get
        {
            lock (_batches)
                return [.. _batches];
        }
    }

    /// <summary>"start ID" and "complete ID" for each batch queued and read, ID being its first chunk's, in call order.</summary>
    public IReadOnlyList<string> Calls
    {
        get
        {
            lock (_calls)
                return [.. _calls];
        }
    }

    /// <summary>Pending rows handed out and not yet disposed.</summary>
    public int Unfreed => Volatile.Read(ref _unfreed);

    /// <summary>Runs at each <see cref="Start"/> with the batch, before it is queued.</summary>
    public Action<IReadOnlyList<DocumentChunk>>? Starting { get; set; }

    /// <summary>Runs at each completion with the batch, before its rows are returned.</summary>
    public Action<IReadOnlyList<DocumentChunk>>? Completing { get; set; }

    public ModernBertConfig Config => throw new NotSupportedException("The fake model has no configuration.");

    public static DocumentChunk Chunk(string id, int length, int firstId = 7) =>
        new(id, 0, 0, length, [firstId, .. Enumerable.Repeat(5, length - 1)]);

    /// <summary>libtorch's message for a CUDA allocation that fails, with its first line and the C++ trace after it.</summary>
    public static ExternalException CudaOutOfMemory(long tokens) => new(
        $"CUDA out of memory. Tried to allocate {tokens * 3 / 1024.0:F2} GiB. GPU 0 has a total capacity of 79.19 GiB of which 1.02 GiB is free. " +
        "Of the allocated memory 75.31 GiB is allocated by PyTorch, and 1.84 GiB is reserved by PyTorch but unallocated.\n" +
        "Exception raised from malloc at /pytorch/c10/cuda/CUDACachingAllocator.cpp:1348 (most recent call first):\n" +
        "frame #0: c10::Error::Error(c10::SourceLocation, std::string) + 0x96 (0x7f3c9b2a2446 in libc10.so)");

    public string? Validate(DocumentChunk chunk) =>
        chunk.InputIds.Contains(InvalidTokenId) ? $"token id {InvalidTokenId} is outside the vocabulary" : null;

    public IPendingRows Start(IReadOnlyList<DocumentChunk> chunks)
    {
        lock (_batches)
            _batches.Add([.. chunks]);
        Record($"start {chunks[0].Id}");
        Starting?.Invoke(chunks);
        Assert.All(chunks, chunk => Assert.Null(Validate(chunk)));
        long tokens = chunks.Sum(chunk => (long)chunk.InputIds.Length);
        if (tokens > MemoryTokens)
            throw CudaOutOfMemory(tokens);
        Interlocked.Increment(ref _unfreed);
        return new Pending(this, [.. chunks]);
    }

    public void Dispose()
    {
    }

    private void Record(string call)
    {
        lock (_calls)
            _calls.Add(call);
    }

    private sealed class Pending(FakeInferenceModel model, DocumentChunk[] chunks) : IPendingRows
    {
        private bool _disposed;

        public IReadOnlyList<ResultRow> Complete()
        {
            model.Record($"complete {chunks[0].Id}");
            model.Completing?.Invoke(chunks);
            return [.. chunks.Select(chunk => new EmbeddingRow(chunk.Id, chunk.Chunk, chunk.TokenStart, chunk.TokenEnd, [chunk.InputIds[0], chunk.InputIds.Length]))];
        }

        public void Dispose()
        {
            if (!_disposed)
                Interlocked.Decrement(ref model._unfreed);
            _disposed = true;
        }
    }
}
