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

    [Fact]
    public void AValueThatDoesNotConvertIsAConfigurationErrorNamingItsKey()
    {
        using ServiceProvider provider = new ServiceCollection()
            .AddSettings<WorkerOptions>(Configuration(("Worker:BatchJobs", "many")), WorkerOptions.SectionName, options => options.Validate())
            .BuildServiceProvider();

        var error = Assert.Throws<ConfigurationException>(provider.ValidateSettings);

        Assert.Contains("'Worker:BatchJobs'", error.Message);
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
