using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ModernBert;
using ModernBert.Composition;
using ModernBert.Fleet;
using ModernBert.Worker;

// modernbert-worker: consumes inference jobs from the broker until stopped (SIGTERM drains in-flight batches).
// Arguments that are no settings, invalid settings, and devices libtorch cannot serve end it at start with one line.
if (WorkerCommandLine.AsksForHelp(args))
{
    Console.WriteLine(WorkerCommandLine.Usage);
    return 0;
}
if (WorkerCommandLine.Problem(args) is { } problem)
{
    await Console.Error.WriteLineAsync("modernbert-worker: " + problem);
    return 1;
}
IConfiguration configuration;
IHost host;
try
{
    configuration = FleetHost.Configuration(args);
    host = FleetHost.Build(configuration, defaultTelemetryPort: 9464, builder => WorkerServices.AddHosted(builder.Services, configuration));
    host.Services.ValidateSettings();
    host.Services.GetRequiredService<IOptions<WorkerOptions>>().Value.EnsureDevicesAvailable();
}
catch (Exception e) when (e is ModernBertException or OptionsValidationException or AggregateException)
{
    IEnumerable<Exception> errors = e is AggregateException aggregate ? aggregate.InnerExceptions : [e];
    if (!errors.All(error => error is ModernBertException or OptionsValidationException))
        throw;
    await Console.Error.WriteLineAsync("modernbert-worker: " + string.Join(" ",
        errors.SelectMany(error => error is OptionsValidationException validation ? validation.Failures : [error.Message])));
    return 1;
}
if (BrokerOptions.TransportOf(configuration) == BrokerTransport.InMemory)
    host.Services.GetRequiredService<ILoggerFactory>().CreateLogger("ModernBert.Worker").LogWarning(
        "Broker:Transport is InMemory: this worker receives no jobs. Set Broker:Transport=RabbitMq and Broker:Host to join a fleet " +
        "(without a broker, modernbert run runs its own worker).");
await host.RunAsync();
return 0;
