using System.Buffers;
using System.Buffers.Binary;

namespace ModernBert.Outputs.ParquetFormat;

/// <summary>
/// Repetition and definition levels of a list column (maximum level 1) in the RLE/bit-packing hybrid encoding of
/// data page v1: a 4-byte little-endian length, then runs. The writer emits RLE runs only; the reader accepts both kinds.
/// </summary>
internal static class LevelEncoding
{
    private const int BitWidth = 1;

    /// <summary>Writes the repetition levels, then the definition levels, of rows with the given element counts.</summary>
    public static void WriteListLevels(ReadOnlySpan<int> listLengths, ArrayBufferWriter<byte> output)
    {
        var repetition = new RunWriter(output);
        foreach (int length in listLengths)
        {
            repetition.Add(0, 1);
            repetition.Add(1, Math.Max(length - 1, 0));
        }
        repetition.Finish();

        var definition = new RunWriter(output);
        foreach (int length in listLengths)
            definition.Add(length > 0 ? 1 : 0, Math.Max(length, 1));
        definition.Finish();
    }

    /// <summary>
    /// Reads the repetition then definition levels of <paramref name="levelCount"/> entries from the start of
    /// <paramref name="page"/> and turns them into each row's element count. <paramref name="consumed"/> is their size.
    /// </summary>
    public static int[] ReadListLengths(ReadOnlySpan<byte> page, int levelCount, out int consumed)
    {
        byte[] repetition = ReadLevels(page, levelCount, out int repetitionSize);
        byte[] definition = ReadLevels(page[repetitionSize..], levelCount, out int definitionSize);
        consumed = repetitionSize + definitionSize;

        var lengths = new List<int>();
        bool listIsEmpty = false;
        for (int i = 0; i < levelCount; i++)
        {
            if (repetition[i] > 1 || definition[i] > 1)
                throw new InvalidDataException($"Level entry {i} has repetition {repetition[i]} and definition {definition[i]}; the maximum is 1.");
            if (repetition[i] == 0)
            {
                lengths.Add(0);
                listIsEmpty = definition[i] == 0;
            }
            else if (lengths.Count == 0 || listIsEmpty || definition[i] == 0)
            {
                throw new InvalidDataException($"Level entry {i} continues a list that is empty or was never started.");
            }
            if (definition[i] == 1)
                lengths[^1]++;
        }
        return [.. lengths];
    }

    private static byte[] ReadLevels(ReadOnlySpan<byte> page, int levelCount, out int size)
    {
        if (page.Length < 4)
            throw new InvalidDataException("The data page ends before its level data.");
        int length = BinaryPrimitives.ReadInt32LittleEndian(page);
        if (length < 0 || length > page.Length - 4)
            throw new InvalidDataException($"The level data claims {length} bytes but the page has {page.Length - 4} left.");
        size = 4 + length;
        ReadOnlySpan<byte> runs = page.Slice(4, length);
        byte[] levels = new byte[levelCount];
        int filled = 0, position = 0;
        while (filled < levelCount)
        {
            int header = ReadVarint(runs, ref position);
            if ((header & 1) == 0)
            {
                int count = Math.Min(header >> 1, levelCount - filled);
                if (position >= runs.Length)
                    throw new InvalidDataException("An RLE run of levels lacks its value.");
                levels.AsSpan(filled, count).Fill(runs[position++]);
                filled += count;
            }
            else
            {
                // Bit-packed groups of 8 values, least significant bit first.
                int values = (header >> 1) * 8;
                int bytes = values * BitWidth / 8;
                if (bytes > runs.Length - position)
                    throw new InvalidDataException("A bit-packed run of levels runs past its data.");
                for (int i = 0; i < values && filled < levelCount; i++)
                    levels[filled++] = (byte)((runs[position + i / 8] >> (i % 8)) & 1);
                position += bytes;
            }
        }
        return levels;
    }

    private static int ReadVarint(ReadOnlySpan<byte> data, ref int position)
    {
        int value = 0;
        for (int shift = 0; shift < 32; shift += 7)
        {
            if (position >= data.Length)
                throw new InvalidDataException("The level data ends inside a run header.");
            byte b = data[position++];
            value |= (b & 0x7F) << shift;
            if (b < 0x80)
                return value;
        }
        throw new InvalidDataException("A level run header is longer than 5 bytes.");
    }

    /// <summary>Merges consecutive equal levels into RLE runs; <see cref="Finish"/> writes their length and the runs.</summary>
    private sealed class RunWriter(ArrayBufferWriter<byte> output)
    {
        private readonly ArrayBufferWriter<byte> _runs = new();
        private int _value;
        private int _count;

        public void Add(int value, int count)
        {
            if (count == 0)
                return;
            if (value != _value && _count > 0)
                Flush();
            _value = value;
            _count += count;
        }

        public void Finish()
        {
            if (_count > 0)
                Flush();
            BinaryPrimitives.WriteInt32LittleEndian(output.GetSpan(4), _runs.WrittenCount);
            output.Advance(4);
            output.Write(_runs.WrittenSpan);
        }

        private void Flush()
        {
            Span<byte> span = _runs.GetSpan(6);
            int size = 0;
            uint header = (uint)_count << 1;
            while (header >= 0x80)
            {
                span[size++] = (byte)(header | 0x80);
                header >>= 7;
            }
            span[size++] = (byte)header;
            span[size++] = (byte)_value;
            _runs.Advance(size);
            _count = 0;
        }
    }
}
