namespace ModernBert.Tokenization.Models;

/// <summary>
/// Hashes a 64-bit key made of two ids by multiplying it with the golden ratio (Fibonacci hashing). <see cref="long"/>'s
/// own hash XORs the halves, so keys such as (left id &lt;&lt; 32 | right id) collide in long chains and lookups crawl.
/// </summary>
internal sealed class MixedKeyComparer : IEqualityComparer<long>
{
    public static MixedKeyComparer Instance { get; } = new();

    public bool Equals(long x, long y) => x == y;

    public int GetHashCode(long key) => (int)(((ulong)key * 0x9E3779B97F4A7C15UL) >> 32);
}
