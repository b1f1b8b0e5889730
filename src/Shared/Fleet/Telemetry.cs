using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Prometheus;

namespace ModernBert.Fleet;

/// <summary>
/// Kestrel serving Prometheus metrics and the Kubernetes probes: /healthz (the process is alive) and /readyz (every
/// health check tagged "ready" passes, such as the bus being connected).
/// </summary>
public static class Telemetry
{
    public const string ReadyTag = "ready";

    public static void AddEndpoints(WebApplicationBuilder builder, TelemetryOptions options)
    {
        EnsureFree(options);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            if (options.Port > 0)
                kestrel.Listen(options.ListenAddress, options.Port);
        });
        builder.Services.AddHealthChecks();
    }

    /// <summary>
    /// Fails with one line when the endpoint cannot listen (another process has the port, say), before the host starts,
    /// where Kestrel's own failure would end the process with a stack trace.
    /// </summary>
    private static void EnsureFree(TelemetryOptions options)
    {
        try
        {
            var probe = new TcpListener(options.ListenAddress, options.Port);
            probe.Start();
            probe.Stop();
        }
        catch (SocketException e)
        {
            throw new ConfigurationException($"{TelemetryOptions.SectionName}:{nameof(TelemetryOptions.Port)} {options.Port} on {options.Address} " +
                $"cannot serve metrics: {e.Message}. Set {TelemetryOptions.SectionName}:{nameof(TelemetryOptions.Port)} to a free port (0 serves none).");
        }
    }

    public static void MapEndpoints(WebApplication app)
    {
        app.MapMetrics("/metrics");
        app.MapHealthChecks("/healthz", new HealthCheckOptions { Predicate = _ => false });
        app.MapHealthChecks("/readyz", new HealthCheckOptions { Predicate = check => check.Tags.Contains(ReadyTag) });
    }
}
