using System.Buffers;
using System.Buffers.Binary;

namespace ModernBert.Outputs.ParquetFormat;

/// <summary>
/// Repetition and definition levels of a list column (maximum level 1) or a list of lists (maximum level 2, every
/// inner list of a row as long as the others) in the RLE/bit-packing hybrid encoding of data page v1: a 4-byte
/// little-endian length, then runs. The writer emits RLE runs only; the reader accepts both kinds.
/// </summary>
internal static class LevelEncoding
{
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
    /// Writes the levels of rows of lists of lists: row i holds <paramref name="valueCounts"/>[i] values in inner
    /// lists of <paramref name="innerLengths"/>[i] each (repetition 0 starts a row, 1 an inner list, 2 continues one).
    /// </summary>
    public static void WriteNestedListLevels(ReadOnlySpan<int> valueCounts, ReadOnlySpan<int> innerLengths, ArrayBufferWriter<byte> output)
    {
        var repetition = new RunWriter(output);
        for (int row = 0; row < valueCounts.Length; row++)
        {
            int width = innerLengths[row];
            if (valueCounts[row] == 0)
            {
                repetition.Add(0, 1);
                continue;
            }
            for (int list = 0; list < valueCounts[row] / width; list++)
            {
                repetition.Add(list == 0 ? 0 : 1, 1);
                repetition.Add(2, width - 1);
            }
        }
        repetition.Finish();

        var definition = new RunWriter(output);
        foreach (int count in valueCounts)
            definition.Add(count > 0 ? 2 : 0, Math.Max(count, 1));
        definition.Finish();
    }

    /// <summary>
    /// Reads the levels of a list of lists: each row's value count and inner list length (0 for an empty row).
    /// Empty inner lists and rows whose inner lists differ in length are rejected.
    /// </summary>
    public static (int[] ValueCounts, int[] InnerLengths) ReadNestedListLengths(ReadOnlySpan<byte> page, int levelCount, out int consumed)
    {
        byte[] repetition = ReadLevels(page, levelCount, 2, out int repetitionSize);
        byte[] definition = ReadLevels(page[repetitionSize..], levelCount, 2, out int definitionSize);
        consumed = repetitionSize + definitionSize;
        var counts = new List<int>();
        var widths = new List<int>();
        int current = 0;
        void CloseInnerList()
        {
            if (current == 0)
                return;
            if (widths[^1] == 0)
                widths[^1] = current;
            else if (current != widths[^1])
                throw new InvalidDataException($"Row {counts.Count - 1} holds inner lists of {widths[^1]} and {current} values.");
            current = 0;
        }
        for (int i = 0; i < levelCount; i++)
        {
            if (repetition[i] > 2 || definition[i] is not (0 or 2) || (definition[i] == 0 && repetition[i] != 0))
                throw new InvalidDataException($"Level entry {i} has repetition {repetition[i]} and definition {definition[i]}; " +
                    "result files hold no empty inner lists.");
            if (repetition[i] < 2)
                CloseInnerList();
            if (repetition[i] == 0)
            {
                counts.Add(0);
                widths.Add(0);
            }
            else if (counts.Count == 0 || counts[^1] == 0)
            {
                throw new InvalidDataException($"Level entry {i} continues a list that is empty or was never started.");
            }
            if (definition[i] == 0)
                continue;
            current++;
            counts[^1]++;
        }
        CloseInnerList();
        return ([.. counts], [.. widths]);
    }

    /// <summary>
    /// Reads the repetition then definition levels of <paramref name="levelCount"/> entries from the start of
    /// <paramref name="page"/> and turns them into each row's element count. <paramref name="consumed"/> is their size.
    /// </summary>
    public static int[] ReadListLengths(ReadOnlySpan<byte> page, int levelCount, out int consumed)
    {
        byte[] repetition = ReadLevels(page, levelCount, 1, out int repetitionSize);
        byte[] definition = ReadLevels(page[repetitionSize..], levelCount, 1, out int definitionSize);
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

    /// <param name="bitWidth">The bits of a level: those of the maximum level (1 or 2).</param>
    private static byte[] ReadLevels(ReadOnlySpan<byte> page, int levelCount, int bitWidth, out int size)
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
                int bytes = values * bitWidth / 8;
                if (bytes > runs.Length - position)
                    throw new InvalidDataException("A bit-packed run of levels runs past its data.");
                int mask = (1 << bitWidth) - 1;
                for (int i = 0; i < values && filled < levelCount; i++)
                {
                    int bit = i * bitWidth;
                    levels[filled++] = (byte)((runs[position + bit / 8] >> (bit % 8)) & mask);
                }
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
