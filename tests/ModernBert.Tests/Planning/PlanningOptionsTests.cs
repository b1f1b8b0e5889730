using Microsoft.Extensions.Configuration;
using ModernBert.Coordinator.Planning;

namespace ModernBert.Tests.Planning;

public sealed class PlanningOptionsTests
{
    [Fact]
    public void DefaultsApplyWhereTheSectionIsSilent()
    {
        PlanningOptions options = PlanningOptions.FromConfiguration(Configuration([]));

        Assert.Equal((8192, 4096, 0, 0), (options.JobTokens, options.LookAheadChunks, options.WindowOverlap, options.TokenizerThreads));
        Assert.Equal(Environment.ProcessorCount, options.EffectiveTokenizerThreads);
    }

    [Fact]
    public void TheCoordinatorSectionIsBound()
    {
        PlanningOptions options = PlanningOptions.FromConfiguration(Configuration(new()
        {
            ["Planning:JobTokens"] = "4096",
            ["Planning:LookAheadChunks"] = "100",
            ["Planning:WindowOverlap"] = "128",
            ["Planning:TokenizerThreads"] = "3",
            ["Coordinator:MaxOutstandingJobs"] = "10",
        }));

        Assert.Equal((4096, 100, 128, 3), (options.JobTokens, options.LookAheadChunks, options.WindowOverlap, options.TokenizerThreads));
        Assert.Equal(3, options.EffectiveTokenizerThreads);
    }

    [Theory]
    [InlineData("JobTokens", "2", "Planning:JobTokens is 2; it must be between 3")]
    [InlineData("JobTokens", "2000000", "Planning:JobTokens is 2000000; it must be between 3")]
    [InlineData("LookAheadChunks", "0", "Planning:LookAheadChunks is 0; it must be at least 1")]
    [InlineData("WindowOverlap", "-1", "Planning:WindowOverlap is -1; it must be at least 0 and below JobTokens - 2 = 8190")]
    [InlineData("WindowOverlap", "8190", "Planning:WindowOverlap is 8190; it must be at least 0 and below JobTokens - 2 = 8190")]
    [InlineData("TokenizerThreads", "-2", "Planning:TokenizerThreads is -2; it must be at least 0")]
    public void OutOfRangeSettingsAreNamed(string key, string value, string message)
    {
        var error = Assert.Throws<InvalidOperationException>(
            () => PlanningOptions.FromConfiguration(Configuration(new() { [$"Planning:{key}"] = value })));

        Assert.StartsWith(message, error.Message);
    }

    private static IConfiguration Configuration(Dictionary<string, string?> values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values).Build();
}
