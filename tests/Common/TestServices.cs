using System.Net;
using System.Net.Sockets;

namespace ModernBert.Tests.Common;

/// <summary>
/// Finds the service programs that scripts/test.sh installs (it exports MODERNBERT_RABBITMQ_BIN and
/// MODERNBERT_AZURITE_BLOB) and picks free loopback ports for them.
/// </summary>
public static class TestServices
{
    public const string RabbitMqBinVariable = "MODERNBERT_RABBITMQ_BIN";
    public const string AzuriteBlobVariable = "MODERNBERT_AZURITE_BLOB";

    /// <summary>The folder of the real rabbitmq-server and rabbitmqctl scripts (not Debian's su wrappers).</summary>
    public static string RequireRabbitMqBin()
    {
        string? folder = Environment.GetEnvironmentVariable(RabbitMqBinVariable);
        if (string.IsNullOrEmpty(folder))
        {
            // Debian links /usr/sbin/rabbitmq-server to a wrapper that switches to the rabbitmq user; the real scripts are beside it.
            string? onPath = Prerequisites.FindOnPath("rabbitmq-server", "/usr/sbin", "/sbin", "/usr/lib/rabbitmq/bin");
            FileSystemInfo? target = onPath == null ? null : File.ResolveLinkTarget(onPath, returnFinalTarget: true);
            folder = Path.GetDirectoryName(target?.FullName ?? onPath);
        }
        if (folder == null || !File.Exists(Path.Combine(folder, "rabbitmq-server")))
            Prerequisites.Missing($"RabbitMQ is not installed (no rabbitmq-server; {RabbitMqBinVariable}={folder ?? "unset"}). Run scripts/test.sh, which installs it.");
        return folder!;
    }

    /// <summary>Erlang's port mapper daemon, which each test broker runs privately on its own port.</summary>
    public static string RequireEpmd()
    {
        string? epmd = Prerequisites.FindOnPath("epmd", "/usr/lib/erlang/bin");
        if (epmd == null)
            Prerequisites.Missing("Erlang's epmd is not on PATH (it comes with RabbitMQ). Run scripts/test.sh, which installs it.");
        return epmd!;
    }

    /// <summary>The azurite-blob program, installed by scripts/test.sh under .tools.</summary>
    public static string RequireAzuriteBlob()
    {
        string program = Environment.GetEnvironmentVariable(AzuriteBlobVariable) is { Length: > 0 } configured
            ? configured
            : Path.Combine(Fixtures.RepositoryRoot, ".tools", "node_modules", ".bin", "azurite-blob");
        if (!File.Exists(program))
            Prerequisites.Missing($"Azurite is not installed ({program} is missing). Run scripts/test.sh, which installs it.");
        return program;
    }

    /// <summary>A TCP port on 127.0.0.1 that nothing listens on right now.</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
