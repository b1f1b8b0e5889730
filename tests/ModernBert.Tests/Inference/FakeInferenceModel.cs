using System.Runtime.InteropServices;
using ModernBert.Documents;
using ModernBert.Inference;
using ModernBert.Modeling;
using ModernBert.Outputs;

namespace ModernBert.Tests.Inference;

/// <summary>
/// A model that embeds each chunk as [first id, length] and records every batch it is given. Batches of more than
/// <see cref="MemoryTokens"/> tokens fail as libtorch fails on a CUDA device that runs out of memory; chunks holding
/// <see cref="InvalidTokenId"/> are rejected by <see cref="Validate"/>.
/// </summary>
internal sealed class FakeInferenceModel(int memoryTokens = int.MaxValue) : IInferenceModel
{
    public const int InvalidTokenId = -1;

    public int MemoryTokens { get; } = memoryTokens;

    /// <summary>The chunks of every call of <see cref="Run"/>, those that ran out of memory included, in call order.</summary>
    public List<DocumentChunk[]> Batches { get; } = [];

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

    public IReadOnlyList<ResultRow> Run(IReadOnlyList<DocumentChunk> chunks)
    {
        Batches.Add([.. chunks]);
        Assert.All(chunks, chunk => Assert.Null(Validate(chunk)));
        long tokens = chunks.Sum(chunk => (long)chunk.InputIds.Length);
        if (tokens > MemoryTokens)
            throw CudaOutOfMemory(tokens);
        return [.. chunks.Select(chunk => new EmbeddingRow(chunk.Id, chunk.Chunk, chunk.TokenStart, chunk.TokenEnd, [chunk.InputIds[0], chunk.InputIds.Length]))];
    }

    public void Dispose()
    {
    }
}
