using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace ModernBert.Coordinator.Benchmarks;

/// <summary>
/// The same documents through Hugging Face tokenizers' Node binding (the npm package <c>tokenizers</c>), with
/// <c>encodeBatch</c> on one core (RAYON_NUM_THREADS=1) and on all cores, for <c>bench tokenizer</c> to print beside
/// its own figures. Runs a small script with node in a child process; the documents go through a temporary file.
/// </summary>
internal static class HuggingFaceTokenizerBenchmark
{
    /// <summary>Encodes the documents in batches after a warm-up and prints "tokens seconds" (all documents, once).</summary>
    private const string Script = """
        const [packageFolder, tokenizerFile, documentsFile] = process.argv.slice(2);
        const { createRequire } = require('node:module');
        const { Tokenizer } = createRequire(packageFolder + '/')('tokenizers');
        const fs = require('node:fs');
        const documents = fs.readFileSync(documentsFile, 'utf8').split('\n').filter((l) => l.length).map((l) => JSON.parse(l));
        const tokenizer = Tokenizer.fromFile(tokenizerFile);
        (async () => {
          const batch = 1024;
          await tokenizer.encodeBatch(documents.slice(0, batch));
          const start = process.hrtime.bigint();
          let tokens = 0;
          for (let i = 0; i < documents.length; i += batch)
            for (const encoding of await tokenizer.encodeBatch(documents.slice(i, i + batch))) tokens += encoding.getLength();
          const seconds = Number(process.hrtime.bigint() - start) / 1e9;
          console.log(`${tokens} ${seconds}`);
        })();
        """;

    /// <summary>Tokens and seconds for all documents, one core then all cores; null with a message when node cannot run it.</summary>
    public static async Task<(Result OneCore, Result AllCores)?> RunAsync(
        string nodePackageFolder, string tokenizerFile, IReadOnlyList<string> documents, TextWriter errors)
    {
        string folder = Directory.CreateTempSubdirectory("modernbert-bench-").FullName;
        try
        {
            string scriptFile = Path.Combine(folder, "bench.cjs");
            string documentsFile = Path.Combine(folder, "documents.jsonl");
            await File.WriteAllTextAsync(scriptFile, Script);
            await File.WriteAllLinesAsync(documentsFile, documents.Select(document => JsonSerializer.Serialize(document)));
            Result? oneCore = await RunNodeAsync(scriptFile, nodePackageFolder, tokenizerFile, documentsFile, threads: 1, errors);
            Result? allCores = oneCore is null ? null : await RunNodeAsync(scriptFile, nodePackageFolder, tokenizerFile, documentsFile, threads: null, errors);
            return oneCore is { } one && allCores is { } all ? (one, all) : null;
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static async Task<Result?> RunNodeAsync(
        string scriptFile, string packageFolder, string tokenizerFile, string documentsFile, int? threads, TextWriter errors)
    {
        var start = new ProcessStartInfo("node")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardOutputEncoding = Encoding.UTF8,
        };
        foreach (string argument in new[] { scriptFile, Path.GetFullPath(packageFolder), tokenizerFile, documentsFile })
            start.ArgumentList.Add(argument);
        if (threads is { } count)
            start.Environment["RAYON_NUM_THREADS"] = count.ToString(CultureInfo.InvariantCulture);
        try
        {
            using Process process = Process.Start(start)!;
            Task<string> error = process.StandardError.ReadToEndAsync();
            string output = await process.StandardOutput.ReadToEndAsync();
            await process.WaitForExitAsync();
            string[] parts = output.Trim().Split(' ');
            if (process.ExitCode != 0 || parts.Length != 2)
            {
                errors.WriteLine($"Hugging Face tokenizers (node) failed: {(await error).Trim()}");
                return null;
            }
            return new Result(long.Parse(parts[0], CultureInfo.InvariantCulture), double.Parse(parts[1], CultureInfo.InvariantCulture));
        }
        catch (Win32Exception e)
        {
            errors.WriteLine($"node cannot be started: {e.Message}");
            return null;
        }
    }

    /// <summary>Tokens encoded (special tokens included) and the seconds it took.</summary>
    public readonly record struct Result(long Tokens, double Seconds)
    {
        public double TokensPerSecond => Tokens / Seconds;
    }
}
