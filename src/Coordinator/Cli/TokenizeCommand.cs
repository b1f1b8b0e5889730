using System.CommandLine;
using System.Text;
using ModernBert.Tokenization;

namespace ModernBert.Coordinator.Cli;

/// <summary>
/// <c>modernbert tokenize --tokenizer DIR --input in.jsonl --output out.jsonl</c>: adds "input_ids" to every
/// <c>{"id": ..., "text": ...}</c> line. Exit code 0 when the run completed (malformed lines are reported on
/// stderr and skipped), 1 when it could not run (missing or invalid files).
/// </summary>
internal static class TokenizeCommand
{
    public static Command Create()
    {
        var tokenizerOption = new Option<DirectoryInfo>("--tokenizer")
        {
            Description = "Folder with tokenizer.json (and tokenizer_config.json), e.g. a checkpoint folder.",
            Required = true,
        };
        var inputOption = new Option<FileInfo>("--input")
        {
            Description = "JSONL file with one {\"id\": ..., \"text\": ...} object per line.",
            Required = true,
        };
        var outputOption = new Option<FileInfo>("--output")
        {
            Description = "JSONL file to write: the input lines, in order, with \"input_ids\" added.",
            Required = true,
        };
        var command = new Command("tokenize", "Tokenize a JSONL corpus ahead of time, on all cores.")
        {
            tokenizerOption, inputOption, outputOption,
        };
        command.SetAction((parseResult, cancellationToken) => RunAsync(
            parseResult.GetRequiredValue(tokenizerOption),
            parseResult.GetRequiredValue(inputOption),
            parseResult.GetRequiredValue(outputOption),
            parseResult.InvocationConfiguration.Output,
            parseResult.InvocationConfiguration.Error,
            cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(
        DirectoryInfo tokenizerFolder, FileInfo input, FileInfo output, TextWriter console, TextWriter errors,
        CancellationToken cancellationToken)
    {
        ModernBertTokenizer tokenizer;
        try
        {
            tokenizer = ModernBertTokenizer.Load(tokenizerFolder.FullName);
        }
        catch (Exception e) when (e is IOException or InvalidDataException)
        {
            await errors.WriteLineAsync($"Cannot load the tokenizer: {e.Message}");
            return 1;
        }
        if (!input.Exists)
        {
            await errors.WriteLineAsync($"Input file not found: {input.FullName}");
            return 1;
        }

        JsonlTokenizationSummary summary;
        try
        {
            using var reader = new StreamReader(input.FullName, Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
            await using var writer = new FileStream(output.FullName, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true);
            summary = await JsonlTokenization.RunAsync(tokenizer, reader, input.Name, writer, errors, cancellationToken);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            await errors.WriteLineAsync($"Tokenizing {input.FullName} into {output.FullName} failed: {e.Message}");
            return 1;
        }
        await console.WriteLineAsync($"Wrote {summary.Written} lines to {output.FullName}; skipped {summary.Skipped} malformed lines.");
        return 0;
    }
}
