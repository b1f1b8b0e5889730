using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using ModernBert.Fleet;
using ModernBert.Worker;

// modernbert-worker: consumes inference jobs from the broker until stopped (SIGTERM drains in-flight batches).
IConfiguration configuration = FleetHost.Configuration(args);
IHost host = FleetHost.Build(configuration, defaultTelemetryPort: 9464, builder => WorkerServices.AddHosted(builder.Services, configuration));
await host.RunAsync();
