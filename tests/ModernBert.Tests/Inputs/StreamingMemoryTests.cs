using System.IO.Compression;
using System.Text;
using ModernBert.Inputs;

namespace ModernBert.Tests.Inputs;

[CollectionDefinition(nameof(StreamingMemoryTests), DisableParallelization = true)]
public sealed class StreamingMemoryCollection;

/// <summary>Memory checks run alone: the GC counters they read are process-wide.</summary>
[Collection(nameof(StreamingMemoryTests))]
public class StreamingMemoryTests
{
    private const int Lines = 200_000;
    private const int TextLength = 400;

    [Fact]
    public async Task StreamingALargeGzipCorpusDoesNotGrowMemoryWithItsSize()
    {
        CancellationToken cancellation = TestContext.Current.CancellationToken;
        using var corpus = new TempCorpus();
        await using (var file = File.Create(corpus.PathOf("big.jsonl.gz")))
        await using (var gzip = new GZipStream(file, CompressionLevel.Fastest))
        await using (var writer = new StreamWriter(gzip, new UTF8Encoding(false)))
        {
            var random = new Random(1);
            for (int line = 0; line < Lines; line++)
            {
                string text = string.Create(TextLength, random, (span, r) =>
                {
                    for (int i = 0; i < span.Length; i++)
                        span[i] = (char)('a' + r.Next(26));
                });
                await writer.WriteLineAsync($$$"""{"id":"doc-{{{line}}}","text":"{{{text}}}","meta":{"n":{{{line}}}}}""");
            }
        }

        var reader = new CorpusReader(new InputOptions());
        long retainedEarly = 0;
        long allocatedAtStart = GC.GetTotalAllocatedBytes(precise: true);
        int documents = 0;
        long characters = 0;
        await foreach (InputRecord record in reader.ReadAsync([new CorpusObject(corpus.Store, "big.jsonl.gz", "")], cancellation))
        {
            var document = Assert.IsType<InputDocument>(record);
            characters += document.Text!.Length;
            if (++documents == Lines / 10)
                retainedEarly = GC.GetTotalMemory(forceFullCollection: true);
        }
        long retainedLate = GC.GetTotalMemory(forceFullCollection: true);
        long allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedAtStart;

        Assert.Equal(Lines, documents);
        Assert.Equal((long)Lines * TextLength, characters);
        // Keeping the documents would retain over 150 MB (UTF-16 text alone is 800 bytes a line).
        long growth = retainedLate - retainedEarly;
        Assert.True(growth < 8 << 20, $"retained memory grew by {growth:N0} bytes over {Lines * 9 / 10:N0} lines");
        // What must be allocated per line: the text and id strings, the origin and the record (about 1.1 KB, 1.3 KB
        // measured). A string of the whole line (another 900 bytes) or other per-line copies would break the bound.
        double perLine = (double)allocated / Lines;
        Assert.True(perLine < 1.5 * (TextLength * 2 + 300), $"{perLine:N0} bytes allocated per line");
    }
}
