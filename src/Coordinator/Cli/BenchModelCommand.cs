using ModernBert.Modeling;
using System.CommandLine;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using ModernBert.Coordinator.Benchmarks;
using ModernBert.Inference;
using ModernBert.Worker;
using static TorchSharp.torch;

namespace ModernBert.Coordinator.Cli;

/// <summary><c>modernbert bench model</c>: tokens/s of the bare forward pass on the paper's synthetic datasets.</summary>
internal static class BenchModelCommand
{
    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    public static Command Create()
    {
        var size = new Option<string>("--size") { Description = "Model size: tiny, base or large.", DefaultValueFactory = _ => "base" };
        size.AcceptOnlyFromAmong([.. ModelSizes.Names]);
        var dataset = new Option<string>("--dataset") { Description = "short_fixed, short_var, long_fixed, long_var or all.", DefaultValueFactory = _ => "all" };
        dataset.AcceptOnlyFromAmong([.. PaperDatasets.Names, "all"]);
        var sequences = new Option<int?>("--sequences") { Description = "Sequences per dataset (default 4096 short, 128 long; the paper uses 8192)." };
        var dtype = DeviceOptions.Dtype();
        var device = DeviceOptions.Device();
        var batchTokens = new Option<int>("--batch-tokens")
        {
            Description = "Tokens per batch (no padding exists), as Worker:BatchTokens sets a worker's.",
            DefaultValueFactory = _ => new WorkerOptions().BatchTokens,
        };
        var attention = EnumOption.Create<AttentionImplementation>("--attention",
            "Attention kernel: auto (default: on CUDA, cuDNN for batches of one length, else FlashAttention-2), flash or sdpa.");
        var elementwise = DeviceOptions.Elementwise(EnumNames.Name(ElementwiseKernels.Default));
        var maxBatch = new Option<bool>("--max-batch") { Description = "Also find the largest batch that fits on the device." };
        var seed = new Option<int>("--seed") { Description = "Seed of the generated data.", DefaultValueFactory = _ => 0 };

        var command = new Command("model", "Prints tokens/s of the model's forward pass, one JSON line per dataset.")
        {
            size, dataset, sequences, dtype, device, batchTokens, attention, elementwise, maxBatch, seed,
        };
        command.SetAction((result, cancellationToken) => CommandOutcome.RunAsync("bench model", result.InvocationConfiguration.Error, () =>
        {
            Device target = DeviceOptions.Resolve(result.GetValue(device));
            ModelDtype type = ModelDtype.ParseOrDefault(result.GetValue(dtype), target);
            var settings = new InferenceSettings(target, type, result.GetValue(attention) ?? AttentionImplementation.Auto,
                result.GetValue(elementwise) ?? ElementwiseKernels.Default);
            // Standard output holds the JSON lines.
            using var benchmark = new ModelBenchmark(result.GetValue(size)!, settings, new LineLogger(result.InvocationConfiguration.Error, LogLevel.Warning));
            string chosen = result.GetValue(dataset)!;
            foreach (string name in chosen == "all" ? PaperDatasets.Names : [chosen])
            {
                int count = result.GetValue(sequences) ?? PaperDatasets.DefaultSequences(name);
                result.InvocationConfiguration.Output.WriteLine(JsonSerializer.Serialize(benchmark.Run(name, count, result.GetValue(batchTokens), result.GetValue(seed)), Json));
                if (result.GetValue(maxBatch))
                    result.InvocationConfiguration.Output.WriteLine(JsonSerializer.Serialize(benchmark.FindMaxBatch(name, result.GetValue(seed)), Json));
            }
            return Task.FromResult(ExitCodes.Completed);
        }, cancellationToken));
        return command;
    }
}
