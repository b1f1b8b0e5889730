using ModernBert.Tests.Common;
using System.Text.Json;
using System.Text.Json.Serialization;
using ModernBert.Tokenization;

namespace ModernBert.Tests.Tokenization;

/// <summary>
/// One text (or pair) to encode with a tokenizer.json, with or without special tokens and truncation; offsets in UTF-16
/// code units, or as the binding gives them, in code points.
/// </summary>
internal sealed record EncodeRequest(
    [property: JsonPropertyName("tokenizer")] string TokenizerFile,
    [property: JsonPropertyName("text")] string Text,
    [property: JsonPropertyName("pair")] string? Pair = null,
    [property: JsonPropertyName("addSpecialTokens")] bool AddSpecialTokens = true,
    [property: JsonPropertyName("maxLength")] int? MaxLength = null,
    [property: JsonPropertyName("strategy")] string? Strategy = null,
    [property: JsonPropertyName("codePoints")] bool CodePoints = false)
{
    public Truncation? Truncation => MaxLength is { } maxLength
        ? new Truncation(maxLength, Enum.Parse<TruncationStrategy>(Strategy ?? nameof(TruncationStrategy.LongestFirst)))
        : null;

    public override string ToString()
        => $"{JsonSerializer.Serialize(Text)} / {JsonSerializer.Serialize(Pair)} special={AddSpecialTokens} max={MaxLength} {Strategy}";
}

/// <summary>What Hugging Face tokenizers gives for an <see cref="EncodeRequest"/>: an encoding, or an error.</summary>
internal sealed record HuggingFaceEncoding(
    [property: JsonPropertyName("ids")] int[]? Ids,
    [property: JsonPropertyName("typeIds")] int[]? TypeIds,
    [property: JsonPropertyName("offsets")] int[][]? Offsets,
    [property: JsonPropertyName("sequenceIds")] int[]? SequenceIds,
    [property: JsonPropertyName("error")] string? Error);

/// <summary>Encodes requests with Hugging Face tokenizers (tests/tools/hf-encode.mjs) and compares encodings.</summary>
internal static class HuggingFaceEncodings
{
    public static async Task<HuggingFaceEncoding[]> EncodeAsync(IReadOnlyList<EncodeRequest> requests)
    {
        string[] lines = await HuggingFaceNode.RunAsync("hf-encode.mjs", [.. requests.Select(request => JsonSerializer.Serialize(request))]);
        Assert.Equal(requests.Count, lines.Length);
        return [.. lines.Select(line => JsonSerializer.Deserialize<HuggingFaceEncoding>(line)!)];
    }

    /// <summary>
    /// Encodes every request with <paramref name="tokenizerFor"/>'s tokenizer and with Hugging Face's, and fails
    /// listing the first differences (ids, type ids, offsets, sequence ids; or an error on one side only).
    /// </summary>
    public static async Task AssertSameAsync(IReadOnlyList<EncodeRequest> requests, Func<string, ModernBertTokenizer> tokenizerFor)
    {
        HuggingFaceEncoding[] expected = await EncodeAsync(requests);
        var differences = new List<string>();
        for (int i = 0; i < requests.Count && differences.Count < 10; i++)
        {
            EncodeRequest request = requests[i];
            string? difference;
            try
            {
                TokenEncoding ours = tokenizerFor(request.TokenizerFile)
                    .Encode(request.Text, request.Pair, request.AddSpecialTokens, request.Truncation);
                difference = Describe(ours, expected[i]);
            }
            catch (ArgumentException e)
            {
                difference = expected[i].Error is null ? $"ours failed ({e.Message}), Hugging Face's did not" : null;
            }
            if (difference is not null)
                differences.Add($"{request}: {difference}");
        }
        Assert.True(differences.Count == 0, string.Join("\n", differences));
    }

    private static string? Describe(TokenEncoding ours, HuggingFaceEncoding expected)
    {
        if (expected.Error is not null)
            return $"Hugging Face's failed ({expected.Error}), ours did not";
        string Show<T>(IEnumerable<T> values) => string.Join(',', values);
        string oursOffsets = Show(ours.Offsets.Select(o => $"({o.Start},{o.End})"));
        string theirOffsets = Show(expected.Offsets!.Select(o => $"({o[0]},{o[1]})"));
        if (!ours.Ids.SequenceEqual(expected.Ids!))
            return $"ids [{Show(ours.Ids)}] but Hugging Face's [{Show(expected.Ids!)}]";
        if (!ours.TypeIds.SequenceEqual(expected.TypeIds!))
            return $"type ids [{Show(ours.TypeIds)}] but Hugging Face's [{Show(expected.TypeIds!)}]";
        if (oursOffsets != theirOffsets)
            return $"offsets [{oursOffsets}] but Hugging Face's [{theirOffsets}] (ids {Show(ours.Ids)})";
        if (!ours.SequenceIds.Select(id => (int)id).SequenceEqual(expected.SequenceIds!))
            return $"sequence ids [{Show(ours.SequenceIds)}] but Hugging Face's [{Show(expected.SequenceIds!)}]";
        return null;
    }
}
