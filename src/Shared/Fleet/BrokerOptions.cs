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

    public string ResolvePassword() =>
        PasswordFile is { Length: > 0 } file ? File.ReadAllText(file).Trim() : Password ?? "guest";

    public override string ToString() => Transport == BrokerTransport.InMemory
        ? "in-memory"
        : $"rabbitmq{(UseTls ? "s" : "")}://{Username}@{Host}:{Port}{(VirtualHost.StartsWith('/') ? VirtualHost : "/" + VirtualHost)}";
}
