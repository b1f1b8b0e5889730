using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using ModernBert.Fleet;
using ModernBert.Hub;

namespace ModernBert.Coordinator.Cli;

/// <summary>Configuration of CLI commands: appsettings.json, environment variables, then --set overrides.</summary>
internal static class CliConfiguration
{
    /// <summary>The log category of the hub resolver, whose downloads a user waits for.</summary>
    private static readonly string HubLogCategory = typeof(HuggingFaceModelResolver).Namespace!;

    /// <param name="quietLogs">
    /// Logging defaults to warnings and the hub's downloads, unless the configuration sets Logging:LogLevel:Default:
    /// for a run on a terminal, which leaves the terminal to the progress line, and for commands whose own report on
    /// standard output and errors info lines would bury.
    /// </param>
    public static IConfiguration Build(IEnumerable<string>? overrides, bool quietLogs)
    {
        List<KeyValuePair<string, string?>> pairs = Overrides(overrides);
        IConfiguration configuration = FleetHost.Configuration([], pairs);
        if (!quietLogs || configuration["Logging:LogLevel:Default"] is not null)
            return configuration;
        pairs.Add(new("Logging:LogLevel:Default", nameof(LogLevel.Warning)));
        pairs.Add(new($"Logging:LogLevel:{HubLogCategory}", nameof(LogLevel.Information)));
        return FleetHost.Configuration([], pairs);
    }

    /// <summary>The settings of <c>--set Section:Key=value</c> options.</summary>
    public static List<KeyValuePair<string, string?>> Overrides(IEnumerable<string>? assignments)
    {
        var pairs = new List<KeyValuePair<string, string?>>();
        foreach (string assignment in assignments ?? [])
        {
            int equals = assignment.IndexOf('=');
            if (equals <= 0)
                throw new ConfigurationException($"--set expects Section:Key=value, not '{assignment}'.");
            pairs.Add(new(assignment[..equals], assignment[(equals + 1)..]));
        }
        return pairs;
    }
}
