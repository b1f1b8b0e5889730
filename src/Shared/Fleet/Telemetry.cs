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
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            if (options.Port > 0)
                kestrel.ListenAnyIP(options.Port);
        });
        builder.Services.AddHealthChecks();
    }

    public static void MapEndpoints(WebApplication app)
    {
        app.MapMetrics("/metrics");
        app.MapHealthChecks("/healthz", new HealthCheckOptions { Predicate = _ => false });
        app.MapHealthChecks("/readyz", new HealthCheckOptions { Predicate = check => check.Tags.Contains(ReadyTag) });
    }
}
