using System.Diagnostics;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace ModernBert.Tests.Common;

/// <summary>
/// A private RabbitMQ node on 127.0.0.1: its own node name, free AMQP and distribution ports, its own epmd on a free
/// port (so it neither needs nor disturbs another node's), its own HOME (hence its own Erlang cookie) and data and log
/// folders in a temporary folder, no plugins. The user is guest/guest (allowed from localhost only).
/// <see cref="StopAsync"/> and <see cref="StartAsync"/> restart the broker with its data (durable queues and persistent
/// messages survive).
/// </summary>
public sealed class RabbitMqServer : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(120);
    private readonly string _serverScript;
    private readonly string _folder;
    private readonly Dictionary<string, string> _environment;
    private readonly ChildProcess _epmd;
    private ChildProcess? _node;

    private RabbitMqServer(string serverScript, string folder, ChildProcess epmd, int epmdPort)
    {
        _serverScript = serverScript;
        _folder = folder;
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

    /// <summary>How long the last start took until the broker accepted an AMQP connection.</summary>
    public TimeSpan LastStartDuration { get; private set; }

    /// <summary>Starts a new node; skips the test (fails under CI) when RabbitMQ is not installed.</summary>
    public static async Task<RabbitMqServer> StartNewAsync(CancellationToken cancellationToken = default)
    {
        string serverScript = Path.Combine(TestServices.RequireRabbitMqBin(), "rabbitmq-server");
        string epmdProgram = TestServices.RequireEpmd();
        string folder = Directory.CreateTempSubdirectory("modernbert-rabbitmq-").FullName;
        int epmdPort = TestServices.FreePort();
        ChildProcess epmd = ChildProcess.Start(epmdProgram, ["-port", epmdPort.ToString(), "-address", "127.0.0.1"],
            new Dictionary<string, string>(), folder);
        var server = new RabbitMqServer(serverScript, folder, epmd, epmdPort);
        try
        {
            await server.StartAsync(cancellationToken);
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    /// <summary>A connection factory for this broker.</summary>
    public ConnectionFactory CreateConnectionFactory() => new() { Uri = AmqpUri };

    /// <summary>Starts the node again after <see cref="StopAsync"/>, with the same name, ports and data.</summary>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        if (_node is { HasExited: false })
            throw new InvalidOperationException($"RabbitMQ node {NodeName} is already running.");
        _node?.Dispose();
        var stopwatch = Stopwatch.StartNew();
        _node = ChildProcess.Start(_serverScript, [], _environment, _folder);
        ConnectionFactory factory = CreateConnectionFactory();
        await _node.WaitUntilAsync($"RabbitMQ node {NodeName} on port {Port}", StartTimeout, async token =>
        {
            try
            {
                await using IConnection connection = await factory.CreateConnectionAsync(token);
                return true;
            }
            catch (BrokerUnreachableException)
            {
                return false;
            }
        }, cancellationToken);
        LastStartDuration = stopwatch.Elapsed;
    }

    /// <summary>Stops the node gracefully (SIGTERM to its start script, which stops the Erlang VM cleanly).</summary>
    public async Task StopAsync()
    {
        if (_node != null)
            await _node.TerminateAsync(TimeSpan.FromSeconds(30));
    }

    public async ValueTask DisposeAsync()
    {
        _node?.Dispose();
        _node = null;
        _epmd.Dispose();
        await Task.Run(() => Directory.Delete(_folder, recursive: true));
    }
}
