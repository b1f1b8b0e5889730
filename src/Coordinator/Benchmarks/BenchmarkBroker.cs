using Microsoft.Extensions.Configuration;
using ModernBert.Coordinator.LocalServices;
using ModernBert.Fleet;

namespace ModernBert.Coordinator.Benchmarks;

/// <summary>CPU seconds a broker has used, and bytes it has received from its clients and sent them.</summary>
public readonly record struct BrokerUsage(double CpuSeconds, long ReceivedBytes, long SentBytes)
{
    public static BrokerUsage operator -(BrokerUsage end, BrokerUsage start) =>
        new(end.CpuSeconds - start.CpuSeconds, end.ReceivedBytes - start.ReceivedBytes, end.SentBytes - start.SentBytes);
}

/// <summary>
/// The broker of <c>bench fleet</c>: a running one that the settings name (<c>Broker:Transport=RabbitMq</c> and its
/// host, port and credentials), or else a private RabbitMQ node on this machine, started as the integration tests
/// start theirs, whose CPU and I/O are then measured.
/// </summary>
public sealed class BenchmarkBroker : IAsyncDisposable
{
    private readonly RabbitMqServer? _server;

    private BenchmarkBroker(RabbitMqServer? server, IReadOnlyList<KeyValuePair<string, string?>> settings)
    {
        _server = server;
        Settings = settings;
    }

    /// <summary>The broker settings the coordinator and the workers take on top of the user's.</summary>
    public IReadOnlyList<KeyValuePair<string, string?>> Settings { get; }

    public static async Task<BenchmarkBroker> StartAsync(IConfiguration configuration, CancellationToken cancellationToken)
    {
        if (BrokerOptions.TransportOf(configuration) == BrokerTransport.RabbitMq)
            return new BenchmarkBroker(null, []);
        RabbitMqPrograms programs = RabbitMqPrograms.Find(out string? missing)
            ?? throw new ConfigurationException($"{missing} Install RabbitMQ (scripts/test.sh does), set {RabbitMqPrograms.BinVariable} to the folder " +
                "of its rabbitmq-server script, or give a running broker with --set Broker:Transport=RabbitMq --set Broker:Host=HOST.");
        RabbitMqServer server = await RabbitMqServer.StartNewAsync(programs, cancellationToken);
        const string section = BrokerOptions.SectionName;
        return new BenchmarkBroker(server,
        [
            new($"{section}:{nameof(BrokerOptions.Transport)}", nameof(BrokerTransport.RabbitMq)),
            new($"{section}:{nameof(BrokerOptions.Host)}", "127.0.0.1"),
            new($"{section}:{nameof(BrokerOptions.Port)}", server.Port.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            new($"{section}:{nameof(BrokerOptions.Username)}", "guest"),
            new($"{section}:{nameof(BrokerOptions.Password)}", "guest"),
        ]);
    }

    /// <summary>What the private node has used so far; null for a broker of the settings, which runs elsewhere.</summary>
    public async Task<BrokerUsage?> UsageAsync(CancellationToken cancellationToken)
    {
        if (_server?.ProcessId is not int id)
            return null;
        (long received, long sent) = await _server.ConnectionBytesAsync(cancellationToken);
        return new BrokerUsage(ProcessStatistics.TreeCpuSeconds(id), received, sent);
    }

    public async ValueTask DisposeAsync()
    {
        if (_server != null)
            await _server.DisposeAsync();
    }
}
