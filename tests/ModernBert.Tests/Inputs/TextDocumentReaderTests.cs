using System.Text;
using ModernBert.Inputs;

namespace ModernBert.Tests.Inputs;

public class TextDocumentReaderTests
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("docs", "docs/a/b.txt", "a/b.txt")]
    [InlineData("docs/", "docs/a/b.txt", "a/b.txt")]
    [InlineData("", "docs/a/b.txt", "docs/a/b.txt")]
    [InlineData("docs/a", "docs/a/notes", "notes")]
    public async Task TheIdIsTheKeyRelativeToTheRoot(string idRoot, string key, string expectedId)
    {
        using var corpus = new TempCorpus();
        corpus.WriteText(key, "Hello, wörld.\n");

        InputRecord record = await new TextDocumentReader().ReadAsync(corpus.Store, key, idRoot, Cancellation);

        Assert.Equal(new InputDocument(expectedId, "Hello, wörld.\n", null, corpus.PathOf(key)), record);
    }

    [Fact]
    public async Task StripsAByteOrderMarkAndDecompressesByName()
    {
        using var corpus = new TempCorpus();
        byte[] content = [0xEF, 0xBB, 0xBF, .. Encoding.UTF8.GetBytes("\uFEFF stays: only the first mark goes")];
        corpus.Write("in/bom.txt", content);
        corpus.Write("in/packed.md.gz", TempCorpus.Gzip(content));

        InputRecord plain = await new TextDocumentReader().ReadAsync(corpus.Store, "in/bom.txt", "in", Cancellation);
        InputRecord packed = await new TextDocumentReader().ReadAsync(corpus.Store, "in/packed.md.gz", "in", Cancellation);

        Assert.Equal("\uFEFF stays: only the first mark goes", Assert.IsType<InputDocument>(plain).Text);
        Assert.Equal(new InputDocument("packed.md.gz", "\uFEFF stays: only the first mark goes", null, corpus.PathOf("in/packed.md.gz")), packed);
    }

    [Fact]
    public async Task InvalidUtf8IsMalformedNamingTheFileAndTheByte()
    {
        using var corpus = new TempCorpus();
        corpus.Write("in/latin1.txt", [0xEF, 0xBB, 0xBF, .. "caf"u8, 0xE9, .. " au lait"u8]);

        InputRecord record = await new TextDocumentReader().ReadAsync(corpus.Store, "in/latin1.txt", "in", Cancellation);

        Assert.Equal(new MalformedInput("not valid UTF-8: invalid byte sequence at byte 6", corpus.PathOf("in/latin1.txt")), record);
    }

    [Theory]
    [InlineData("other/a.txt", "docs")]
    [InlineData("docsx/a.txt", "docs")]
    [InlineData("docs", "docs")]
    public void AKeyOutsideTheRootIsRejected(string key, string idRoot)
    {
        var error = Assert.Throws<ArgumentException>(() => TextDocumentReader.IdOf(key, idRoot));

        Assert.Contains($"'{key}' is not inside the input root '{idRoot}'", error.Message);
    }
}
