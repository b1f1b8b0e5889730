using System.CommandLine;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using ModernBert.Coordinator.Runs;
using ModernBert.Inference;
using ModernBert.Modeling;
using ModernBert.Outputs;

namespace ModernBert.Coordinator.Cli;

/// <summary><c>modernbert run</c>: embeds or classifies a corpus, in this process or on a fleet of workers.</summary>
internal static class RunCommand
{
    public static Command Create()
    {
        var input = new Option<string[]>("--input") { Description = "Corpus locations: files, folders or globs, local or az://container/prefix (repeatable).", AllowMultipleArgumentsPerToken = true };
        var output = new Option<string?>("--output") { Description = "Output location (default: the run's folder under Runs:Location)." };
        var model = new Option<string?>("--model") { Description = "A Hugging Face model folder or hub id." };
        var revision = new Option<string?>("--revision") { Description = "Hub revision (branch, tag or commit)." };
        var task = new Option<InferenceTask>("--task") { Description = "embed or classify.", DefaultValueFactory = _ => InferenceTask.Embed };
        var runId = new Option<string?>("--run-id") { Description = "Run id; an existing run with this id is resumed (for retried jobs)." };
        var resume = new Option<string?>("--resume") { Description = "Resume the run with this id after a crash or interruption." };
        var pooling = new Option<PoolingMode?>("--pooling") { Description = "cls or mean (default: the checkpoint's)." };
        var normalize = new Option<bool?>("--normalize") { Description = "L2-normalize embeddings (default: the checkpoint's)." };
        var dims = new Option<int?>("--dims") { Description = "Keep the first N embedding dimensions (Matryoshka)." };
        var precision = new Option<EmbeddingPrecision>("--precision") { Description = "Float32 or Float16 embeddings.", DefaultValueFactory = _ => EmbeddingPrecision.Float32 };
        var set = new Option<string[]>("--set") { Description = "Configuration override Section:Key=value (repeatable), e.g. --set Broker:Transport=RabbitMq." };

        var command = new Command("run", "Embeds or classifies a corpus: plans 8192-token jobs, runs them on workers, writes Parquet and a manifest.")
        {
            input, output, model, revision, task, runId, resume, pooling, normalize, dims, precision, set,
        };
        command.SetAction((result, cancellationToken) => CommandOutcome.RunAsync("run", Console.Error, async () =>
        {
            bool interactive = !Console.IsErrorRedirected;
            IConfiguration configuration = CliConfiguration.Build(result.GetValue(set), interactive);
            var request = new RunRequest
            {
                Inputs = result.GetValue(input) ?? [],
                Output = result.GetValue(output),
                Model = result.GetValue(model),
                Revision = result.GetValue(revision),
                Task = result.GetValue(task),
                RunId = result.GetValue(runId),
                Resume = result.GetValue(resume),
                Pooling = result.GetValue(pooling),
                Normalize = result.GetValue(normalize),
                Dimensions = result.GetValue(dims),
                Precision = result.GetValue(precision),
            };
            using IHost host = CoordinatorHost.ForRuns(configuration);
            await CoordinatorHost.StartAsync(host, cancellationToken);
            try
            {
                RunOutcome outcome = await host.Services.GetRequiredService<RunService>().RunAsync(request, interactive, cancellationToken);
                return await CommandOutcome.ReportAsync(outcome, Console.Out, Console.Error);
            }
            finally
            {
                await host.StopAsync(CancellationToken.None);
            }
        }, cancellationToken));
        return command;
    }
}
