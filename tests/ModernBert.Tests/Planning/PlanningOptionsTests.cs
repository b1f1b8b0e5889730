using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using ModernBert.Coordinator.Planning;
using ModernBert.Tests.Composition;

namespace ModernBert.Tests.Planning;

public sealed class PlanningOptionsTests
{
    [Fact]
    public void DefaultsApplyWhereTheSectionIsSilent()
    {
        PlanningOptions options = Bind([]);

        Assert.Equal((8192, 4096, 4_194_304L, 0, 0),
            (options.JobTokens, options.LookAheadChunks, options.LookAheadTokens, options.WindowOverlap, options.TokenizerThreads));
        Assert.Equal(Environment.ProcessorCount, options.EffectiveTokenizerThreads);
    }

    [Fact]
    public void ThePlanningSectionIsBound()
    {
        PlanningOptions options = Bind(new()
        {
            ["Planning:JobTokens"] = "4096",
            ["Planning:LookAheadChunks"] = "100",
            ["Planning:LookAheadTokens"] = "50000",
            ["Planning:WindowOverlap"] = "128",
            ["Planning:TokenizerThreads"] = "3",
            ["Coordinator:MaxOutstandingJobs"] = "10",
        });

        Assert.Equal((4096, 100, 50_000L, 128, 3),
            (options.JobTokens, options.LookAheadChunks, options.LookAheadTokens, options.WindowOverlap, options.TokenizerThreads));
        Assert.Equal(3, options.EffectiveTokenizerThreads);
    }

    [Theory]
    [InlineData("JobTokens", "2", "Planning:JobTokens is 2; it must be between 3")]
    [InlineData("JobTokens", "2000000", "Planning:JobTokens is 2000000; it must be between 3")]
    [InlineData("LookAheadChunks", "0", "Planning:LookAheadChunks is 0; it must be at least 1")]
    [InlineData("LookAheadTokens", "0", "Planning:LookAheadTokens is 0; it must be at least 1")]
    [InlineData("WindowOverlap", "-1", "Planning:WindowOverlap is -1; it must be at least 0 and below JobTokens - 2 = 8190")]
    [InlineData("WindowOverlap", "8190", "Planning:WindowOverlap is 8190; it must be at least 0 and below JobTokens - 2 = 8190")]
    [InlineData("TokenizerThreads", "-2", "Planning:TokenizerThreads is -2; it must be at least 0")]
    public void OutOfRangeSettingsAreNamed(string key, string value, string message)
    {
        var error = Assert.Throws<OptionsValidationException>(() => Bind(new() { [$"Planning:{key}"] = value }));

        Assert.StartsWith(message, Assert.Single(error.Failures));
    }

    private static PlanningOptions Bind(Dictionary<string, string?> values) => SettingsTestServices.Bind<PlanningOptions>(
        new ConfigurationBuilder().AddInMemoryCollection(values).Build(), PlanningOptions.SectionName, options => options.Validate());
}
