using System.CommandLine;
using Microsoft.Extensions.Hosting;
using ModernBert.Composition;
using ModernBert.Documents;
using ModernBert.Tasks;
using ModernBert.Tokenization;

namespace ModernBert.Coordinator.Cli;

/// <summary>
/// <c>modernbert tokenize --tokenizer DIR --input CORPUS --output out.jsonl</c>: reads a corpus as <c>run</c> does
/// (<see cref="CommandCorpus"/>) and writes its documents with their input ids (see <see cref="TokenizedLinesWriter"/>).
/// Exit code 0 when the run completed (malformed and duplicate documents are reported on stderr and skipped), 1 when
/// it could not run (see <see cref="CommandOutcome"/>).
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
        Option<string[]> inputOption = CorpusOptions.Input();
        Option<FileInfo> outputOption = CorpusOptions.Output("JSON Lines file to write, in corpus order: a JSON Lines document's line with " +
            "\"input_ids\" added (its other fields kept), any other document as {\"id\", \"text\", \"input_ids\"}.");
        // Written uncompressed: a name the readers would take for Parquet or a compressed file would not read back.
        outputOption.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<FileInfo?>() is { } file && file.Extension.ToLowerInvariant() is not (".jsonl" or ".ndjson" or ".json"))
                result.AddError($"--output {file.Name}: tokenize writes JSON Lines; give a .jsonl, .ndjson or .json file.");
        });
        var offsetsOption = new Option<bool>("--offsets")
        {
            Description = "Add \"offsets\": each token's [start, end) in code points of its text, as Python indexes it (special tokens [0, 0]; none for records given as input ids).",
        };
        Option<string[]> setOption = CorpusOptions.Set();
        var command = new Command("tokenize", "Tokenize a corpus ahead of time, on all cores; a record with a second text (Input:TextPairField) is encoded as a pair, with token_type_ids.")
        {
            tokenizerOption, inputOption, outputOption, offsetsOption, setOption,
        };
        command.SetAction((parseResult, cancellationToken) => RunAsync(
            parseResult.GetRequiredValue(tokenizerOption),
            parseResult.GetRequiredValue(inputOption),
            parseResult.GetRequiredValue(outputOption),
            parseResult.GetValue(offsetsOption),
            parseResult.GetValue(setOption) ?? [],
            parseResult.InvocationConfiguration.Output,
            parseResult.InvocationConfiguration.Error,
            cancellationToken));
        return command;
    }

    private static Task<int> RunAsync(DirectoryInfo tokenizerFolder, IReadOnlyList<string> inputs, FileInfo output, bool offsets, IReadOnlyList<string> settings,
        TextWriter console, TextWriter errors, CancellationToken cancellationToken) =>
        CommandOutcome.RunAsync("tokenize", errors, async () =>
        {
            using IHost host = CoordinatorHost.ForTokenize(CliConfiguration.Build(settings, quietLogs: true), errors);
            host.Services.ValidateSettings();
            ModernBertTokenizer tokenizer = ModernBertTokenizer.Load(tokenizerFolder.FullName);
            // Windows that hold any document: the ids are written whole, and split when run, embed or classify read them.
            var whole = new DocumentWindows(int.MaxValue, 0, tokenizer.ClsTokenId, tokenizer.SepTokenId);
            CommandCorpus corpus = await CommandCorpus.OpenAsync(host.Services, inputs, output, tokenizer, whole, keepJsonLines: true,
                InputEncodings.Text | InputEncodings.TokenIds, cancellationToken, new TaskTokenization(Pairs: new PairEncoding(SingleTexts: true)));
            TokenizeSummary summary;
            await using (var stream = new FileStream(output.FullName, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true))
                summary = await new TokenizedLinesWriter(corpus.Input, stream, errors, tokenizer, offsets).WriteAsync(corpus.ReadAsync(cancellationToken), cancellationToken);
            await console.WriteLineAsync($"Wrote {Counted.Of(summary.Written, "document")} to {output.FullName}; {SkippedReport.Summary(summary.Skipped)}.");
            return ExitCodes.Completed;
        }, cancellationToken);
}
