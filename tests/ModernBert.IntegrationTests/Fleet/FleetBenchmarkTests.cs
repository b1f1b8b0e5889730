using ModernBert.Coordinator.Benchmarks;
using ModernBert.Tests.Common;

namespace ModernBert.IntegrationTests.Fleet;

/// <summary>
/// <c>bench fleet</c>'s plumbing on a small corpus: a private RabbitMQ node or the broker the settings name, stand-in
/// worker processes, the coordinator's run to its end, and figures that count what went through.
/// </summary>
[Collection(FleetCollection.Name)]
public sealed class FleetBenchmarkTests(RabbitMqFixture rabbitFixture)
{
    private const int Documents = 300;

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task PreTokenizedDocumentsGoThroughAPrivateBrokerAndEveryTokenIsCommitted()
    {
        TestServices.RequireRabbitMq();
        var benchmark = new FleetBenchmark(FleetBenchmark.TokensInput, "short_var", "tiny", Documents, workers: 2,
            Fixtures.Require("tiny-modernbert-mlm"), []);

        FleetBenchmarkResult result = await benchmark.RunAsync(Cancellation);

        long tokens = PaperDatasets.Lengths("short_var", Documents, new Random(1)).Sum(length => (long)length);
        Assert.Equal((tokens, Documents), (result.Tokens, result.Documents));
        Assert.InRange(result.Jobs, (tokens + 8191) / 8192, tokens / 8192 + 2);
        Assert.InRange(result.PartFiles, 1, 2);
        Assert.True(result.CommittedSeconds >= result.PlanningSeconds, $"committed at {result.CommittedSeconds} s, planned at {result.PlanningSeconds} s");
        // Each id of a job crosses the broker as at least two bytes of JSON ("5,"), once in and once out.
        Assert.True(result.BrokerReceivedBytesPerS * result.CommittedSeconds >= 2 * tokens, $"{result.BrokerReceivedBytesPerS} bytes/s received");
        Assert.True(result.BrokerSentBytesPerS * result.CommittedSeconds >= 2 * tokens, $"{result.BrokerSentBytesPerS} bytes/s sent");
        Assert.True(result is { BrokerCpuS: > 0, CoordinatorCpuS: > 0, WorkersCpuS: > 0, CoordinatorPeakRssMb: > 0 }, result.ToString());
    }

    [Fact]
    public async Task TextGoesThroughTheBrokerTheSettingsName()
    {
        RabbitMqServer rabbit = await rabbitFixture.GetAsync();
        var benchmark = new FleetBenchmark(FleetBenchmark.TextInput, "short_var", "tiny", Documents, workers: 1, Fixtures.Require("tiny-modernbert-mlm"),
        [
            new("Broker:Transport", "RabbitMq"), new("Broker:Host", "127.0.0.1"), new("Broker:Port", rabbit.Port.ToString()),
            new("Broker:JobQueue", $"bench-{Guid.NewGuid():N}"),
        ]);

        FleetBenchmarkResult result = await benchmark.RunAsync(Cancellation);

        Assert.Equal(Documents, result.Documents);
        Assert.True(result.Tokens > Documents * 32, $"{result.Tokens} tokens");
        Assert.True(result.Jobs >= result.Tokens / 8192, $"{result.Jobs} jobs");
        // The broker runs elsewhere, so only the coordinator's side is measured.
        Assert.Null(result.BrokerCpuS);
        Assert.Null(result.BrokerReceivedBytesPerS);
    }
}
