using System.Diagnostics;
using System.Globalization;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace ModernBert.Coordinator.LocalServices;

/// <summary>
/// A private RabbitMQ node on 127.0.0.1: its own node name, free AMQP and distribution ports, its own epmd on a free
/// port (so it neither needs nor disturbs another node's), its own HOME (hence its own Erlang cookie) and data and log
/// folders in a temporary folder, no plugins. The user is guest/guest (allowed from localhost only).
/// <see cref="ServiceProcess.StopAsync"/> and <see cref="ServiceProcess.StartAsync"/> restart the broker with its data
/// (durable queues and persistent messages survive).
/// </summary>
public sealed class RabbitMqServer : ServiceProcess
{
    private readonly RabbitMqPrograms _programs;
    private readonly Dictionary<string, string> _environment;
    private readonly ChildProcess _epmd;

    private RabbitMqServer(RabbitMqPrograms programs, string folder, ChildProcess epmd, int epmdPort)
        : base(folder, startTimeout: TimeSpan.FromSeconds(120), stopGrace: TimeSpan.FromSeconds(30))
    {
        _programs = programs;
        _epmd = epmd;
        Port = LocalPorts.Free();
        NodeName = $"modernbert-local-{Guid.NewGuid().ToString("N")[..8]}@localhost";
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
            ["RABBITMQ_DIST_PORT"] = LocalPorts.Free().ToString(),
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

    /// <summary>Starts a new node with <paramref name="programs"/>.</summary>
    public static Task<RabbitMqServer> StartNewAsync(RabbitMqPrograms programs, CancellationToken cancellationToken = default) =>
        StartNewAsync(() =>
        {
            string folder = Directory.CreateTempSubdirectory("modernbert-rabbitmq-").FullName;
            int epmdPort = LocalPorts.Free();
            ChildProcess epmd = ChildProcess.Start(programs.Epmd, ["-port", epmdPort.ToString(), "-address", "127.0.0.1"],
                new Dictionary<string, string>(), folder);
            return new RabbitMqServer(programs, folder, epmd, epmdPort);
        }, cancellationToken);

    /// <summary>A connection factory for this broker.</summary>
    public ConnectionFactory CreateConnectionFactory() => new() { Uri = AmqpUri };

    /// <summary>Bytes the node has received and sent on its open client connections, as <c>rabbitmqctl list_connections</c> reads them from their sockets.</summary>
    public async Task<(long Received, long Sent)> ConnectionBytesAsync(CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(_programs.ControlScript, ["list_connections", "recv_oct", "send_oct", "--quiet", "--no-table-headers"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach ((string name, string value) in _environment)
            start.Environment[name] = value;
        using Process control = Process.Start(start) ?? throw new InvalidOperationException($"{_programs.ControlScript} did not start.");
        Task<string> errors = control.StandardError.ReadToEndAsync(cancellationToken);
        string output = await control.StandardOutput.ReadToEndAsync(cancellationToken);
        await control.WaitForExitAsync(cancellationToken);
        if (control.ExitCode != 0)
            throw new InvalidOperationException($"rabbitmqctl list_connections on {Description} exited with code {control.ExitCode}: {await errors}");
        long received = 0, sent = 0;
        foreach (string line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            string[] columns = line.Split('\t');
            received += long.Parse(columns[0], CultureInfo.InvariantCulture);
            sent += long.Parse(columns[1], CultureInfo.InvariantCulture);
        }
        return (received, sent);
    }

    public override async ValueTask DisposeAsync()
    {
        _epmd.Dispose();
        await base.DisposeAsync();
    }

    protected override ChildProcess Launch() => ChildProcess.Start(_programs.ServerScript, [], _environment, Folder);

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
