using System.CommandLine;
using ModernBert.Outputs;
using ModernBert.Tasks.Embed;

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
        var prompts = new PromptOptions();
        var embedding = new EmbedTaskOptions(prompts);
        var command = new Command("embed", "Embed the documents of a corpus (files, folders, globs; JSON Lines, Parquet or text) into a Parquet or JSON Lines file.");
        foreach (Option option in shared.All.Concat(embedding.All).Concat(prompts.All))
            command.Options.Add(option);
        command.SetAction((result, cancellationToken) => InferenceCommand.RunAsync("embed",
            () => (shared.Read(result), EmbedTask.Instance.Configure(embedding.Read(result), TaskOptionFlags.Of)),
            result.InvocationConfiguration.Output,
            result.InvocationConfiguration.Error,
            cancellationToken));
        return command;
    }
}
