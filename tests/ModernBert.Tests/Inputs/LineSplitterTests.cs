using System.Text;
using ModernBert.Inputs;

namespace ModernBert.Tests.Inputs;

public class LineSplitterTests
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    /// <summary>Returns at most a fixed number of bytes per read, as network and decompression streams may.</summary>
    private sealed class TricklingStream(byte[] content, int chunk) : MemoryStream(content)
    {
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            base.ReadAsync(buffer[..Math.Min(chunk, buffer.Length)], cancellationToken);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(65_536)]
    [InlineData(1 << 22)]
    public async Task SplitsLinesWhateverTheReadSizes(int chunk)
    {
        string[] lines = ["first", "", "crlf", "", new string('x', 1_500_000), "ünïcode", new string('y', 2_600_000), "no newline at the end"];
        string text = string.Join('\n', lines).Replace("crlf\n", "crlf\r\n");
        using var splitter = new LineSplitter(new TricklingStream(Encoding.UTF8.GetBytes(text), chunk), maxLineBytes: 3_000_000);

        var read = new List<(long, string)>();
        while (await splitter.MoveNextAsync(Cancellation))
        {
            Assert.False(splitter.LineTooLong);
            read.Add((splitter.LineNumber, Encoding.UTF8.GetString(splitter.Line)));
        }

        Assert.Equal(lines.Select((line, index) => ((long)index + 1, line)), read);
    }
}
