using System.Threading.Channels;
using ModernBert.Tokenization;

namespace ModernBert.Coordinator.Cli;

/// <summary>How many lines a tokenize run wrote and how many it skipped as malformed.</summary>
internal readonly record struct JsonlTokenizationSummary(long Written, long Skipped);

/// <summary>
/// Tokenizes a JSONL corpus on all cores and writes the lines in input order. The input is streamed in batches;
/// at most a few batches per core are in memory at once. Malformed lines are reported with their line number and
/// skipped.
/// </summary>
internal static class JsonlTokenization
{
    private const int MaxLinesPerBatch = 256;
    private const int MaxCharactersPerBatch = 1 << 20;

    /// <param name="inputName">How to name the input in problem reports ("name:line: problem").</param>
    public static async Task<JsonlTokenizationSummary> RunAsync(
        ModernBertTokenizer tokenizer, TextReader input, string inputName, Stream output, TextWriter problems,
        CancellationToken cancellationToken)
    {
        var batches = Channel.CreateBounded<Task<BatchResult>>(Environment.ProcessorCount * 2);
        using var stopReading = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        Task reading = ReadBatchesAsync(tokenizer, input, batches.Writer, stopReading.Token);
        try
        {
            return await WriteInOrderAsync(batches.Reader, inputName, output, problems, cancellationToken);
        }
        finally
        {
            // When writing failed, the reader may wait on a full channel: stop it. A reader failure has already
            // surfaced through the channel.
            await stopReading.CancelAsync();
            await reading.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    private static async Task<JsonlTokenizationSummary> WriteInOrderAsync(
        ChannelReader<Task<BatchResult>> batches, string inputName, Stream output, TextWriter problems,
        CancellationToken cancellationToken)
    {
        long written = 0;
        long skipped = 0;
        await foreach (Task<BatchResult> pending in batches.ReadAllAsync(cancellationToken))
        {
            BatchResult batch = await pending;
            for (int i = 0; i < batch.Lines.Length; i++)
            {
                TokenizedJsonLine line = batch.Lines[i];
                if (line.Utf8Line is null)
                {
                    await problems.WriteLineAsync($"{inputName}:{batch.FirstLineNumber + i}: {line.Problem}; line skipped.");
                    skipped++;
                    continue;
                }
                await output.WriteAsync(line.Utf8Line, cancellationToken);
                written++;
            }
        }
        await output.FlushAsync(cancellationToken);
        return new JsonlTokenizationSummary(written, skipped);
    }

    private static async Task ReadBatchesAsync(
        ModernBertTokenizer tokenizer, TextReader input, ChannelWriter<Task<BatchResult>> batches, CancellationToken cancellationToken)
    {
        try
        {
            long lineNumber = 0;
            var lines = new List<string>(MaxLinesPerBatch);
            int characters = 0;
            while (await input.ReadLineAsync(cancellationToken) is { } line)
            {
                lines.Add(line);
                characters += line.Length;
                if (lines.Count == MaxLinesPerBatch || characters >= MaxCharactersPerBatch)
                {
                    await batches.WriteAsync(Tokenize(tokenizer, [.. lines], lineNumber + 1), cancellationToken);
                    lineNumber += lines.Count;
                    lines.Clear();
                    characters = 0;
                }
            }
            if (lines.Count > 0)
                await batches.WriteAsync(Tokenize(tokenizer, [.. lines], lineNumber + 1), cancellationToken);
            batches.Complete();
        }
        catch (Exception e)
        {
            batches.Complete(e);
            throw;
        }
    }

    private static Task<BatchResult> Tokenize(ModernBertTokenizer tokenizer, string[] lines, long firstLineNumber)
        => Task.Run(() => new BatchResult(firstLineNumber, [.. lines.Select(line => TokenizedJsonLine.Create(tokenizer, line))]));

    private sealed record BatchResult(long FirstLineNumber, TokenizedJsonLine[] Lines);
}
