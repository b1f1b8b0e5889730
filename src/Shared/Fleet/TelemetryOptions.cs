using System.Net;

namespace ModernBert.Fleet;

/// <summary>The HTTP endpoint serving /metrics (Prometheus), /healthz and /readyz (configuration section <c>Telemetry</c>).</summary>
public sealed class TelemetryOptions
{
    public const string SectionName = "Telemetry";

    /// <summary>0 disables the endpoint.</summary>
    public int Port { get; set; } = 9464;

    /// <summary>
    /// The address it listens on: loopback by default, so that a process on a shared host serves nobody else;
    /// <c>0.0.0.0</c> (or <c>::</c>) for every interface, as the container images set it for the probes and Prometheus.
    /// </summary>
    public string Address { get; set; } = "127.0.0.1";

    public IPAddress ListenAddress => IPAddress.Parse(Address);

    /// <summary>Throws <see cref="ConfigurationException"/> when the port is out of range or the address is not one.</summary>
    public void Validate()
    {
        if (Port is < 0 or > ushort.MaxValue)
            throw new ConfigurationException($"{SectionName}:{nameof(Port)} is {Port}; it must be between 0 (off) and {ushort.MaxValue}.");
        if (!IPAddress.TryParse(Address, out _))
            throw new ConfigurationException($"{SectionName}:{nameof(Address)} is '{Address}'; it must be an IP address such as 127.0.0.1 or 0.0.0.0.");
    }
}
