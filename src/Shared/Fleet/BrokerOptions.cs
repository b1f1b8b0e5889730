using ModernBert.Composition;
using Microsoft.Extensions.Configuration;

namespace ModernBert.Fleet;

public enum BrokerTransport
{
    /// <summary>MassTransit's in-memory transport: coordinator and workers in one process.</summary>
    InMemory,

    RabbitMq,
}

/// <summary>The message broker (configuration section <c>Broker</c>). The password comes from the environment or a file.</summary>
public sealed class BrokerOptions
{
    public const string SectionName = "Broker";

    public BrokerTransport Transport { get; set; } = BrokerTransport.InMemory;
    public string Host { get; set; } = "localhost";
    public int Port { get; set; } = 5672;
    public string VirtualHost { get; set; } = "/";
    public string Username { get; set; } = "guest";
    public string? Password { get; set; }
    public string? PasswordFile { get; set; }
    public bool UseTls { get; set; }
    public string JobQueue { get; set; } = "modernbert-jobs";

    /// <summary>Messages the broker hands a worker ahead of time; 0 = twice the batch size.</summary>
    public int PrefetchCount { get; set; }

    /// <summary>
    /// The AMQP heartbeat timeout asked of the broker. RabbitMQ closes a connection after missing its heartbeats for about
    /// this long, which requeues the unacknowledged jobs of a frozen (stopped, swapped out, partitioned) worker.
    /// </summary>
    public TimeSpan Heartbeat { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How long a coordinator waits for the broker when it starts, then gives up with an error. A worker waits as long as
    /// it takes, answering liveness probes and not ready meanwhile.
    /// </summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromMinutes(3);

    /// <summary>
    /// <c>Broker:Transport</c>, read on its own before a host is composed, as it decides which bus is registered (the
    /// section as a whole is bound and validated with the other settings).
    /// </summary>
    public static BrokerTransport TransportOf(IConfiguration configuration)
    {
        string? value = configuration[$"{SectionName}:{nameof(Transport)}"];
        if (string.IsNullOrWhiteSpace(value))
            return BrokerTransport.InMemory;
        return Enum.TryParse(value, ignoreCase: true, out BrokerTransport transport) && Enum.IsDefined(transport)
            ? transport
            : throw new ConfigurationException($"{SectionName}:{nameof(Transport)} must be InMemory or RabbitMq, not '{value}'.");
    }

    /// <summary>Throws <see cref="ConfigurationException"/> naming the first setting out of range.</summary>
    public void Validate()
    {
        if (!Enum.IsDefined(Transport))
            throw new ConfigurationException($"{SectionName}:{nameof(Transport)} must be InMemory or RabbitMq, not {Transport}.");
        if (string.IsNullOrWhiteSpace(Host))
            throw new ConfigurationException($"{SectionName}:{nameof(Host)} must not be empty.");
        if (Port is < 1 or > ushort.MaxValue)
            throw new ConfigurationException($"{SectionName}:{nameof(Port)} is {Port}; it must be between 1 and {ushort.MaxValue}.");
        if (string.IsNullOrWhiteSpace(JobQueue))
            throw new ConfigurationException($"{SectionName}:{nameof(JobQueue)} must not be empty.");
        if (Heartbeat < TimeSpan.FromSeconds(1) || Heartbeat > TimeSpan.FromSeconds(ushort.MaxValue))
            throw new ConfigurationException($"{SectionName}:{nameof(Heartbeat)} is {Heartbeat}; it must be between 1 second and {ushort.MaxValue} seconds.");
        if (ConnectTimeout <= TimeSpan.Zero)
            throw new ConfigurationException($"{SectionName}:{nameof(ConnectTimeout)} is {ConnectTimeout}; it must be positive.");
        if (PrefetchCount < 0)
            throw new ConfigurationException($"{SectionName}:{nameof(PrefetchCount)} is {PrefetchCount}; it must be at least 0 (0 = twice the batch size).");
    }

    /// <exception cref="ConfigurationException">The password file cannot be read, or is empty.</exception>
    public string ResolvePassword() => PasswordFile is { Length: > 0 } file
        ? SecretFile.Read(file, $"{SectionName}:{nameof(PasswordFile)}", "the broker password")
        : Password ?? "guest";

    public override string ToString() => Transport == BrokerTransport.InMemory
        ? "in-memory"
        : $"rabbitmq{(UseTls ? "s" : "")}://{Username}@{Host}:{Port}{(VirtualHost.StartsWith('/') ? VirtualHost : "/" + VirtualHost)}";
}
