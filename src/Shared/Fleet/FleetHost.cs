using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using ModernBert.Composition;

namespace ModernBert.Fleet;

/// <summary>
/// The generic host of a fleet process over a given configuration. With a telemetry port it is a web host serving
/// metrics and probes there; without, a plain host that opens no port.
/// </summary>
public static class FleetHost
{
    /// <summary>
    /// The host builders' own appsettings.json is not watched for changes: the configuration a host is given
    /// (<see cref="Configuration"/>) is read once, and watching would put an inotify watch on every folder under the
    /// working directory, which a data or home folder can hold by the thousand.
    /// </summary>
    private static readonly string[] HostArguments = ["--hostBuilder:reloadConfigOnChange=false"];

    /// <summary>A plain host builder over the process's defaults, its appsettings.json read once.</summary>
    public static HostApplicationBuilder CreatePlainBuilder() => Host.CreateApplicationBuilder(HostArguments);

    /// <summary>
    /// appsettings.json of the working directory (not the program's folder, which a user does not edit), environment
    /// variables, then <c>--Section:Key=value</c> arguments and the given overrides.
    /// </summary>
    /// <exception cref="ConfigurationException">appsettings.json is not valid JSON (the message says where).</exception>
    public static IConfiguration Configuration(string[] args, IEnumerable<KeyValuePair<string, string?>>? overrides = null)
    {
        try
        {
            return new ConfigurationBuilder()
                .SetBasePath(Environment.CurrentDirectory)
                .AddJsonFile("appsettings.json", optional: true)
                .AddEnvironmentVariables()
                .AddCommandLine(args)
                .AddInMemoryCollection(overrides ?? [])
                .Build();
        }
        catch (InvalidDataException e) when (e.InnerException is not null)
        {
            // .NET says only which file; its JSON reader's message, innermost, says where and what (lines count from 0).
            throw new ConfigurationException($"{e.Message.TrimEnd('.')}: {e.GetBaseException().Message}", e);
        }
    }

    /// <summary>A host whose configuration is <paramref name="configuration"/> (added last, so it wins over the host's defaults).</summary>
    public static IHost Build(IConfiguration configuration, int defaultTelemetryPort, Action<IHostApplicationBuilder> configure)
    {
        // Read before the host exists, as it decides which host is built.
        TelemetryOptions telemetry = new() { Port = defaultTelemetryPort };
        SettingsRegistration.Bind(configuration.GetSection(TelemetryOptions.SectionName), telemetry);
        telemetry.Validate();
        if (telemetry.Port > 0)
        {
            WebApplicationBuilder web = WebApplication.CreateBuilder(new WebApplicationOptions { Args = HostArguments });
            web.Configuration.AddConfiguration(configuration);
            Telemetry.AddEndpoints(web, telemetry);
            configure(web);
            WebApplication app = web.Build();
            Telemetry.MapEndpoints(app);
            return app;
        }
        HostApplicationBuilder plain = CreatePlainBuilder();
        plain.Configuration.AddConfiguration(configuration);
        configure(plain);
        return plain.Build();
    }
}
