using ModernBert.Storage;

namespace ModernBert.Tests.Storage;

public sealed class StoreLocationTests
{
    [Fact]
    public void AbsoluteLocalPathIsAFolderWithoutPattern()
    {
        StoreLocation location = StoreLocation.Parse("/data/corpus/");

        Assert.Equal(StoreKind.Local, location.Kind);
        Assert.Equal("/data/corpus", location.Folder);
        Assert.Null(location.Pattern);
        Assert.Null(location.Container);
        Assert.Equal("/data/corpus/", location.ToString());
    }

    [Fact]
    public void RelativeLocalPathResolvesAgainstTheCurrentFolder()
    {
        StoreLocation location = StoreLocation.Parse("data/**/*.jsonl");

        Assert.Equal(Path.Combine(Environment.CurrentDirectory, "data"), location.Folder);
        Assert.Equal("**/*.jsonl", location.Pattern?.Pattern);
    }

    [Theory]
    [InlineData("file:///data/corpus", "/data/corpus", null)]
    [InlineData("file:///data/my%20corpus/part-*.jsonl", "/data/my corpus", "part-*.jsonl")]
    [InlineData("/*.jsonl", "/", "*.jsonl")]
    [InlineData("/data/2026-*/x/part-?.jsonl", "/data", "2026-*/x/part-?.jsonl")]
    public void LocalLocationsSplitIntoFolderAndPattern(string text, string folder, string? pattern)
    {
        StoreLocation location = StoreLocation.Parse(text);

        Assert.Equal((StoreKind.Local, folder, pattern), (location.Kind, location.Folder, location.Pattern?.Pattern));
    }

    [Theory]
    [InlineData("az://corpus", "corpus", "", null)]
    [InlineData("az://corpus/", "corpus", "", null)]
    [InlineData("az://results/runs/42", "results", "runs/42", null)]
    [InlineData("az://results//runs/42/", "results", "runs/42", null)]
    [InlineData("az://corpus/2026-*/part-*.jsonl.gz", "corpus", "", "2026-*/part-*.jsonl.gz")]
    [InlineData("az://corpus/en/2026/part-*.jsonl.gz", "corpus", "en/2026", "part-*.jsonl.gz")]
    [InlineData("az://corpus/en/**/*.jsonl", "corpus", "en", "**/*.jsonl")]
    public void AzLocationsUseTheConfiguredAccount(string text, string container, string folder, string? pattern)
    {
        StoreLocation location = StoreLocation.Parse(text);

        Assert.Equal(StoreKind.AzureBlob, location.Kind);
        Assert.Null(location.ServiceUri);
        Assert.Equal((container, folder, pattern), (location.Container, location.Folder, location.Pattern?.Pattern));
    }

    [Fact]
    public void AccountUrlNamesTheServiceByHost()
    {
        StoreLocation location = StoreLocation.Parse("https://myaccount.blob.core.windows.net/corpus/en/part-*.jsonl");

        Assert.Equal(new Uri("https://myaccount.blob.core.windows.net"), location.ServiceUri);
        Assert.Equal(("corpus", "en", "part-*.jsonl"), (location.Container, location.Folder, location.Pattern?.Pattern));
    }

    [Fact]
    public void EmulatorUrlNamesTheAccountInThePath()
    {
        StoreLocation location = StoreLocation.Parse("http://127.0.0.1:10000/devstoreaccount1/results/runs/7");

        Assert.Equal(new Uri("http://127.0.0.1:10000/devstoreaccount1"), location.ServiceUri);
        Assert.Equal(("results", "runs/7"), (location.Container, location.Folder));
        Assert.Null(location.Pattern);
    }

    [Theory]
    [InlineData("", "the location is empty")]
    [InlineData("  ", "the location is empty")]
    [InlineData("s3://bucket/key", "unknown scheme 's3://'")]
    [InlineData("az://", "names no container")]
    [InlineData("az:///path", "names no container")]
    [InlineData("az://Corpus/x", "'Corpus' is not a valid container name")]
    [InlineData("az://ab/x", "'ab' is not a valid container name")]
    [InlineData("az://my--container/x", "'my--container' is not a valid container name")]
    [InlineData("az://corpus/a/../b", "'.' or '..' segments")]
    [InlineData("https://myaccount.blob.core.windows.net", "names no container")]
    [InlineData("http://127.0.0.1:10000/", "a blob URL must be")]
    [InlineData("file://relative/path", "must hold an absolute path")]
    public void BadLocationsAreRejectedNamingTheLocationAndTheProblem(string text, string problem)
    {
        var error = Assert.Throws<StorageLocationException>(() => StoreLocation.Parse(text));

        Assert.StartsWith($"Storage location '{text}': ", error.Message);
        Assert.Contains(problem, error.Message);
        Assert.Equal(text, error.Location);
    }

    [Fact]
    public void AbsoluteMakesRelativeLocalPathsAbsoluteAndLeavesOtherLocationsAlone()
    {
        Assert.Equal(Path.GetFullPath("runs/x"), StoreLocation.Absolute("runs/x"));
        Assert.Equal("/data/runs", StoreLocation.Absolute("/data/runs"));
        Assert.Equal("file:///data/runs", StoreLocation.Absolute("file:///data/runs"));
        Assert.Equal("az://runs/prefix", StoreLocation.Absolute("az://runs/prefix"));
    }
}
