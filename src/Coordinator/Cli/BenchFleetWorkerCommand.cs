using System.CommandLine;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using ModernBert.Composition;
using ModernBert.Coordinator.Benchmarks;
using ModernBert.Fleet;
using ModernBert.Worker;

namespace ModernBert.Coordinator.Cli;

/// <summary>
/// <c>modernbert bench fleet-worker</c> (hidden): one of <c>bench fleet</c>'s workers, the worker's composition with the
/// stand-in model, configured like modernbert-worker (environment variables), until stopped.
/// </summary>
internal static class BenchFleetWorkerCommand
{
    public static Command Create()
    {
        var command = new Command("fleet-worker", "A stand-in worker of bench fleet (started by it).") { Hidden = true };
        command.SetAction((result, cancellationToken) => CommandOutcome.RunAsync("bench fleet-worker", result.InvocationConfiguration.Error, async () =>
        {
            IConfiguration configuration = FleetHost.Configuration([]);
            using IHost host = FleetHost.Build(configuration, defaultTelemetryPort: 0, builder =>
            {
                WorkerServices.AddHosted(builder.Services, configuration);
                builder.Services.Replace(ServiceDescriptor.Singleton<IDeviceModelLoader, StandInModelLoader>());
            });
            host.Services.ValidateSettings();
            await host.RunAsync(cancellationToken);
            return ExitCodes.Completed;
        }, cancellationToken));
        return command;
    }
}
