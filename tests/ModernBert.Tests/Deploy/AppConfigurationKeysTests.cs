using System.Reflection;

namespace ModernBert.Tests.Deploy;

public sealed class AppConfigurationKeysTests
{
    private static readonly AppConfigurationKeys Apps = AppConfigurationKeys.OfTheApps();

    [Theory]
    [InlineData("Storage__Azure__ConnectionStringFile")]
    [InlineData("storage__azure__accountname")]
    [InlineData("Resilience__Broker__MaxRetryAttempts")]
    [InlineData("Resilience__Storage__BreakDuration")]
    [InlineData("Output__Compression")]
    [InlineData("Input__IdField")]
    [InlineData("AZURE_STORAGE_CONNECTION_STRING")]
    public void VariablesTheAppsReadAreAccepted(string name)
    {
        Assert.True(Apps.ReadsEnvironmentVariable(name), $"{name} should be read by the apps");
    }

    [Theory]
    [InlineData("Storage__Azure__ConnectionStrin")]
    [InlineData("Storage__Azure")]
    [InlineData("Resilience__Queue__MaxRetryAttempts")]
    [InlineData("Output__Compresion")]
    [InlineData("Output__EmbeddingPrecision")]
    [InlineData("AZURE_STORAGE_KEY")]
    public void VariablesNoAppReadsAreRejected(string name)
    {
        Assert.False(Apps.ReadsEnvironmentVariable(name), $"{name} should not be read by the apps");
    }

    [Fact]
    public void SectionsPropertiesNestingAndCollectionsAreFollowed()
    {
        AppConfigurationKeys keys = AppConfigurationKeys.FromAssemblies(typeof(AppConfigurationKeysTests).Assembly);

        Assert.Equal(["Sample:Inner:Endpoint", "Sample:Limit", "Sample:Name"], keys.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(["SAMPLE_TOKEN"], keys.Variables);
        Assert.True(keys.ReadsEnvironmentVariable("Sample__Hosts__0"));
        Assert.False(keys.ReadsEnvironmentVariable("Sample__ReadOnly"));
    }

    [Fact]
    public void TheAppsAssembliesAreAllSearched()
    {
        Assert.NotNull(Assembly.Load("modernbert-worker"));
        Assert.NotNull(Assembly.Load("modernbert"));
        Assert.Contains("Storage:Azure:BlobEndpoint", Apps.Keys);
    }

    internal sealed class SampleOptions
    {
        public const string SectionName = "Sample";
        public const string TokenVariable = "SAMPLE_TOKEN";

        public string Name { get; set; } = "";
        public int? Limit { get; set; }
        public SampleInnerOptions Inner { get; set; } = new();
        public List<string> Hosts { get; set; } = [];
        public string ReadOnly => Name;
    }

    internal sealed class SampleInnerOptions
    {
        public Uri? Endpoint { get; set; }
    }
}
