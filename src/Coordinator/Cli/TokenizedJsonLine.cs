using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;
using ModernBert.Tokenization;

namespace ModernBert.Coordinator.Cli;

/// <summary>
/// One JSONL input line <c>{"id": ..., "text": ...}</c> turned into its output line: the same object with
/// <c>"input_ids"</c> added (replacing any there was), or the reason the line cannot be used.
/// </summary>
/// <param name="Utf8Line">The output line in UTF-8, newline included; null when the line is malformed.</param>
/// <param name="Problem">Why the line is malformed; null when it is not.</param>
internal readonly record struct TokenizedJsonLine(byte[]? Utf8Line, string? Problem)
{
    public const string IdsProperty = "input_ids";

    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static TokenizedJsonLine Create(ModernBertTokenizer tokenizer, string line)
    {
        if (string.IsNullOrWhiteSpace(line))
            return Malformed("empty line");
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(line);
        }
        catch (JsonException e)
        {
            return Malformed($"not valid JSON: {e.Message}");
        }
        using (document)
        {
            JsonElement root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                return Malformed("not a JSON object");
            if (!root.TryGetProperty("id", out JsonElement id) || id.ValueKind is not (JsonValueKind.String or JsonValueKind.Number))
                return Malformed("\"id\" is missing or not a string or number");
            if (id.ValueKind == JsonValueKind.String && id.GetString()!.Length == 0)
                return Malformed("\"id\" is empty");
            if (!root.TryGetProperty("text", out JsonElement textElement) || textElement.ValueKind != JsonValueKind.String)
                return Malformed("\"text\" is missing or not a string");

            int[] ids;
            try
            {
                ids = tokenizer.Encode(textElement.GetString()!);
            }
            catch (Exception e) when (e is InvalidOperationException or ArgumentException)
            {
                // Escaped unpaired surrogates ("\ud800") are valid JSON but not text.
                return Malformed($"\"text\" is not valid Unicode: {e.Message}");
            }
            return new TokenizedJsonLine(Write(root, ids), null);
        }
    }

    private static byte[] Write(JsonElement source, int[] ids)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            writer.WriteStartObject();
            foreach (JsonProperty property in source.EnumerateObject())
            {
                if (!property.NameEquals(IdsProperty))
                    property.WriteTo(writer);
            }
            writer.WriteStartArray(IdsProperty);
            foreach (int id in ids)
                writer.WriteNumberValue(id);
            writer.WriteEndArray();
            writer.WriteEndObject();
        }
        buffer.Write("\n"u8);
        return buffer.WrittenSpan.ToArray();
    }

    private static TokenizedJsonLine Malformed(string problem) => new(null, problem);
}
