using System.Numerics;

namespace ModernBert.Coordinator.Planning;

/// <summary>
/// Items keyed by a size in 0..maxSize, first in first out within a size, with the largest occupied size at most a
/// limit found in O(maxSize / 64) word operations (a bit per size says whether its queue holds anything).
/// </summary>
internal sealed class SizeBuckets<T>
{
    private readonly Queue<T>?[] _queues;
    private readonly ulong[] _occupied;

    public SizeBuckets(int maxSize)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxSize);
        _queues = new Queue<T>?[maxSize + 1];
        _occupied = new ulong[maxSize / 64 + 1];
    }

    public void Enqueue(int size, T item)
    {
        Queue<T> queue = _queues[size] ??= new Queue<T>();
        queue.Enqueue(item);
        _occupied[size >> 6] |= 1UL << (size & 63);
    }

    /// <summary>Removes and returns the oldest item of the size, which must be occupied.</summary>
    public T Dequeue(int size)
    {
        Queue<T> queue = _queues[size] ?? throw new InvalidOperationException($"No item of size {size}.");
        T item = queue.Dequeue();
        if (queue.Count == 0)
            _occupied[size >> 6] &= ~(1UL << (size & 63));
        return item;
    }

    /// <summary>The largest size at most <paramref name="limit"/> that holds an item, or -1 when there is none.</summary>
    public int LargestOccupiedAtMost(int limit)
    {
        limit = Math.Min(limit, _queues.Length - 1);
        if (limit < 0)
            return -1;
        int word = limit >> 6;
        ulong bits = _occupied[word] & (ulong.MaxValue >> (63 - (limit & 63)));
        while (bits == 0)
        {
            if (--word < 0)
                return -1;
            bits = _occupied[word];
        }
        return (word << 6) + 63 - BitOperations.LeadingZeroCount(bits);
    }
}
