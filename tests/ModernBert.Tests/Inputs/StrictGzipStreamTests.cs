using System.Buffers.Binary;
using System.IO.Compression;
using System.IO.Hashing;
using System.Text;
using ModernBert.Inputs;

namespace ModernBert.Tests.Inputs;

public class StrictGzipStreamTests
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    private static async Task<byte[]> DecompressAsync(byte[] gzip)
    {
        await using var stream = new StrictGzipStream(new MemoryStream(gzip));
        using var output = new MemoryStream();
        await stream.CopyToAsync(output, Cancellation);
        return output.ToArray();
    }

    private static byte[] RandomText(int seed, int length)
    {
        var random = new Random(seed);
        var text = new StringBuilder(length);
        while (text.Length < length)
            text.Append(random.Next(1000)).Append(' ');
        return Encoding.ASCII.GetBytes(text.ToString(0, length));
    }

    /// <summary>A member with every optional header field, as gzip(1) and other tools may write it.</summary>
    private static byte[] MemberWithAllHeaderFields(byte[] content)
    {
        using var deflated = new MemoryStream();
        using (var deflate = new DeflateStream(deflated, CompressionLevel.Optimal, leaveOpen: true))
            deflate.Write(content);
        var member = new List<byte> { 0x1F, 0x8B, 8, 2 | 4 | 8 | 16, 1, 2, 3, 4, 0, 3 };
        member.AddRange([5, 0, .. "extra"u8]);
        member.AddRange([.. "name.jsonl"u8, 0]);
        member.AddRange([.. "a comment"u8, 0]);
        member.AddRange([0xAB, 0xCD]);
        member.AddRange(deflated.ToArray());
        byte[] trailer = new byte[8];
        BinaryPrimitives.WriteUInt32LittleEndian(trailer, Crc32.HashToUInt32(content));
        BinaryPrimitives.WriteUInt32LittleEndian(trailer.AsSpan(4), (uint)content.Length);
        member.AddRange(trailer);
        return [.. member];
    }

    [Fact]
    public async Task DecompressesConcatenatedMembersWithAnyHeaderFields()
    {
        byte[][] parts = [RandomText(1, 300_000), [], RandomText(2, 10), RandomText(3, 200_000)];
        byte[] gzip = [.. TempCorpus.Gzip(parts[0]), .. TempCorpus.Gzip(parts[1]), .. MemberWithAllHeaderFields(parts[2]), .. MemberWithAllHeaderFields(parts[3])];

        byte[] output = await DecompressAsync(gzip);

        Assert.Equal(parts.SelectMany(part => part).ToArray(), output);
    }

    [Fact]
    public async Task AnEmptyMemberAsGzipWritesItIsEmptyAloneAndBetweenOthers()
    {
        // gzip(1), pigz and Python's gzip.compress(b"") write an empty member as a header, the deflate block 03 00 and
        // a trailer of eight zeros (.NET's GZipStream writes nothing at all for empty data).
        byte[] empty = [0x1F, 0x8B, 8, 0, 0, 0, 0, 0, 0, 3, 0x03, 0x00, 0, 0, 0, 0, 0, 0, 0, 0];
        byte[] text = RandomText(7, 1000);

        Assert.Empty(await DecompressAsync(empty));
        Assert.Equal(text, await DecompressAsync([.. empty, .. TempCorpus.Gzip(text), .. empty, .. empty]));
    }

    [Fact]
    public async Task EveryTruncationIsAnError()
    {
        byte[] first = TempCorpus.Gzip(RandomText(4, 3000));
        byte[] gzip = [.. first, .. MemberWithAllHeaderFields(RandomText(5, 2000))];
        Assert.Equal(RandomText(4, 3000).Concat(RandomText(5, 2000)), await DecompressAsync(gzip));

        // Cutting right after the first member leaves a complete, valid gzip file.
        foreach (int length in Enumerable.Range(0, gzip.Length).Where(length => length != first.Length))
        {
            byte[] truncated = gzip[..length];
            await Assert.ThrowsAsync<InvalidDataException>(() => DecompressAsync(truncated));
        }
    }

    [Fact]
    public async Task AWrongChecksumIsAnError()
    {
        byte[] gzip = TempCorpus.Gzip(RandomText(6, 5000));
        gzip[^6] ^= 1;

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => DecompressAsync(gzip));

        Assert.Contains("truncated or corrupt", error.Message);
    }

    [Fact]
    public async Task DataAfterTheLastMemberIsAnError()
    {
        byte[] gzip = [.. TempCorpus.Gzip(RandomText(7, 5000)), .. new byte[16]];

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => DecompressAsync(gzip));

        Assert.Contains("Expected a gzip member header", error.Message);
    }
}
