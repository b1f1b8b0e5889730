using System.Runtime.CompilerServices;
using ModernBert.Storage;

namespace ModernBert.Inputs;

/// <summary>
/// Streams the records of one JSON Lines object, plain or compressed (see <see cref="CorpusFormat"/>), one line at a
/// time: memory depends on the longest line, not on the object's size. Blank lines are skipped; a line that is not a
/// valid document becomes a <see cref="MalformedInput"/> with origin "location:line" and reading goes on. Corrupt
/// compressed data ends the object with an <see cref="InvalidDataException"/> naming it. When asked to keep lines,
/// each document carries its line (<see cref="InputDocument.JsonLine"/>).
/// </summary>
public sealed class JsonLinesReader
{
    /// <summary>Lines longer than this are reported as malformed instead of being buffered.</summary>
    public const int DefaultMaxLineBytes = 256 << 20;

    private readonly InputOptions _options;
    private readonly int _maxLineBytes;
    private readonly bool _keepLines;

    public JsonLinesReader(InputOptions options, bool keepLines = false) : this(options, DefaultMaxLineBytes, keepLines)
    {
    }

    internal JsonLinesReader(InputOptions options, int maxLineBytes, bool keepLines = false)
    {
        _options = options;
        _maxLineBytes = maxLineBytes;
        _keepLines = keepLines;
    }

    public async IAsyncEnumerable<InputRecord> ReadAsync(IObjectStore store, string key,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        CorpusFormat format = CorpusFormat.Of(key);
        string location = store.Describe(key);
        var parser = new JsonLineParser(_options);
        await using Stream stream = format.Decompress(await store.OpenReadAsync(key, cancellationToken));
        using var lines = new LineSplitter(stream, _maxLineBytes);
        while (await MoveNextAsync(lines, format, location, cancellationToken))
        {
            if (lines.LineTooLong)
            {
                yield return new MalformedInput($"line is longer than {_maxLineBytes} bytes", $"{location}:{lines.LineNumber}");
                continue;
            }
            InputRecord? record = ParseLine(lines, parser, location);
            if (record != null)
                yield return record;
        }
    }

    private static async ValueTask<bool> MoveNextAsync(LineSplitter lines, CorpusFormat format, string location, CancellationToken cancellationToken)
    {
        try
        {
            return await lines.MoveNextAsync(cancellationToken);
        }
        catch (Exception e) when (format.IsCorruptionError(e))
        {
            string where = lines.LineNumber == 0 ? "before its first line" : $"after line {lines.LineNumber}";
            throw new InvalidDataException(
                $"{location}: the {format.Compression.ToString().ToLowerInvariant()} data is corrupt or truncated {where}: {e.Message}", e);
        }
    }

    /// <summary>The line's record, or null for a blank line.</summary>
    private InputRecord? ParseLine(LineSplitter lines, JsonLineParser parser, string location)
    {
        ReadOnlySpan<byte> line = lines.Line;
        if (lines.LineNumber == 1 && line.StartsWith("\uFEFF"u8))
            line = line[3..];
        if (line.IndexOfAnyExcept(" \t\r"u8) < 0)
            return null;
        InputRecord record = parser.Parse(line, $"{location}:{lines.LineNumber}");
        return _keepLines && record is InputDocument document ? document with { JsonLine = line.ToArray() } : record;
    }
}
