using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using ModernBert.Resilience;
using ModernBert.Tests.Composition;

namespace ModernBert.Tests.Resilience;

public sealed class ResilienceOptionsTests
{
    [Fact]
    public void DefaultsRideOutAnOutageOfAFewMinutes()
    {
        var options = new ResilienceOptions();
        TimeSpan waited = TimeSpan.Zero;
        for (int retry = 0; retry < options.MaxRetryAttempts; retry++)
            waited += TimeSpan.FromTicks(Math.Min(options.MaxDelay.Ticks, options.BaseDelay.Ticks << retry));

        Assert.InRange(waited, TimeSpan.FromMinutes(2), TimeSpan.FromMinutes(5));
        Assert.True(options.BreakDuration < options.MaxDelay * 2, "an open circuit must not outlast the retries");
    }

    [Fact]
    public void EachSectionOverridesOnlyWhatItSets()
    {
        IConfiguration configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Resilience:Storage:MaxRetryAttempts"] = "3",
            ["Resilience:Storage:AttemptTimeout"] = "00:00:07",
            ["Resilience:Broker:BreakDuration"] = "00:01:00",
            ["Resilience:Broker:FailureRatio"] = "0.25",
        }).Build();

        ResilienceOptions storage = Bind(configuration, ResilienceOptions.StorageSection);
        ResilienceOptions broker = Bind(configuration, ResilienceOptions.BrokerSection);

        Assert.Equal((3, TimeSpan.FromSeconds(7), new ResilienceOptions().BreakDuration), (storage.MaxRetryAttempts, storage.AttemptTimeout, storage.BreakDuration));
        Assert.Equal((new ResilienceOptions().MaxRetryAttempts, TimeSpan.FromMinutes(1), 0.25), (broker.MaxRetryAttempts, broker.BreakDuration, broker.FailureRatio));
    }

    [Fact]
    public void ASettingOutOfRangeIsNamedWithItsSection()
    {
        IConfiguration configuration = SettingsTestServices.Configuration(("Resilience:Broker:FailureRatio", "1.5"));

        var error = Assert.Throws<OptionsValidationException>(() => Bind(configuration, ResilienceOptions.BrokerSection));

        Assert.Equal(["Resilience:Broker:FailureRatio is 1.5; it must be above 0 and at most 1."], error.Failures);
    }

    private static ResilienceOptions Bind(IConfiguration configuration, string section) =>
        SettingsTestServices.Bind<ResilienceOptions>(configuration, section, options => options.Validate(section), name: section);
}
