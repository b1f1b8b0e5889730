using System.Numerics;

namespace ModernBert.Coordinator.Runs;

/// <summary>A set of job ids (dense, from 0) as a bitmap: a billion-token run has about a million jobs.</summary>
public sealed class JobSet
{
    private ulong[] _bits = new ulong[16];

    public long Count { get; private set; }

    /// <summary>One past the highest job in the set; 0 when it is empty.</summary>
    public long End
    {
        get
        {
            for (int word = _bits.Length - 1; word >= 0; word--)
            {
                if (_bits[word] != 0)
                    return ((long)word << 6) + 64 - BitOperations.LeadingZeroCount(_bits[word]);
            }
            return 0;
        }
    }

    public bool Contains(long job) => job >= 0 && job >> 6 < _bits.Length && (_bits[job >> 6] & 1UL << (int)(job & 63)) != 0;

    /// <returns>False when the job was already in the set.</returns>
    public bool Add(long job)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(job);
        if (job >> 6 >= _bits.Length)
            Array.Resize(ref _bits, (int)Math.Max(2L * _bits.Length, (job >> 6) + 1));
        ulong mask = 1UL << (int)(job & 63);
        if ((_bits[job >> 6] & mask) != 0)
            return false;
        _bits[job >> 6] |= mask;
        Count++;
        return true;
    }

    /// <summary>Removes the jobs that <paramref name="match"/> picks.</summary>
    public void RemoveAll(Func<long, bool> match)
    {
        for (int word = 0; word < _bits.Length; word++)
        {
            for (ulong bits = _bits[word]; bits != 0; bits &= bits - 1)
            {
                long job = ((long)word << 6) + BitOperations.TrailingZeroCount(bits);
                if (match(job))
                    Remove(job);
            }
        }
    }

    public bool Remove(long job)
    {
        if (!Contains(job))
            return false;
        _bits[job >> 6] &= ~(1UL << (int)(job & 63));
        Count--;
        return true;
    }
}
