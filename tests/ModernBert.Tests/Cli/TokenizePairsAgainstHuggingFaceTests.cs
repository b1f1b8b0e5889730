using System.Text.Json.Nodes;
using ModernBert.Coordinator.Cli;
using ModernBert.Tests.Common;
using ModernBert.Tests.Tokenization;
using ModernBert.Tokenization;

namespace ModernBert.Tests.Cli;

/// <summary>
/// <c>modernbert tokenize</c> on records with a second text and with <c>--offsets</c>, with tokenizers of several kinds
/// that tests/tools/hf-build-tokenizers.mjs trains with Hugging Face tokenizers (npm): every output line's
/// <c>input_ids</c>, <c>token_type_ids</c> (pairs only) and <c>offsets</c> (code points, as the binding counts them)
/// equal what the npm package gives for the same texts (tests/tools/hf-encode.mjs), in many scripts and outside the BMP.
/// </summary>
public sealed class TokenizePairsAgainstHuggingFaceTests(HuggingFaceBuiltTokenizers built) : IClassFixture<HuggingFaceBuiltTokenizers>, IDisposable
{
    private readonly TemporaryFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    public static readonly TheoryData<string, bool, string, string> Cases = new()
    {
        { "bytelevel-roberta", true, "text", "text_pair" },
        { "wordpiece-bert", true, "query", "document" },
        { "wordpiece-cased", false, "text", "text_pair" },
        { "sentencepiece-unigram-always", true, "text", "text_pair" },
        { "gemma-bpe", true, "text", "text_pair" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task PairsGetTheirTypeIdsAndEveryTokenItsOffsetsAsHuggingFaceGivesThem(string kind, bool offsets, string textField, string pairField)
    {
        string tokenizerFolder = Path.Combine(await built.FolderAsync(), kind);
        IReadOnlyList<string> texts = MultilingualTexts.All;
        var records = new List<(string Id, string Text, string? Pair)>();
        for (int i = 0; i < texts.Count; i++)
        {
            records.Add(($"single-{i}", texts[i], null));
            records.Add(($"pair-{i}", texts[i], texts[(i * 7 + 3) % texts.Count]));
        }
        string input = _folder.File("corpus.jsonl"), output = _folder.File("tokenized.jsonl");
        File.WriteAllLines(input, records.Select(record =>
        {
            var line = new JsonObject { ["id"] = record.Id, [textField] = record.Text };
            if (record.Pair is not null)
                line[pairField] = record.Pair;
            return line.ToJsonString();
        }));

        string[] arguments = ["tokenize", "--tokenizer", tokenizerFolder, "--input", input, "--output", output,
            "--set", $"Input:TextField={textField}", "--set", $"Input:TextPairField={pairField}"];
        CommandLineRun run = await CommandLineRun.RunAsync(TokenizeCommand.Create(), offsets ? [.. arguments, "--offsets"] : arguments);

        run.AssertSucceeded();
        Assert.Equal($"Wrote {records.Count} documents to {output}; skipped 0 documents.", run.Output.Trim());
        string file = Path.Combine(tokenizerFolder, ModernBertTokenizer.TokenizerFileName);
        HuggingFaceEncoding[] expected = await HuggingFaceEncodings.EncodeAsync([.. records.Select(record => new EncodeRequest(file, record.Text, record.Pair, CodePoints: true))]);
        string[] lines = File.ReadAllLines(output);
        Assert.Equal(records.Count, lines.Length);
        for (int i = 0; i < lines.Length; i++)
        {
            JsonObject line = JsonNode.Parse(lines[i])!.AsObject();
            (string id, _, string? pair) = records[i];
            Assert.Null(expected[i].Error);
            Assert.Equal([
                "id", textField, .. pair is null ? Array.Empty<string>() : [pairField],
                "input_ids", .. pair is null ? Array.Empty<string>() : ["token_type_ids"], .. offsets ? ["offsets"] : Array.Empty<string>()],
                line.Select(property => property.Key));
            Assert.Equal(id, (string)line["id"]!);
            Assert.True(expected[i].Ids!.SequenceEqual(Numbers(line["input_ids"]!)), $"{kind} {id}: input_ids differ from Hugging Face's");
            if (pair is not null)
                Assert.True(expected[i].TypeIds!.SequenceEqual(Numbers(line["token_type_ids"]!)), $"{kind} {id}: token_type_ids differ from Hugging Face's");
            if (offsets)
            {
                int[][] spans = [.. line["offsets"]!.AsArray().Select(span => Numbers(span!))];
                Assert.True(expected[i].Offsets!.Length == spans.Length && expected[i].Offsets!.Zip(spans).All(both => both.First.SequenceEqual(both.Second)),
                    $"{kind} {id}: offsets [{Format(spans)}] differ from Hugging Face's [{Format(expected[i].Offsets!)}]");
            }
        }
    }

    private static int[] Numbers(JsonNode array) => [.. array.AsArray().Select(value => (int)value!)];

    private static string Format(int[][] spans) => string.Join(", ", spans.Select(span => $"[{span[0]}, {span[1]}]"));
}
