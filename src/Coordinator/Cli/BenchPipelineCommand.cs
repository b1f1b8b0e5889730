using ModernBert.Modeling;
using System.CommandLine;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using ModernBert.Coordinator.Benchmarks;
using ModernBert.Inference;
using ModernBert.Worker;
using ModernBert.Tasks;
using ModernBert.Tasks.Embed;
using ModernBert.Tasks.Multivector;
using ModernBert.Tasks.Sparse;
using static TorchSharp.torch;

namespace ModernBert.Coordinator.Cli;

/// <summary><c>modernbert bench pipeline</c>: end-to-end tokens/s of the embedded default beside the bare forward pass.</summary>
internal static class BenchPipelineCommand
{
    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    public static Command Create()
    {
        var size = new Option<string>("--size") { Description = "Model size: tiny, base or large (random weights).", DefaultValueFactory = _ => "base" };
        size.AcceptOnlyFromAmong([.. ModelSizes.Names]);
        var dataset = new Option<string>("--dataset") { Description = "Token-length distribution: short_fixed, short_var, long_fixed, long_var or all.", DefaultValueFactory = _ => "all" };
        dataset.AcceptOnlyFromAmong([.. PaperDatasets.Names, "all"]);
        var documents = new Option<int?>("--documents") { Description = "Documents per dataset (default 16384 short, 512 long)." };
        var tokenizer = new Option<DirectoryInfo>("--tokenizer") { Description = "Folder with tokenizer.json, e.g. a model folder.", Required = true };
        var device = DeviceOptions.Device();
        var dtype = DeviceOptions.Dtype();
        var batchTokens = new Option<int>("--batch-tokens")
        {
            Description = "Tokens per forward pass, as Worker:BatchTokens sets a worker's.",
            DefaultValueFactory = _ => new WorkerOptions().BatchTokens,
        };
        var task = new Option<string>("--task")
        {
            Description = "The task whose head is measured and whose pipeline runs: embed, sparse or multivector (default embed).",
            DefaultValueFactory = _ => EmbedTask.Instance.Name,
        };
        task.AcceptOnlyFromAmong(EmbedTask.Instance.Name, SparseTask.Instance.Name, MultivectorTask.Instance.Name);
        var elementwise = DeviceOptions.Elementwise(EnumNames.Name(ElementwiseKernels.Default));
        var transfers = DeviceOptions.Transfers(EnumNames.Name(TransferMode.Overlapped));

        var command = new Command("pipeline", "Prints tokens/s of the bare forward pass, of the task's model (its head's cost), and of the embedded pipeline (read, tokenize, pack, infer, write).")
        {
            size, dataset, documents, tokenizer, device, dtype, batchTokens, task, elementwise, transfers,
        };
        command.SetAction((result, cancellationToken) => CommandOutcome.RunAsync("bench pipeline", result.InvocationConfiguration.Error, async () =>
        {
            Device target = DeviceOptions.Resolve(result.GetValue(device));
            ModelDtype type = ModelDtype.ParseOrDefault(result.GetValue(dtype), target);
            var settings = new InferenceSettings(target, type, Elementwise: result.GetValue(elementwise) ?? ElementwiseKernels.Default,
                Transfers: result.GetValue(transfers) ?? TransferMode.Overlapped);
            // Standard output holds the JSON lines.
            using ILoggerFactory logging = LoggerFactory.Create(builder => builder.SetMinimumLevel(LogLevel.Warning)
                .AddConsole(console => console.LogToStandardErrorThreshold = LogLevel.Trace));
            string chosen = result.GetValue(dataset)!;
            foreach (string name in chosen == "all" ? PaperDatasets.Names : [chosen])
            {
                int count = result.GetValue(documents) ?? (PaperDatasets.IsLong(name) ? 512 : 16384);
                var benchmark = new PipelineBenchmark(result.GetValue(size)!, name, count, settings, result.GetValue(batchTokens),
                    result.GetValue(tokenizer)!.FullName, logging, InferenceTasks.Configure(result.GetValue(task)!, null));
                foreach (PipelineBenchmarkResult line in await benchmark.RunAsync(cancellationToken))
                    await result.InvocationConfiguration.Output.WriteLineAsync(JsonSerializer.Serialize(line, Json));
            }
            return ExitCodes.Completed;
        }, cancellationToken));
        return command;
    }
}
