using System.Collections.Concurrent;
using System.Text.Json;
using ModernBert.Tests.Common;
using ModernBert.Tokenization;

namespace ModernBert.Tests.Tokenization;

/// <summary>The reference tokenizer fixture and its expected encodings (tokenizer/tok_public_ref.json).</summary>
internal static class ReferenceTokenizer
{
    public const string CasesFile = "tokenizer/tok_public_ref.json";

    private static readonly ConcurrentDictionary<string, ModernBertTokenizer> LoadedByFolder = new();

    /// <summary>The tokenizer of a fixture folder, loaded once per test run (skips or fails when fixtures are missing).</summary>
    public static ModernBertTokenizer Load(string fixtureFolder = "tokenizer")
        => LoadedByFolder.GetOrAdd(Fixtures.Require(fixtureFolder), folder => ModernBertTokenizer.Load(folder));

    /// <summary>The reference cases (skips or fails when fixtures are missing).</summary>
    public static IReadOnlyList<ReferenceCase> Cases() => ReadCases(Fixtures.Require(CasesFile));

    /// <summary>One row per reference case, for theories; a single row when the fixtures are missing (the test then skips or fails).</summary>
    public static IEnumerable<TheoryDataRow<int>> CaseRows()
    {
        string path = Path.Combine(Fixtures.Folder, CasesFile);
        if (!File.Exists(path))
            return [new TheoryDataRow<int>(-1).WithTestDisplayName($"{CasesFile} missing")];
        return ReadCases(path).Select((c, index) =>
            new TheoryDataRow<int>(index).WithTestDisplayName($"case {index}: {Preview(c.Text)}"));
    }

    private static List<ReferenceCase> ReadCases(string path)
        => JsonSerializer.Deserialize<List<ReferenceCase>>(File.ReadAllText(path), JsonOptions)
           ?? throw new InvalidDataException($"{path} holds no cases.");

    private static string Preview(string text)
    {
        string escaped = JsonSerializer.Serialize(text);
        return escaped.Length <= 60 ? escaped : escaped[..57] + "...";
    }

    private static readonly JsonSerializerOptions JsonOptions = new() { PropertyNameCaseInsensitive = true };
}

/// <summary>A text and the ids that Hugging Face tokenizers gives for it (special tokens added).</summary>
internal sealed record ReferenceCase(string Text, int[] Ids);
