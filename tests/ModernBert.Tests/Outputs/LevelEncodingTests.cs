using System.Buffers;
using ModernBert.Outputs.ParquetFormat;

namespace ModernBert.Tests.Outputs;

public sealed class LevelEncodingTests
{
    [Fact]
    public void ListLengthsSurviveTheLevelsIncludingEmptyLists()
    {
        int[] lengths = [3, 0, 1, 0, 0, 5, 1];
        var output = new ArrayBufferWriter<byte>();

        LevelEncoding.WriteListLevels(lengths, output);
        int[] read = LevelEncoding.ReadListLengths(output.WrittenSpan, levelCount: 3 + 1 + 1 + 1 + 1 + 5 + 1, out int consumed);

        Assert.Equal(lengths, read);
        Assert.Equal(output.WrittenCount, consumed);
    }

    [Fact]
    public void BitPackedLevelsFromOtherWritersAreRead()
    {
        // Rows of 2, 0 and 3 elements. Repetition levels 0,1,0,0,1,1 and definition levels 1,1,0,1,1,1, each as one
        // bit-packed group of 8 (header 3), least significant bit first, behind a 4-byte length.
        byte[] page = [2, 0, 0, 0, 3, 0b0011_0010, 2, 0, 0, 0, 3, 0b0011_1011];

        Assert.Equal([2, 0, 3], LevelEncoding.ReadListLengths(page, levelCount: 6, out int consumed));
        Assert.Equal(page.Length, consumed);
    }

    [Fact]
    public void LevelsThatContinueAnEmptyListAreRejected()
    {
        // Repetition 0,1 (a list of two entries) but definition 0,1 (the first entry says the list is empty).
        byte[] page = [2, 0, 0, 0, 3, 0b0000_0010, 2, 0, 0, 0, 3, 0b0000_0010];

        var error = Assert.Throws<InvalidDataException>(() => LevelEncoding.ReadListLengths(page, levelCount: 2, out _));

        Assert.Contains("Level entry 1", error.Message);
    }
}
