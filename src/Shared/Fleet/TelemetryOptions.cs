namespace ModernBert.Fleet;

/// <summary>The HTTP port serving /metrics (Prometheus), /healthz and /readyz (configuration section <c>Telemetry</c>).</summary>
public sealed class TelemetryOptions
{
    public const string SectionName = "Telemetry";

    /// <summary>0 disables the endpoint.</summary>
    public int Port { get; set; } = 9464;

    /// <summary>Throws <see cref="ConfigurationException"/> when the port is out of range.</summary>
    public void Validate()
    {
        if (Port is < 0 or > ushort.MaxValue)
            throw new ConfigurationException($"{SectionName}:{nameof(Port)} is {Port}; it must be between 0 (off) and {ushort.MaxValue}.");
    }
}
