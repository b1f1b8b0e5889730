namespace ModernBert.Fleet;

/// <summary>The HTTP port serving /metrics (Prometheus), /healthz and /readyz (configuration section <c>Telemetry</c>).</summary>
public sealed class TelemetryOptions
{
    public const string SectionName = "Telemetry";

    /// <summary>0 disables the endpoint.</summary>
    public int Port { get; set; } = 9464;
}
