using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace ModernBert.Tests.Common;

/// <summary>
/// A private RabbitMQ node on 127.0.0.1: its own node name, free AMQP and distribution ports, its own epmd on a free
/// port (so it neither needs nor disturbs another node's), its own HOME (hence its own Erlang cookie) and data and log
/// folders in a temporary folder, no plugins. The user is guest/guest (allowed from localhost only).
/// <see cref="ServiceProcess.StopAsync"/> and <see cref="ServiceProcess.StartAsync"/> restart the broker with its data
/// (durable queues and persistent messages survive).
/// </summary>
public sealed class RabbitMqServer : ServiceProcess
{
    private readonly string _serverScript;
    private readonly Dictionary<string, string> _environment;
    private readonly ChildProcess _epmd;

    private RabbitMqServer(string serverScript, string folder, ChildProcess epmd, int epmdPort)
        : base(folder, startTimeout: TimeSpan.FromSeconds(120), stopGrace: TimeSpan.FromSeconds(30))
    {
        _serverScript = serverScript;
        _epmd = epmd;
        Port = TestServices.FreePort();
        NodeName = $"modernbert-test-{Guid.NewGuid().ToString("N")[..8]}@localhost";
        string configuration = Path.Combine(folder, "etc");
        Directory.CreateDirectory(configuration);
        File.WriteAllText(Path.Combine(configuration, "enabled_plugins"), "[].");
        _environment = new Dictionary<string, string>
        {
            ["HOME"] = Path.Combine(folder, "home"),
            ["ERL_EPMD_PORT"] = epmdPort.ToString(),
            ["ERL_EPMD_ADDRESS"] = "127.0.0.1",
            ["RABBITMQ_NODENAME"] = NodeName,
            ["RABBITMQ_NODE_IP_ADDRESS"] = "127.0.0.1",
            ["RABBITMQ_NODE_PORT"] = Port.ToString(),
            ["RABBITMQ_DIST_PORT"] = TestServices.FreePort().ToString(),
            ["RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS"] = "-kernel inet_dist_use_interface {127,0,0,1}",
            ["RABBITMQ_MNESIA_BASE"] = Path.Combine(folder, "mnesia"),
            ["RABBITMQ_LOG_BASE"] = Path.Combine(folder, "log"),
            ["RABBITMQ_LOGS"] = "-",
            ["RABBITMQ_CONF_ENV_FILE"] = Path.Combine(configuration, "rabbitmq-env.conf"),
            ["RABBITMQ_CONFIG_FILE"] = Path.Combine(configuration, "rabbitmq"),
            ["RABBITMQ_ADVANCED_CONFIG_FILE"] = Path.Combine(configuration, "advanced.config"),
            ["RABBITMQ_ENABLED_PLUGINS_FILE"] = Path.Combine(configuration, "enabled_plugins"),
            ["RABBITMQ_PLUGINS_EXPAND_DIR"] = Path.Combine(folder, "plugins-expand"),
        };
        Directory.CreateDirectory(_environment["HOME"]);
    }

    /// <summary>The AMQP port on 127.0.0.1.</summary>
    public int Port { get; }

    public string NodeName { get; }

    /// <summary>amqp://guest:guest@127.0.0.1:PORT/</summary>
    public Uri AmqpUri => new($"amqp://guest:guest@127.0.0.1:{Port}/");

    protected override string Description => $"RabbitMQ node {NodeName} on port {Port}";

    /// <summary>Starts a new node; skips the test (fails under CI) when RabbitMQ is not installed.</summary>
    public static Task<RabbitMqServer> StartNewAsync(CancellationToken cancellationToken = default)
    {
        string serverScript = Path.Combine(TestServices.RequireRabbitMqBin(), "rabbitmq-server");
        string epmdProgram = TestServices.RequireEpmd();
        return StartNewAsync(() =>
        {
            string folder = Directory.CreateTempSubdirectory("modernbert-rabbitmq-").FullName;
            int epmdPort = TestServices.FreePort();
            ChildProcess epmd = ChildProcess.Start(epmdProgram, ["-port", epmdPort.ToString(), "-address", "127.0.0.1"],
                new Dictionary<string, string>(), folder);
            return new RabbitMqServer(serverScript, folder, epmd, epmdPort);
        }, cancellationToken);
    }

    /// <summary>A connection factory for this broker.</summary>
    public ConnectionFactory CreateConnectionFactory() => new() { Uri = AmqpUri };

    public override async ValueTask DisposeAsync()
    {
        _epmd.Dispose();
        await base.DisposeAsync();
    }

    protected override ChildProcess Launch() => ChildProcess.Start(_serverScript, [], _environment, Folder);

    protected override async Task<bool> IsAnsweringAsync(CancellationToken cancellationToken)
    {
        try
        {
            await using IConnection connection = await CreateConnectionFactory().CreateConnectionAsync(cancellationToken);
            return true;
        }
        catch (BrokerUnreachableException)
        {
            return false;
        }
    }
}
