using System.Diagnostics;
using ModernBert.Documents;

namespace ModernBert.Coordinator.Planning;

/// <summary>
/// Packs a stream of chunks into jobs of at most <see cref="JobTokens"/> tokens, looking ahead over a buffer of fewer
/// than <see cref="LookAheadChunks"/> chunks and <see cref="LookAheadTokens"/> tokens. Whenever the buffer is full it
/// packs jobs until it is not: each the oldest buffered chunk, then again and again the largest buffered chunk that
/// still fits (the oldest of equal sizes), until none fits.
/// <para>
/// Starting from the oldest chunk bounds how long a chunk waits: at most <see cref="LookAheadChunks"/> jobs after it
/// arrives. Filling with the largest chunk that fits pairs a long chunk with its best complement, which matters when
/// chunks are about half a job each: with a 4096-chunk look-ahead, jobs of the ModernBERT paper's normal(4102, 1024)
/// lengths come out about 99.6% full (99.1% when each job starts from the largest chunk instead; 99.5% under the
/// default 4M-token bound, about 1,000 such chunks), and jobs of its normal(256, 64) lengths 99.8% full either way.
/// </para>
/// The result depends only on the sequence of chunks, so packing the same corpus again gives the same jobs. Memory is
/// the buffer's, whatever the corpus size; the token bound keeps it small for long chunks (4096 windows of 8192 tokens
/// would be 134 MB of ids), which a corpus of a few thousand chunks never fills. Not thread-safe.
/// </summary>
public sealed class GreedyPacker
{
    private readonly SizeBuckets<LinkedListNode<BufferedChunk>> _bySize;
    private readonly LinkedList<BufferedChunk> _byArrival = new();
    private long _nextSequence;
    private long _nextJobId;
    private long _bufferedTokens;

    public GreedyPacker(int jobTokens, int lookAheadChunks, long lookAheadTokens = long.MaxValue)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(jobTokens, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(jobTokens, PlanningOptions.MaxJobTokens);
        ArgumentOutOfRangeException.ThrowIfLessThan(lookAheadChunks, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(lookAheadTokens, 1);
        JobTokens = jobTokens;
        LookAheadChunks = lookAheadChunks;
        LookAheadTokens = lookAheadTokens;
        _bySize = new SizeBuckets<LinkedListNode<BufferedChunk>>(jobTokens);
    }

    public int JobTokens { get; }

    public int LookAheadChunks { get; }

    public long LookAheadTokens { get; }

    /// <summary>How many chunks wait in the buffer; always below <see cref="LookAheadChunks"/> between calls.</summary>
    public int BufferedChunks => _byArrival.Count;

    /// <summary>How many tokens wait in the buffer; always below <see cref="LookAheadTokens"/> between calls.</summary>
    public long BufferedTokens => _bufferedTokens;

    /// <summary>Buffers a chunk; when that fills the buffer, packs and returns jobs until it is not full, else none.</summary>
    /// <exception cref="ArgumentException">The chunk has more tokens than a job holds (windows are never that long).</exception>
    public IReadOnlyList<PackedJob> Add(DocumentChunk chunk)
    {
        ArgumentNullException.ThrowIfNull(chunk);
        int tokens = chunk.InputIds.Length;
        if (tokens > JobTokens)
            throw new ArgumentException(
                $"Chunk {chunk.Chunk} of document '{chunk.Id}' has {tokens} tokens, more than a job's {JobTokens}; windows must not be longer than a job.",
                nameof(chunk));
        LinkedListNode<BufferedChunk> node = _byArrival.AddLast(new BufferedChunk(chunk, _nextSequence++));
        _bySize.Enqueue(tokens, node);
        _bufferedTokens += tokens;
        if (!IsFull)
            return [];
        var jobs = new List<PackedJob>(1);
        while (IsFull)
            jobs.Add(PackOne());
        return jobs;
    }

    private bool IsFull => _byArrival.Count >= LookAheadChunks || _bufferedTokens >= LookAheadTokens;

    /// <summary>Packs every chunk still buffered, at the end of the input.</summary>
    public IEnumerable<PackedJob> Flush()
    {
        while (_byArrival.Count > 0)
            yield return PackOne();
    }

    private PackedJob PackOne()
    {
        LinkedListNode<BufferedChunk> oldest = _byArrival.First!;
        int room = JobTokens;
        var picked = new List<BufferedChunk>();
        for (int size = oldest.Value.Tokens; size >= 0; size = _bySize.LargestOccupiedAtMost(room))
        {
            LinkedListNode<BufferedChunk> node = _bySize.Dequeue(size);
            // The oldest chunk overall is also the oldest of its size, so the first pass takes it.
            Debug.Assert(picked.Count > 0 || node == oldest);
            _byArrival.Remove(node);
            picked.Add(node.Value);
            room -= size;
            _bufferedTokens -= size;
        }
        picked.Sort((a, b) => a.Sequence.CompareTo(b.Sequence));
        return new PackedJob(_nextJobId++, picked.ConvertAll(buffered => buffered.Chunk));
    }

    private sealed record BufferedChunk(DocumentChunk Chunk, long Sequence)
    {
        public int Tokens => Chunk.InputIds.Length;
    }
}
