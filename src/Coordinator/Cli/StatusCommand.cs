using System.CommandLine;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using ModernBert.Coordinator.Runs;

namespace ModernBert.Coordinator.Cli;

/// <summary><c>modernbert status RUN_ID</c>: a run's state, read from its journal in the runs store.</summary>
internal static class StatusCommand
{
    public static Command Create()
    {
        var runId = new Argument<string>("run-id") { Description = "The run's id." };
        runId.Validators.Add(result =>
        {
            if (RunIds.Problem(result.GetValueOrDefault<string>() ?? "", "run-id") is { } problem)
                result.AddError(problem);
        });
        var json = new Option<bool>("--json") { Description = "Print the status as JSON." };
        var set = new Option<string[]>("--set") { Description = "Configuration override Section:Key=value (repeatable), e.g. --set Runs:Location=az://c/runs." };
        var command = new Command("status", "Prints a run's progress and outcome from storage.") { runId, json, set };
        command.SetAction((result, cancellationToken) => CommandOutcome.RunAsync("status", result.InvocationConfiguration.Error, async () =>
        {
            IConfiguration configuration = CliConfiguration.Build(result.GetValue(set), quietLogs: false);
            using IHost host = CoordinatorHost.ForStatus(configuration);
            await CoordinatorHost.StartAsync(host, cancellationToken);
            var store = host.Services.GetRequiredService<RunStore>();
            string id = result.GetValue(runId)!;
            RunSpec spec = await store.ReadExistingSpecAsync(id, cancellationToken);
            (RunState state, _) = await store.ReplayAsync(id, cancellationToken);
            RunStatusReport report = RunStatusReport.Create(spec, state, state.Finished is null && await store.IsDrivenAsync(id, cancellationToken));
            await result.InvocationConfiguration.Output.WriteLineAsync(result.GetValue(json) ? JsonSerializer.Serialize(report, RunStatusReport.Json) : report.Describe());
            await host.StopAsync(CancellationToken.None);
            return ExitCodes.Completed;
        }, cancellationToken));
        return command;
    }
}
