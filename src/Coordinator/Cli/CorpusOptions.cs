using System.CommandLine;

namespace ModernBert.Coordinator.Cli;

/// <summary>The options by which <c>embed</c>, <c>classify</c> and <c>tokenize</c> take their corpus and settings as <c>run</c> does.</summary>
internal static class CorpusOptions
{
    public static Option<string[]> Input() => new("--input")
    {
        Description = "Corpus locations: files, folders or globs, local or az://container/prefix (repeatable). JSON Lines " +
            "(.jsonl, .ndjson, .json, also .gz or .zst) with one {\"id\": ..., \"text\": ...} or {\"id\": ..., \"input_ids\": [...]} " +
            "object per line, Parquet files with those columns, or any other file as one text document.",
        Required = true,
        AllowMultipleArgumentsPerToken = true,
    };

    /// <summary>The command's one local output file; a storage URL (which <c>run --output</c> takes) is refused naming it.</summary>
    public static Option<FileInfo> Output(string description)
    {
        var output = new Option<FileInfo>("--output") { Description = description, Required = true };
        output.Validators.Add(result =>
        {
            if (result.Tokens.Count == 1 && result.Tokens[0].Value.Contains("://", StringComparison.Ordinal))
                result.AddError($"--output {result.Tokens[0].Value}: this command writes one local file; run --output writes to blob storage.");
        });
        return output;
    }

    public static Option<string[]> Set() => new("--set")
    {
        Description = "Configuration override Section:Key=value (repeatable), e.g. --set Input:TextField=body.",
    };
}
