using System.CommandLine;
using ModernBert.Inference;
using ModernBert.Modeling;
using ModernBert.Outputs;

namespace ModernBert.Coordinator.Cli;

/// <summary>
/// <c>modernbert embed --model DIR --input CORPUS --output out.parquet</c>: one embedding per document (per window
/// of a document longer than the model's maximum). See <see cref="InferenceCommand"/> for the run and exit codes.
/// </summary>
internal static class EmbedCommand
{
    public static Command Create()
    {
        var shared = new InferenceCommandOptions();
        var pooling = new Option<PoolingMode?>("--pooling")
        {
            Description = "cls or mean (default: the checkpoint's: its sentence-transformers Pooling module, else classifier_pooling).",
        };
        var normalize = new Option<bool?>("--normalize")
        {
            Description = "L2-normalize the embeddings; --normalize false turns off a checkpoint's Normalize module (default: the checkpoint's).",
        };
        var dimensions = new Option<int?>("--dims")
        {
            Description = "Keep the first N dimensions (Matryoshka truncation), before normalization (default: all).",
        };
        var precision = new Option<EmbeddingPrecision>("--precision")
        {
            Description = "How Parquet stores embeddings: float32 or float16 (JSON Lines always hold float32 values).",
            DefaultValueFactory = _ => EmbeddingPrecision.Float32,
        };
        var command = new Command("embed", "Embed the documents of a corpus (files, folders, globs; JSON Lines, Parquet or text) into a Parquet or JSON Lines file.");
        foreach (Option option in shared.All.Concat([pooling, normalize, dimensions, precision]))
            command.Options.Add(option);
        command.SetAction((result, cancellationToken) => InferenceCommand.RunAsync(
            shared.Read(result),
            InferenceTask.Embed,
            new EmbeddingOptions(result.GetValue(pooling), result.GetValue(normalize), result.GetValue(dimensions)),
            new OutputOptions { EmbeddingPrecision = result.GetValue(precision) },
            result.InvocationConfiguration.Output,
            result.InvocationConfiguration.Error,
            cancellationToken));
        return command;
    }
}
