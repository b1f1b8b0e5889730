using System.CommandLine;
using System.Diagnostics;
using ModernBert.Coordinator.Benchmarks;
using ModernBert.Tokenization;

namespace ModernBert.Coordinator.Cli;

/// <summary>
/// <c>modernbert bench tokenizer</c>: tokens per second on one core and on all cores, and, with
/// <c>--hugging-face</c>, the same documents through Hugging Face tokenizers' Node binding in the same run.
/// </summary>
internal static class BenchTokenizerCommand
{
    private static readonly TimeSpan WarmUpTime = TimeSpan.FromSeconds(1);

    public static Command Create()
    {
        var tokenizerOption = new Option<DirectoryInfo>("--tokenizer")
        {
            Description = "Folder with tokenizer.json, e.g. a model folder.",
            Required = true,
        };
        var documentsOption = new Option<int>("--documents")
        {
            Description = "How many generated English-like documents (20 to 1,000 words each) to tokenize.",
            DefaultValueFactory = _ => 5000,
        };
        documentsOption.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() <= 0)
                result.AddError("--documents must be positive.");
        });
        var huggingFaceOption = new Option<DirectoryInfo?>("--hugging-face")
        {
            Description = "A node_modules folder holding the npm package tokenizers (Hugging Face's Node binding): "
                          + "the same documents are encoded with its encodeBatch, on one core and all cores, for comparison.",
        };
        var command = new Command("tokenizer", "Tokenizer throughput on a generated English-like corpus.")
        {
            tokenizerOption, documentsOption, huggingFaceOption,
        };
        command.SetAction((parseResult, _) => RunAsync(
            parseResult.GetRequiredValue(tokenizerOption),
            parseResult.GetValue(documentsOption),
            parseResult.GetValue(huggingFaceOption),
            parseResult.InvocationConfiguration.Output,
            parseResult.InvocationConfiguration.Error));
        return command;
    }

    private static async Task<int> RunAsync(
        DirectoryInfo tokenizerFolder, int documentCount, DirectoryInfo? huggingFace, TextWriter console, TextWriter errors)
    {
        var loading = Stopwatch.StartNew();
        ModernBertTokenizer tokenizer;
        try
        {
            tokenizer = ModernBertTokenizer.Load(tokenizerFolder.FullName);
        }
        catch (Exception e) when (e is IOException or InvalidDataException)
        {
            errors.WriteLine($"Cannot load the tokenizer: {e.Message}");
            return 1;
        }
        console.WriteLine($"Loaded {tokenizerFolder.FullName} in {loading.Elapsed.TotalMilliseconds:F0} ms.");

        IReadOnlyList<string> documents = EnglishLikeCorpus.Generate(documentCount);
        long characters = documents.Sum(document => (long)document.Length);
        console.WriteLine($"Corpus: {documents.Count} documents, {characters / 1e6:F1} M characters.");

        WarmUp(tokenizer, documents);

        Measurement oneCore = Measure(documents, tokenizer, degreeOfParallelism: 1);
        Report(console, "1 core", oneCore, characters);
        Measurement allCores = Measure(documents, tokenizer, Environment.ProcessorCount);
        Report(console, $"{Environment.ProcessorCount} cores", allCores, characters);
        console.WriteLine($"Speed-up: {allCores.TokensPerSecond / oneCore.TokensPerSecond:F2}x on {Environment.ProcessorCount} cores.");
        if (huggingFace is null)
            return 0;

        string tokenizerFile = Path.Combine(tokenizerFolder.FullName, ModernBertTokenizer.TokenizerFileName);
        if (await HuggingFaceTokenizerBenchmark.RunAsync(huggingFace.FullName, tokenizerFile, documents, errors) is not { } reference)
            return 1;
        ReportHuggingFace(console, "1 core", reference.OneCore, oneCore);
        ReportHuggingFace(console, $"{Environment.ProcessorCount} cores", reference.AllCores, allCores);
        if (reference.OneCore.Tokens != oneCore.Tokens)
            errors.WriteLine($"Token counts differ: {oneCore.Tokens:N0} here, {reference.OneCore.Tokens:N0} from Hugging Face tokenizers.");
        return reference.OneCore.Tokens == oneCore.Tokens ? 0 : 1;
    }

    private static void ReportHuggingFace(TextWriter console, string label, HuggingFaceTokenizerBenchmark.Result reference, Measurement ours)
        => console.WriteLine(
            $"Hugging Face tokenizers (node encodeBatch), {label}: {reference.Tokens:N0} tokens in {reference.Seconds:F2} s: " +
            $"{reference.TokensPerSecond / 1e6:F2} M tokens/s; here {ours.TokensPerSecond / reference.TokensPerSecond:F2}x that");

    /// <summary>Encodes for a while first, so that the measurements see fully optimized code (tiered JIT).</summary>
    private static void WarmUp(ModernBertTokenizer tokenizer, IReadOnlyList<string> documents)
    {
        var stopwatch = Stopwatch.StartNew();
        for (int i = 0; stopwatch.Elapsed < WarmUpTime; i++)
            tokenizer.Encode(documents[i % documents.Count]);
    }

    private static Measurement Measure(IReadOnlyList<string> documents, ModernBertTokenizer tokenizer, int degreeOfParallelism)
    {
        long tokens = 0;
        var stopwatch = Stopwatch.StartNew();
        Parallel.For(0, documents.Count, new ParallelOptions { MaxDegreeOfParallelism = degreeOfParallelism },
            () => 0L,
            (index, _, localTokens) => localTokens + tokenizer.Encode(documents[index]).Length,
            localTokens => Interlocked.Add(ref tokens, localTokens));
        return new Measurement(tokens, stopwatch.Elapsed);
    }

    private static void Report(TextWriter console, string label, Measurement measurement, long characters)
        => console.WriteLine(
            $"{label,-9} {measurement.Tokens:N0} tokens in {measurement.Elapsed.TotalSeconds:F2} s: " +
            $"{measurement.TokensPerSecond / 1e6:F2} M tokens/s, {characters / measurement.Elapsed.TotalSeconds / 1e6:F1} M chars/s");

    private readonly record struct Measurement(long Tokens, TimeSpan Elapsed)
    {
        public double TokensPerSecond => Tokens / Elapsed.TotalSeconds;
    }
}
