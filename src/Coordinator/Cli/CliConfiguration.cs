using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Configuration.Json;
using Microsoft.Extensions.Logging;
using ModernBert.Coordinator.Planning;
using ModernBert.Coordinator.Runs;
using ModernBert.Fleet;
using ModernBert.Hub;
using ModernBert.Inputs;
using ModernBert.Outputs;
using ModernBert.Resilience;
using ModernBert.Storage;
using ModernBert.Worker;

namespace ModernBert.Coordinator.Cli;

/// <summary>Configuration of CLI commands: appsettings.json, environment variables, then --set overrides.</summary>
internal static class CliConfiguration
{
    /// <summary>The log category of the hub resolver, whose downloads a user waits for.</summary>
    private static readonly string HubLogCategory = typeof(HuggingFaceModelResolver).Namespace!;

    /// <summary>The top-level sections of the settings, whose keys the hosts check (Logging's are .NET's).</summary>
    public static readonly string[] Sections =
    [
        BrokerOptions.SectionName, CoordinatorOptions.SectionName, HuggingFaceOptions.SectionName, InputOptions.SectionName, "Logging",
        OutputOptions.SectionName, PlanningOptions.SectionName, ResilienceOptions.StorageSection.Split(':')[0], RunsOptions.SectionName,
        StorageOptions.SectionName, TelemetryOptions.SectionName, WorkerOptions.SectionName,
    ];

    /// <param name="quietLogs">
    /// Logging defaults to warnings and the hub's downloads, unless the configuration sets Logging:LogLevel:Default:
    /// for a run on a terminal, which leaves the terminal to the progress line, and for commands whose own report on
    /// standard output and errors info lines would bury.
    /// </param>
    public static IConfiguration Build(IEnumerable<string>? overrides, bool quietLogs)
    {
        List<KeyValuePair<string, string?>> pairs = Overrides(overrides);
        IConfiguration configuration = FleetHost.Configuration([], pairs);
        CheckFileSections(configuration);
        if (!quietLogs || configuration["Logging:LogLevel:Default"] is not null)
            return configuration;
        pairs.Add(new("Logging:LogLevel:Default", nameof(LogLevel.Warning)));
        pairs.Add(new($"Logging:LogLevel:{HubLogCategory}", nameof(LogLevel.Information)));
        return FleetHost.Configuration([], pairs);
    }

    /// <summary>
    /// Refuses a top-level section of appsettings.json that names none of the settings (<c>Run</c> for <c>Runs</c>): the
    /// hosts check the keys of the sections they read, and the file's settings there would be passed over (a run's
    /// output written elsewhere than configured). Keys starting with '$' (an editor's <c>$schema</c>) are not settings.
    /// </summary>
    private static void CheckFileSections(IConfiguration configuration)
    {
        foreach (JsonConfigurationProvider file in ((IConfigurationRoot)configuration).Providers.OfType<JsonConfigurationProvider>())
        {
            foreach (string section in file.GetChildKeys([], null).Distinct(StringComparer.OrdinalIgnoreCase))
            {
                if (!section.StartsWith('$') && NotASection(section) is { } problem)
                    throw new ConfigurationException($"{file.Source.Path}: {problem}");
            }
        }
    }

    /// <summary>Why <paramref name="section"/> names none of the settings' sections; null when it names one.</summary>
    private static string? NotASection(string section) => Sections.Contains(section, StringComparer.OrdinalIgnoreCase)
        ? null
        : $"{section} is not a section of the settings, which are {string.Join(", ", Sections)} (see README, Configuration).";

    /// <summary>The settings of <c>--set Section:Key=value</c> options.</summary>
    /// <exception cref="ConfigurationException">An assignment is not Section:Key=value, or names no section of the settings (a typo the hosts would pass over).</exception>
    public static List<KeyValuePair<string, string?>> Overrides(IEnumerable<string>? assignments)
    {
        var pairs = new List<KeyValuePair<string, string?>>();
        foreach (string assignment in assignments ?? [])
        {
            int equals = assignment.IndexOf('=');
            if (equals <= 0)
                throw new ConfigurationException($"--set expects Section:Key=value, not '{assignment}'.");
            string key = assignment[..equals];
            string section = key.Split(':')[0];
            if (NotASection(section) is { } problem)
                throw new ConfigurationException($"--set {assignment}: {problem}");
            pairs.Add(new(key, assignment[(equals + 1)..]));
        }
        return pairs;
    }
}
