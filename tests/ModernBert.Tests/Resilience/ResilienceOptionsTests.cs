using Microsoft.Extensions.Configuration;
using ModernBert.Resilience;

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

        ResilienceOptions storage = ResilienceOptions.FromConfiguration(configuration, ResilienceOptions.StorageSection);
        ResilienceOptions broker = ResilienceOptions.FromConfiguration(configuration, ResilienceOptions.BrokerSection);

        Assert.Equal((3, TimeSpan.FromSeconds(7), new ResilienceOptions().BreakDuration), (storage.MaxRetryAttempts, storage.AttemptTimeout, storage.BreakDuration));
        Assert.Equal((new ResilienceOptions().MaxRetryAttempts, TimeSpan.FromMinutes(1), 0.25), (broker.MaxRetryAttempts, broker.BreakDuration, broker.FailureRatio));
    }
}
