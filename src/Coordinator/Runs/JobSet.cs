namespace ModernBert.Coordinator.Runs;

/// <summary>A set of job ids (dense, from 0) as a bitmap: a billion-token run has about a million jobs.</summary>
public sealed class JobSet
{
    private ulong[] _bits = new ulong[16];

    public long Count { get; private set; }

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

    public bool Remove(long job)
    {
        if (!Contains(job))
            return false;
        _bits[job >> 6] &= ~(1UL << (int)(job & 63));
        Count--;
        return true;
    }
}
