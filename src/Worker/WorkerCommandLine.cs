using ModernBert.Fleet;
using ModernBert.Hub;
using ModernBert.Outputs;
using ModernBert.Resilience;
using ModernBert.Storage;

namespace ModernBert.Worker;

/// <summary>
/// The arguments of modernbert-worker: settings as <c>--Section:Key=value</c> or <c>--Section:Key value</c> (what .NET's
/// command-line configuration reads), or <c>--help</c>. Anything else would be passed over by that reader (a bare
/// <c>--help</c> started a worker; <c>--set Worker:BatchJobs=2</c>, the CLI's form, was dropped), so it is refused.
/// </summary>
public static class WorkerCommandLine
{
    /// <summary>The top-level sections of the worker's settings (Logging's are .NET's).</summary>
    public static readonly string[] Sections =
    [
        BrokerOptions.SectionName, HuggingFaceOptions.SectionName, "Logging", OutputOptions.SectionName,
        ResilienceOptions.StorageSection.Split(':')[0], StorageOptions.SectionName, TelemetryOptions.SectionName, WorkerOptions.SectionName,
    ];

    public static string Usage =>
        "Usage: modernbert-worker [--Section:Key=value ...]\n\n" +
        "Takes inference jobs from RabbitMQ until stopped (SIGTERM lets the batches in flight finish).\n" +
        "Settings come from appsettings.json in the working directory, environment variables (Section__Key) and\n" +
        $"--Section:Key=value arguments, e.g. --Broker:Host=rabbitmq --Worker:Devices=cuda:0. Sections: {string.Join(", ", Sections)}\n" +
        "(README, Configuration).";

    /// <summary>Whether the arguments ask for the usage.</summary>
    public static bool AsksForHelp(IEnumerable<string> args) => args.Any(arg => arg is "--help" or "-h" or "-?" or "/?");

    /// <summary>Why the arguments cannot be read as settings; null when they can.</summary>
    public static string? Problem(IReadOnlyList<string> args)
    {
        for (int i = 0; i < args.Count; i++)
        {
            string arg = args[i];
            if (!arg.StartsWith("--", StringComparison.Ordinal))
                return $"'{arg}' is not a setting: give settings as --Section:Key=value (modernbert-worker --help).";
            int equals = arg.IndexOf('=');
            string key = equals < 0 ? arg[2..] : arg[2..equals];
            if (equals < 0 && ++i == args.Count)
                return $"{arg} has no value: give settings as --Section:Key=value.";
            string section = key.Split(':')[0];
            if (!key.Contains(':') || !Sections.Contains(section, StringComparer.OrdinalIgnoreCase))
                return $"--{key} is not a setting: give settings as --Section:Key=value, in the sections {string.Join(", ", Sections)} " +
                    "(modernbert-worker --help).";
        }
        return null;
    }
}
