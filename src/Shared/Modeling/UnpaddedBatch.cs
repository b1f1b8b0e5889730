using TorchSharp;
using static TorchSharp.torch;

namespace ModernBert.Modeling;

/// <summary>
/// Variable-length token sequences laid out back to back as one stream of <see cref="TotalTokens"/> tokens, with no
/// padding anywhere: the unpadded layout every module of the model works on.
/// </summary>
public sealed class UnpaddedBatch : IDisposable
{
    private UnpaddedBatch(Tensor inputIds, Tensor positionIds, Tensor sequenceIndex, Tensor cumulativeLengths, int[] offsets)
    {
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

    public Device Device => InputIds.device;

    public int Length(int sequence) => Offsets[sequence + 1] - Offsets[sequence];

    /// <summary>The sequences grouped by length, each group with the stream positions of its tokens; made on first use.</summary>
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
            groups.Add(new LengthGroup(sameLength.Key, sequences.Length, torch.tensor(tokens, device: Device).DetachFromDisposeScope()));
        }
        return groups;
    }

    /// <summary>
    /// Lays out <paramref name="sequences"/> (none empty) on <paramref name="device"/>. The host data goes over in one
    /// copy from pinned memory that does not wait for the device.
    /// </summary>
    public static UnpaddedBatch Create(IReadOnlyList<ReadOnlyMemory<int>> sequences, Device device)
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
        int total = offsets[^1];

        // One int64 host buffer: ids, positions, sequence index, then the offsets; split into views on the device.
        var host = new long[3 * total + offsets.Length];
        for (int i = 0; i < sequences.Count; i++)
        {
            ReadOnlySpan<int> ids = sequences[i].Span;
            int start = offsets[i];
            for (int p = 0; p < ids.Length; p++)
            {
                host[start + p] = ids[p];
                host[total + start + p] = p;
                host[2 * total + start + p] = i;
            }
        }
        for (int i = 0; i < offsets.Length; i++)
            host[3 * total + i] = offsets[i];

        using var scope = torch.NewDisposeScope();
        Tensor packed = torch.tensor(host);
        if (device.type != DeviceType.CPU)
            packed = packed.pin_memory().to(device, non_blocking: true);
        var batch = new UnpaddedBatch(
            packed.narrow(0, 0, total),
            packed.narrow(0, total, total),
            packed.narrow(0, 2 * total, total),
            packed.narrow(0, 3 * total, offsets.Length).to(ScalarType.Int32),
            offsets);
        batch.InputIds.MoveToOuterDisposeScope();
        batch.PositionIds.MoveToOuterDisposeScope();
        batch.SequenceIndex.MoveToOuterDisposeScope();
        batch.CumulativeLengths.MoveToOuterDisposeScope();
        return batch;
    }

    public void Dispose()
    {
        foreach (LengthGroup group in _lengthGroups ?? [])
            group.TokenIndex.Dispose();
        InputIds.Dispose();
        PositionIds.Dispose();
        SequenceIndex.Dispose();
        CumulativeLengths.Dispose();
    }
}

/// <summary>Sequences of one length in a batch: <see cref="TokenIndex"/> holds their tokens' stream positions, sequence by sequence.</summary>
public sealed record LengthGroup(int Length, int Count, Tensor TokenIndex);
