namespace ModernBert.Coordinator.LocalServices;

/// <summary>
/// The programs a private <see cref="RabbitMqServer"/> runs: the real rabbitmq-server script (not Debian's su wrapper),
/// from <c>MODERNBERT_RABBITMQ_BIN</c> or beside the rabbitmq-server found on PATH, and Erlang's epmd.
/// </summary>
public sealed record RabbitMqPrograms(string ServerScript, string Epmd)
{
    public const string BinVariable = "MODERNBERT_RABBITMQ_BIN";

    /// <summary>rabbitmqctl, beside rabbitmq-server.</summary>
    public string ControlScript => Path.Combine(Path.GetDirectoryName(ServerScript)!, "rabbitmqctl");

    /// <summary>The installed programs, or null with <paramref name="missing"/> saying what is missing.</summary>
    public static RabbitMqPrograms? Find(out string? missing)
    {
        string? folder = Environment.GetEnvironmentVariable(BinVariable);
        if (string.IsNullOrEmpty(folder))
        {
            // Debian links /usr/sbin/rabbitmq-server to a wrapper that switches to the rabbitmq user; the real scripts are beside it.
            string? onPath = ExecutablePath.Find("rabbitmq-server", "/usr/sbin", "/sbin", "/usr/lib/rabbitmq/bin");
            FileSystemInfo? target = onPath == null ? null : File.ResolveLinkTarget(onPath, returnFinalTarget: true);
            folder = Path.GetDirectoryName(target?.FullName ?? onPath);
        }
        string? epmd = ExecutablePath.Find("epmd", "/usr/lib/erlang/bin");
        missing = folder == null || !File.Exists(Path.Combine(folder, "rabbitmq-server"))
            ? $"RabbitMQ is not installed (no rabbitmq-server; {BinVariable}={folder ?? "unset"})."
            : epmd == null ? "Erlang's epmd is not on PATH (it comes with RabbitMQ)." : null;
        return missing == null ? new RabbitMqPrograms(Path.Combine(folder!, "rabbitmq-server"), epmd!) : null;
    }
}
