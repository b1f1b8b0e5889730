using System.CommandLine;
using System.Text.Json;
using ModernBert.Coordinator.Benchmarks;
using ModernBert.Inference;
using static TorchSharp.torch;

namespace ModernBert.Coordinator.Cli;

/// <summary><c>modernbert bench fp8</c>: how close <c>--dtype fp8</c>'s pooled outputs are to bf16's and fp32's.</summary>
internal static class BenchFp8Command
{
    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    public static Command Create()
    {
        var size = new Option<string>("--size") { Description = "Model size with random weights: tiny, base or large (ignored with --model).", DefaultValueFactory = _ => "base" };
        size.AcceptOnlyFromAmong([.. ModelSizes.Names]);
        var model = new Option<DirectoryInfo?>("--model") { Description = "A checkpoint folder (config.json, safetensors) instead of random weights." };
        var dataset = new Option<string>("--dataset") { Description = "Token-length distribution: short_fixed, short_var, long_fixed or long_var.", DefaultValueFactory = _ => "short_var" };
        dataset.AcceptOnlyFromAmong([.. PaperDatasets.Names]);
        var sequences = new Option<int>("--sequences") { Description = "Sequences compared (every one runs in fp32, bf16 and fp8).", DefaultValueFactory = _ => 64 };
        var device = DeviceOptions.Device("The CPU emulates the FP8 products.");
        var batchTokens = new Option<int>("--batch-tokens") { Description = "Tokens per forward pass.", DefaultValueFactory = _ => 16384 };
        var seed = new Option<int>("--seed") { Description = "Seed of the random weights and sequences.", DefaultValueFactory = _ => 0 };

        var command = new Command("fp8", "Prints, as one JSON line, the cosine (min and mean) of --dtype fp8's mean-pooled outputs against bf16's and fp32's on the same sequences.")
        {
            size, model, dataset, sequences, device, batchTokens, seed,
        };
        command.SetAction((result, cancellationToken) => CommandOutcome.RunAsync("bench fp8", result.InvocationConfiguration.Error, () =>
        {
            Device target = DeviceOptions.Resolve(result.GetValue(device));
            int drawn = result.GetValue(seed);
            using Fp8QualityBenchmark benchmark = result.GetValue(model) is DirectoryInfo folder
                ? Fp8QualityBenchmark.Checkpoint(folder.FullName, target)
                : Fp8QualityBenchmark.RandomWeights(result.GetValue(size)!, target, drawn);
            var random = new Random(drawn);
            string name = result.GetValue(dataset)!;
            int[][] ids = PaperDatasets.Sequences(PaperDatasets.Lengths(name, result.GetValue(sequences), random), benchmark.Config.VocabSize, random);
            result.InvocationConfiguration.Output.WriteLine(JsonSerializer.Serialize(benchmark.Run(name, ids, result.GetValue(batchTokens)), Json));
            return Task.FromResult(ExitCodes.Completed);
        }, cancellationToken));
        return command;
    }
}
