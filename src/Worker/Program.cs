using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using ModernBert;
using ModernBert.Composition;
using ModernBert.Fleet;
using ModernBert.Worker;

// modernbert-worker: consumes inference jobs from the broker until stopped (SIGTERM drains in-flight batches).
// Invalid settings end it at start with one line naming each key.
IConfiguration configuration = FleetHost.Configuration(args);
IHost host;
try
{
    host = FleetHost.Build(configuration, defaultTelemetryPort: 9464, builder => WorkerServices.AddHosted(builder.Services, configuration));
    host.Services.ValidateSettings();
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
await host.RunAsync();
return 0;
