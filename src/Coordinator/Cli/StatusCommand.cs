using System.CommandLine;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using ModernBert.Coordinator.Runs;
using ModernBert.Storage;

namespace ModernBert.Coordinator.Cli;

/// <summary><c>modernbert status RUN_ID</c>: a run's state, read from its journal in the runs store.</summary>
internal static class StatusCommand
{
    public static Command Create()
    {
        var runId = new Argument<string>("run-id") { Description = "The run's id." };
        var json = new Option<bool>("--json") { Description = "Print the status as JSON." };
        var set = new Option<string[]>("--set") { Description = "Configuration override Section:Key=value (repeatable), e.g. --set Runs:Location=az://c/runs." };
        var command = new Command("status", "Prints a run's progress and outcome from storage.") { runId, json, set };
        command.SetAction(async (result, cancellationToken) =>
        {
            IConfiguration configuration = CliConfiguration.Build(result.GetValue(set), interactive: false);
            using ILoggerFactory logging = CliConfiguration.Logging(configuration);
            var runs = new RunsOptions();
            configuration.GetSection(RunsOptions.SectionName).Bind(runs);
            string location = runs.AbsoluteLocation();
            var store = new RunStore(ObjectStoreFactory.FromConfiguration(configuration, logging).OpenFolder(StoreLocation.Parse(location)), location);
            string id = result.GetValue(runId)!;
            RunSpec? spec = await store.ReadSpecAsync(id, cancellationToken);
            if (spec == null)
            {
                Console.Error.WriteLine($"modernbert status: there is no run {id} in {store.DescribeRun(id)} (set Runs:Location to the runs store).");
                return 1;
            }
            (RunState state, _) = await store.ReplayAsync(id, cancellationToken);
            RunStatusReport report = RunStatusReport.Create(spec, state);
            Console.WriteLine(result.GetValue(json) ? JsonSerializer.Serialize(report, RunStatusReport.Json) : report.Describe());
            return 0;
        });
        return command;
    }
}
