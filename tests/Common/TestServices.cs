namespace ModernBert.Tests.Common;

/// <summary>
/// Finds the service programs that scripts/test.sh installs (it exports MODERNBERT_RABBITMQ_BIN and
/// MODERNBERT_AZURITE_BLOB) and picks free loopback ports for them.
/// </summary>
public static class TestServices
{
    public const string RabbitMqBinVariable = RabbitMqPrograms.BinVariable;
    public const string AzuriteBlobVariable = "MODERNBERT_AZURITE_BLOB";

    /// <summary>RabbitMQ's programs; skips the test (fails it under CI) when they are not installed.</summary>
    public static RabbitMqPrograms RequireRabbitMq()
    {
        RabbitMqPrograms? programs = RabbitMqPrograms.Find(out string? missing);
        if (programs == null)
            Prerequisites.Missing($"{missing} Run scripts/test.sh, which installs it.");
        return programs!;
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
    public static int FreePort() => LocalPorts.Free();
}
