using System.CommandLine;
using System.Text.Json;
using ModernBert.Coordinator.Benchmarks;

namespace ModernBert.Coordinator.Cli;

/// <summary><c>modernbert bench fleet</c>: the control plane (coordinator and broker) on a synthetic corpus with stand-in workers.</summary>
internal static class BenchFleetCommand
{
    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    public static Command Create()
    {
        var documents = new Option<int>("--documents") { Description = "Documents in the corpus.", DefaultValueFactory = _ => 1_000_000 };
        var dataset = new Option<string>("--dataset") { Description = "Token lengths of the documents: short_fixed, short_var, long_fixed or long_var.", DefaultValueFactory = _ => "short_var" };
        dataset.AcceptOnlyFromAmong([.. PaperDatasets.Names]);
        var input = new Option<string>("--input") { Description = "text (the coordinator tokenizes) or tokens (pre-tokenized input_ids).", DefaultValueFactory = _ => FleetBenchmark.TokensInput };
        input.AcceptOnlyFromAmong(FleetBenchmark.TextInput, FleetBenchmark.TokensInput);
        var workers = new Option<int>("--workers") { Description = "Stand-in worker processes.", DefaultValueFactory = _ => 2 };
        var size = new Option<string>("--size") { Description = "Model architecture whose hidden size the rows have: tiny, base or large.", DefaultValueFactory = _ => "base" };
        size.AcceptOnlyFromAmong([.. ModelSizes.Names]);
        var tokenizer = new Option<DirectoryInfo>("--tokenizer") { Description = "Folder with tokenizer.json, e.g. a model folder.", Required = true };
        var set = new Option<string[]>("--set")
        {
            Description = "Configuration override Section:Key=value for the coordinator and the workers (repeatable), e.g. --set Planning:JobTokens=2048, " +
                "or a running broker: --set Broker:Transport=RabbitMq --set Broker:Host=HOST.",
        };

        var command = new Command("fleet", "Runs a synthetic corpus through the real coordinator and a real RabbitMQ with stand-in workers (everything but the " +
            "forward pass); prints one JSON line: jobs/s, tokens/s planned and committed, broker bytes/s, coordinator CPU and peak memory, finalize time.")
        {
            documents, dataset, input, workers, size, tokenizer, set,
        };
        command.SetAction((result, cancellationToken) => CommandOutcome.RunAsync("bench fleet", result.InvocationConfiguration.Error, async () =>
        {
            if (result.GetValue(documents) < 1 || result.GetValue(workers) < 1)
                throw new ConfigurationException("--documents and --workers must be at least 1.");
            var benchmark = new FleetBenchmark(result.GetRequiredValue(input), result.GetRequiredValue(dataset), result.GetRequiredValue(size),
                result.GetValue(documents), result.GetValue(workers), result.GetRequiredValue(tokenizer).FullName,
                CliConfiguration.Overrides(result.GetValue(set)));
            FleetBenchmarkResult line = await benchmark.RunAsync(cancellationToken);
            await result.InvocationConfiguration.Output.WriteLineAsync(JsonSerializer.Serialize(line, Json));
            return ExitCodes.Completed;
        }, cancellationToken));
        return command;
    }
}
