using System.CommandLine;
using ModernBert.Tasks.Classify;

namespace ModernBert.Coordinator.Cli;

/// <summary>
/// <c>modernbert classify --model DIR --input CORPUS --output out.parquet</c>: the top label, its score and every
/// label's score per document (per window of a long document). See <see cref="InferenceCommand"/> for the run.
/// </summary>
internal static class ClassifyCommand
{
    public static Command Create()
    {
        var shared = new InferenceCommandOptions();
        var classification = new ClassifyTaskOptions();
        var command = new Command("classify", "Classify the documents of a corpus (files, folders, globs; JSON Lines, Parquet or text) with a sequence classification checkpoint.");
        foreach (Option option in shared.All.Concat(classification.All))
            command.Options.Add(option);
        command.SetAction((result, cancellationToken) => InferenceCommand.RunAsync("classify",
            () => (shared.Read(result), ClassifyTask.Instance.Configure(classification.Read(result), TaskOptionFlags.Of)),
            result.InvocationConfiguration.Output,
            result.InvocationConfiguration.Error,
            cancellationToken));
        return command;
    }
}
