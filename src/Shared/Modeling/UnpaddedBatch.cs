using TorchSharp;
using static TorchSharp.torch;

namespace ModernBert.Modeling;

/// <summary>
/// Variable-length token sequences laid out back to back as one stream of <see cref="TotalTokens"/> tokens, with no
/// padding anywhere: the unpadded layout every module of the model works on. A sequence's last tokens may be
/// unattended (<see cref="AttendedLengths"/>): computed like the others, but no token attends to them.
/// </summary>
public sealed class UnpaddedBatch : IDisposable
{
    private readonly Action? _disposed;

    private UnpaddedBatch(Tensor inputIds, Tensor positionIds, Tensor sequenceIndex, Tensor cumulativeLengths, int[] offsets,
        IReadOnlyList<int>? attendedLengths, Action? disposed)
    {
        _disposed = disposed;
        AttendedLengths = attendedLengths;
        InputIds = inputIds;
        PositionIds = positionIds;
        SequenceIndex = sequenceIndex;
        CumulativeLengths = cumulativeLengths;
        Offsets = offsets;
        MaxSequenceLength = Enumerable.Range(0, offsets.Length - 1).Max(i => offsets[i + 1] - offsets[i]);
    }

    /// <summary>[total] int64: the token ids of every sequence, one after the other.</summary>
    public Tensor InputIds { get; }

    /// <summary>[total] int64: each token's position within its own sequence.</summary>
    public Tensor PositionIds { get; }

    /// <summary>[total] int64: the index of the sequence each token belongs to.</summary>
    public Tensor SequenceIndex { get; }

    /// <summary>[count + 1] int32 on the device: where each sequence starts in the stream, then the total.</summary>
    public Tensor CumulativeLengths { get; }

    /// <summary>The same offsets as <see cref="CumulativeLengths"/>, on the host.</summary>
    public IReadOnlyList<int> Offsets { get; }

    public int Count => Offsets.Count - 1;

    public int TotalTokens => Offsets[^1];

    public int MaxSequenceLength { get; }

    /// <summary>
    /// For each sequence, how many of its first tokens are keys: the tokens after them attend to those keys but are
    /// not attended to by any token (PyLate's query expansion without attend_to_expansion_tokens). Null when every
    /// token of every sequence is a key, the layout of every batch but such queries'.
    /// </summary>
    public IReadOnlyList<int>? AttendedLengths { get; }

    public Device Device => InputIds.device;

    public int Length(int sequence) => Offsets[sequence + 1] - Offsets[sequence];

    /// <summary>
    /// The sequences grouped by length, each group with the stream positions of its tokens and, where some of its
    /// sequences have unattended tokens, its key mask; made on first use.
    /// </summary>
    public IReadOnlyList<LengthGroup> LengthGroups => _lengthGroups ??= CreateLengthGroups();

    private IReadOnlyList<LengthGroup>? _lengthGroups;

    private IReadOnlyList<LengthGroup> CreateLengthGroups()
    {
        var groups = new List<LengthGroup>();
        foreach (IGrouping<int, int> sameLength in Enumerable.Range(0, Count).GroupBy(Length))
        {
            int[] sequences = sameLength.ToArray();
            var tokens = new long[sequences.Length * sameLength.Key];
            int next = 0;
            foreach (int sequence in sequences)
                for (int p = 0; p < sameLength.Key; p++)
                    tokens[next++] = Offsets[sequence] + p;
            groups.Add(new LengthGroup(sameLength.Key, sequences.Length, torch.tensor(tokens, device: Device).DetachFromDisposeScope(),
                KeyMask(sequences, sameLength.Key)));
        }
        return groups;
    }

    /// <summary>[count, 1, 1, length] bool, true where the token is a key; null when every token of these sequences is.</summary>
    private Tensor? KeyMask(int[] sequences, int length)
    {
        if (AttendedLengths is not { } attended || sequences.All(sequence => attended[sequence] == length))
            return null;
        var keys = new bool[sequences.Length * length];
        for (int s = 0; s < sequences.Length; s++)
            keys.AsSpan(s * length, attended[sequences[s]]).Fill(true);
        return torch.tensor(keys, [sequences.Length, 1, 1, length], device: Device).DetachFromDisposeScope();
    }

    /// <summary>
    /// Lays out <paramref name="sequences"/> (none empty) on <paramref name="device"/>. The host data goes over in one
    /// copy from pinned memory that does not wait for the device.
    /// </summary>
    /// <param name="attendedLengths">See <see cref="AttendedLengths"/>; null: every token is attended.</param>
    public static UnpaddedBatch Create(IReadOnlyList<ReadOnlyMemory<int>> sequences, Device device, IReadOnlyList<int>? attendedLengths = null)
    {
        int[] offsets = OffsetsOf(sequences);
        var host = new long[PackedLength(offsets)];
        Pack(sequences, offsets, host);
        Tensor packed;
        using (torch.NewDisposeScope())
        {
            packed = torch.tensor(host);
            if (device.type != DeviceType.CPU)
                packed = packed.pin_memory().to(device, non_blocking: true);
            packed.DetachFromDisposeScope();
        }
        using (packed)
            return FromPacked(packed, offsets, attendedLengths: attendedLengths);
    }

    /// <summary>Where each sequence starts in the stream, then the total.</summary>
    public static int[] OffsetsOf(IReadOnlyList<ReadOnlyMemory<int>> sequences)
    {
        if (sequences.Count == 0)
            throw new ArgumentException("A batch needs at least one sequence.", nameof(sequences));
        var offsets = new int[sequences.Count + 1];
        for (int i = 0; i < sequences.Count; i++)
        {
            if (sequences[i].Length == 0)
                throw new ArgumentException($"Sequence {i} of the batch is empty.", nameof(sequences));
            offsets[i + 1] = offsets[i] + sequences[i].Length;
        }
        return offsets;
    }

    /// <summary>How many int64 values the packed form of a batch with these <paramref name="offsets"/> takes.</summary>
    public static long PackedLength(int[] offsets) => 3L * offsets[^1] + offsets.Length;

    /// <summary>
    /// Writes the packed form that <see cref="FromPacked"/> reads: the ids, the positions and the sequence index of
    /// every token, then the offsets.
    /// </summary>
    public static void Pack(IReadOnlyList<ReadOnlyMemory<int>> sequences, int[] offsets, Span<long> destination)
    {
        int total = offsets[^1];
        for (int i = 0; i < sequences.Count; i++)
        {
            ReadOnlySpan<int> ids = sequences[i].Span;
            int start = offsets[i];
            for (int p = 0; p < ids.Length; p++)
            {
                destination[start + p] = ids[p];
                destination[total + start + p] = p;
                destination[2 * total + start + p] = i;
            }
        }
        for (int i = 0; i < offsets.Length; i++)
            destination[3 * total + i] = offsets[i];
    }

    /// <summary>
    /// A batch over views of <paramref name="packed"/> (int64, at least <see cref="PackedLength"/> values laid out by
    /// <see cref="Pack"/>), which the caller keeps. <paramref name="disposed"/> runs when the batch is disposed, after
    /// the last operator that reads it was queued.
    /// </summary>
    /// <param name="attendedLengths">See <see cref="AttendedLengths"/>; null: every token is attended.</param>
    public static UnpaddedBatch FromPacked(Tensor packed, int[] offsets, Action? disposed = null, IReadOnlyList<int>? attendedLengths = null)
    {
        int total = offsets[^1];
        attendedLengths = CheckAttendedLengths(attendedLengths, offsets);
        using var scope = torch.NewDisposeScope();
        var batch = new UnpaddedBatch(
            packed.narrow(0, 0, total),
            packed.narrow(0, total, total),
            packed.narrow(0, 2 * total, total),
            packed.narrow(0, 3 * total, offsets.Length).to(ScalarType.Int32),
            offsets,
            attendedLengths,
            disposed);
        batch.InputIds.MoveToOuterDisposeScope();
        batch.PositionIds.MoveToOuterDisposeScope();
        batch.SequenceIndex.MoveToOuterDisposeScope();
        batch.CumulativeLengths.MoveToOuterDisposeScope();
        return batch;
    }

    /// <summary>The lengths, or null when they attend to every token, the one layout of that case.</summary>
    private static IReadOnlyList<int>? CheckAttendedLengths(IReadOnlyList<int>? attendedLengths, int[] offsets)
    {
        if (attendedLengths is null)
            return null;
        if (attendedLengths.Count != offsets.Length - 1)
            throw new ArgumentException($"{attendedLengths.Count} attended lengths for {offsets.Length - 1} sequences.", nameof(attendedLengths));
        bool all = true;
        for (int i = 0; i < attendedLengths.Count; i++)
        {
            int length = offsets[i + 1] - offsets[i];
            if (attendedLengths[i] < 1 || attendedLengths[i] > length)
                throw new ArgumentException($"Sequence {i} of {length} tokens cannot have {attendedLengths[i]} attended tokens.", nameof(attendedLengths));
            all &= attendedLengths[i] == length;
        }
        return all ? null : attendedLengths;
    }

    public void Dispose()
    {
        foreach (LengthGroup group in _lengthGroups ?? [])
        {
            group.TokenIndex.Dispose();
            group.KeyMask?.Dispose();
        }
        InputIds.Dispose();
        PositionIds.Dispose();
        SequenceIndex.Dispose();
        CumulativeLengths.Dispose();
        _disposed?.Invoke();
    }
}

/// <summary>
/// Sequences of one length in a batch: <see cref="TokenIndex"/> holds their tokens' stream positions, sequence by
/// sequence; <see cref="KeyMask"/>, [count, 1, 1, length] bool, which of their tokens are keys (null: all of them).
/// </summary>
public sealed record LengthGroup(int Length, int Count, Tensor TokenIndex, Tensor? KeyMask);
