using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using ModernBert.Composition;
using ModernBert.Outputs;
using ModernBert.Worker;
using static ModernBert.Tests.Composition.SettingsTestServices;

namespace ModernBert.Tests.Composition;

public sealed class SettingsRegistrationTests
{
    [Fact]
    public void ASettingOutOfRangeFailsTheStartWithItsKey()
    {
        using ServiceProvider provider = new ServiceCollection()
            .AddSettings<WorkerOptions>(Configuration(("Worker:BatchJobs", "0")), WorkerOptions.SectionName, options => options.Validate())
            .BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(provider.ValidateSettings);

        Assert.Equal(["Worker:BatchJobs is 0; it must be at least 1."], error.Failures);
    }

    [Theory]
    [InlineData("Worker:BatchJobs", "many", "Worker:BatchJobs is 'many'; it must be a whole number.")]
    [InlineData("Worker:BatchTokens", "99999999999", "Worker:BatchTokens is '99999999999'; it must be a whole number.")]
    [InlineData("Worker:Transfers", "fast", "Worker:Transfers is 'fast'; it must be one of Overlapped, Synchronous.")]
    [InlineData("Worker:BatchTimeout", "300", "Worker:BatchTimeout is '300'; it must be a duration written [d.]hh:mm:ss[.fff], e.g. 00:05:00 for five minutes.")]
    [InlineData("Worker:BatchTimeout", "5 min", "Worker:BatchTimeout is '5 min'; it must be a duration written [d.]hh:mm:ss[.fff], e.g. 00:05:00 for five minutes.")]
    [InlineData("Output:Compression", "Lz4", "Output:Compression is 'Lz4'; it must be one of Zstd, Snappy, None.")]
    public void AValueThatDoesNotConvertIsAConfigurationErrorNamingItsKeyAndWhatItMustBe(string key, string value, string message)
    {
        using ServiceProvider provider = new ServiceCollection()
            .AddSettings<WorkerOptions>(Configuration((key, value)), WorkerOptions.SectionName, options => options.Validate())
            .AddSettings<OutputOptions>(Configuration((key, value)), OutputOptions.SectionName, options => options.Validate())
            .BuildServiceProvider();

        var error = Assert.Throws<ConfigurationException>(provider.ValidateSettings);

        Assert.Equal(message, error.Message);
    }

    [Theory]
    [InlineData("Worker:BatchTimeout", "00:10:00")]
    [InlineData("Worker:BatchTimeout", "1.00:00:00")]
    [InlineData("Worker:Transfers", "synchronous")]
    [InlineData("Worker:BatchJobs", " 4 ")]
    public void ValuesInTheirWrittenFormsAreTaken(string key, string value)
    {
        using ServiceProvider provider = new ServiceCollection()
            .AddSettings<WorkerOptions>(Configuration((key, value), ("Worker:Devices", "cpu")), WorkerOptions.SectionName, options => options.Validate())
            .BuildServiceProvider();

        provider.ValidateSettings();
    }

    [Theory]
    [InlineData("Worker:Device", "cuda:1", "Worker:Device is not a setting; the Worker settings are Attention, BatchJobs, BatchTimeLimit, BatchTimeout, " +
        "BatchTokens, ConcurrentBatches, Devices, Dtype, Elementwise, RetryAttempts, ShutdownGracePeriod, Transfers (see README, Configuration).")]
    [InlineData("Storage:Azure:ConnectionStrin", "x", "Storage:Azure:ConnectionStrin is not a setting; the Storage:Azure settings are AccountName, " +
        "BlobEndpoint, ConnectionString, ConnectionStringFile (see README, Configuration).")]
    public void AKeyThatNamesNoSettingIsAConfigurationErrorListingTheSettingsOfItsSection(string key, string value, string message)
    {
        var configuration = Configuration((key, value), ("Worker:Devices", "cpu"), ("Storage:Azure:AccountName", "account"));
        using ServiceProvider provider = new ServiceCollection()
            .AddSettings<WorkerOptions>(configuration, WorkerOptions.SectionName, options => options.Validate())
            .AddSettings<ModernBert.Storage.StorageOptions>(configuration, ModernBert.Storage.StorageOptions.SectionName)
            .BuildServiceProvider();

        var error = Assert.Throws<ConfigurationException>(provider.ValidateSettings);

        Assert.Equal(message, error.Message);
    }

    [Theory]
    [InlineData("Coordinator:LookAheadDocuments", "Coordinator:LookAheadDocuments is a setting of an earlier release: it moved to " +
        "Planning:LookAheadChunks, which counts chunks (documents and their windows) (see README, Configuration).")]
    [InlineData("Coordinator:JobTokens", "Coordinator:JobTokens is a setting of an earlier release: it moved to Planning:JobTokens (see README, Configuration).")]
    [InlineData("Output:EmbeddingPrecision", "Output:EmbeddingPrecision is a setting of an earlier release: the precision of embeddings is the " +
        "--precision option of run and embed (see README, Configuration).")]
    public void AKeyOfAnEarlierReleaseNamesWhatTookItsPlace(string key, string message)
    {
        var configuration = Configuration((key, "1"));
        using ServiceProvider provider = new ServiceCollection()
            .AddSettings<ModernBert.Coordinator.Runs.CoordinatorOptions>(configuration, ModernBert.Coordinator.Runs.CoordinatorOptions.SectionName)
            .AddSettings<ModernBert.Outputs.OutputOptions>(configuration, ModernBert.Outputs.OutputOptions.SectionName)
            .BuildServiceProvider();

        var error = Assert.Throws<ConfigurationException>(provider.ValidateSettings);

        Assert.Equal(message, error.Message);
    }

    [Fact]
    public void SettingsRegisteredTwiceAreBoundAndValidatedOnce()
    {
        var configuration = Configuration(("Output:MaxRowGroupsPerFile", "0"), ("Output:TargetFileBytes", "1000"));
        using ServiceProvider provider = new ServiceCollection()
            .AddSettings<OutputOptions>(configuration, OutputOptions.SectionName, options => options.Validate())
            .AddSettings<OutputOptions>(configuration, OutputOptions.SectionName, options => options.Validate())
            .BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(provider.ValidateSettings);

        Assert.Single(error.Failures);
        Assert.Contains("Output:MaxRowGroupsPerFile", error.Failures.Single());
    }

    [Fact]
    public void NamedSettingsAreBoundEachFromItsOwnSection()
    {
        var configuration = Configuration(("A:Port", "1"), ("B:Port", "2"));
        using ServiceProvider provider = new ServiceCollection()
            .AddSettings<ModernBert.Fleet.TelemetryOptions>(configuration, "A", name: "A")
            .AddSettings<ModernBert.Fleet.TelemetryOptions>(configuration, "B", name: "B")
            .BuildServiceProvider();

        IOptionsMonitor<ModernBert.Fleet.TelemetryOptions> options = provider.GetRequiredService<IOptionsMonitor<ModernBert.Fleet.TelemetryOptions>>();

        Assert.Equal((1, 2), (options.Get("A").Port, options.Get("B").Port));
    }
}
