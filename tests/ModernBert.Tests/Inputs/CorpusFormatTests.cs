using ModernBert.Inputs;

namespace ModernBert.Tests.Inputs;

public class CorpusFormatTests
{
    [Theory]
    [InlineData("a.jsonl", DocumentLayout.JsonLines, ObjectCompression.None)]
    [InlineData("dir.v2/a.ndjson", DocumentLayout.JsonLines, ObjectCompression.None)]
    [InlineData("a.json", DocumentLayout.JsonLines, ObjectCompression.None)]
    [InlineData("a.JSONL.GZ", DocumentLayout.JsonLines, ObjectCompression.Gzip)]
    [InlineData("a.ndjson.zst", DocumentLayout.JsonLines, ObjectCompression.Zstd)]
    [InlineData("part-0001.parquet", DocumentLayout.Parquet, ObjectCompression.None)]
    [InlineData("notes.txt", DocumentLayout.Text, ObjectCompression.None)]
    [InlineData("README", DocumentLayout.Text, ObjectCompression.None)]
    [InlineData("data.jsonl/notes.md", DocumentLayout.Text, ObjectCompression.None)]
    [InlineData("notes.txt.gz", DocumentLayout.Text, ObjectCompression.Gzip)]
    [InlineData("a.gz", DocumentLayout.Text, ObjectCompression.Gzip)]
    public void TheNameChoosesLayoutAndCompression(string key, DocumentLayout layout, ObjectCompression compression)
    {
        Assert.Equal(new CorpusFormat(layout, compression), CorpusFormat.Of(key));
    }

    [Fact]
    public void CompressedParquetIsRejectedWithTheReason()
    {
        var error = Assert.Throws<NotSupportedException>(() => CorpusFormat.Of("x/part.parquet.gz"));

        Assert.Contains("'x/part.parquet.gz'", error.Message);
        Assert.Contains("Parquet compresses its pages itself", error.Message);
    }
}
