using ModernBert.Tests.Common;
using System.CommandLine;
using ModernBert.Coordinator.Benchmarks;
using ModernBert.Coordinator.Cli;
using ModernBert.Tests.Tokenization;

namespace ModernBert.Tests.Cli;

public class BenchTokenizerCommandTests
{
    [Fact]
    public void EnglishLikeCorpus_IsTheSameForTheSameSeed()
    {
        IReadOnlyList<string> first = EnglishLikeCorpus.Generate(20);
        IReadOnlyList<string> second = EnglishLikeCorpus.Generate(20);

        Assert.Equal(first, second);
        Assert.NotEqual(first, EnglishLikeCorpus.Generate(20, seed: 7));
        Assert.All(first, document =>
        {
            int words = document.Split([' ', '\n'], StringSplitOptions.RemoveEmptyEntries).Length;
            Assert.InRange(words, 20, 1000);
        });
    }

    [Fact]
    public async Task BenchTokenizer_ReportsTokensPerSecondOnOneAndAllCores()
    {
        using TemporaryFolder folder = TinyTokenizer.Write(TinyTokenizer.Json());
        var output = new StringWriter();
        var errors = new StringWriter();
        var root = new RootCommand { BenchCommand.Create() };

        int exitCode = await root.Parse(["bench", "tokenizer", "--tokenizer", folder.Path, "--documents", "5"])
            .InvokeAsync(new InvocationConfiguration { Output = output, Error = errors }, TestContext.Current.CancellationToken);

        Assert.Equal(0, exitCode);
        Assert.Equal("", errors.ToString());
        Assert.Contains("1 core ", output.ToString(), StringComparison.Ordinal);
        Assert.Contains($"{Environment.ProcessorCount} cores", output.ToString(), StringComparison.Ordinal);
        Assert.Contains("M tokens/s", output.ToString(), StringComparison.Ordinal);
    }
}
